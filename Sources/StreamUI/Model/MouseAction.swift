/// What the mouse did, independent of the terminal library: a press of the main button or a
/// turn of the wheel, at a cell of the screen (0-based).
package struct MouseEvent: Hashable, Sendable {
    package enum Kind: Hashable, Sendable {
        case press, wheelUp, wheelDown
    }

    package var kind: Kind
    package var row: Int
    package var column: Int

    package init(_ kind: Kind, row: Int, column: Int) {
        self.kind = kind
        self.row = row
        self.column = column
    }
}

/// What a mouse event does on the monitor, as htop and btop have it: a press on a table row
/// selects it, a press on a column's title sorts by it (again: the other way round), and the
/// wheel moves as the arrow keys do on the current screen, a few lines a notch.
package enum MouseAction: Equatable, Sendable {
    case select(row: Int)
    case sort(StreamColumn)
    case scroll(lines: Int)

    /// Lines one notch of the wheel moves.
    static let wheelLines = 3

    /// What `event` does on a screen whose stream table was drawn in `table` (nil: the table is
    /// not shown) with `top` its first row shown and `rows` rows in all; nil: nothing.
    static func resolve(_ event: MouseEvent, table: Rect?, top: Int, rows: Int) -> MouseAction? {
        switch event.kind {
        case .wheelUp: return .scroll(lines: -wheelLines)
        case .wheelDown: return .scroll(lines: wheelLines)
        case .press:
            guard let table, event.row >= table.top, event.row < table.bottom,
                  event.column >= table.left, event.column < table.right else { return nil }
            if event.row == table.top {
                let span = StreamTableView.columnSpans(in: table).first { $0.range.contains(event.column) }
                return span.map { .sort($0.column) }
            }
            let index = top + event.row - table.top - 1
            return index < rows ? .select(row: index) : nil
        }
    }
}
