import StreamCore
import StreamEngine

/// The stream table: a title row and one row per stream, scrolled so the selection is
/// visible. Columns drop, least important first, when the terminal is narrow; the name
/// column takes what is left. Broken streams are drawn in the failed colour; every row is
/// dimmed while the rows are stale (the engine attached to is out of reach).
struct StreamTableView {
    let rows: [StreamFigures]
    let state: MonitorState
    let broken: Set<String>
    let glyphs: Glyphs
    var stale = false

    /// Below this width the columns take their compact widths (`StreamColumn.compactWidth`).
    static let compactBelow = 100

    /// A column's width in a table `width` columns wide (the name's is the layout's).
    static func width(of column: StreamColumn, tableWidth width: Int) -> Int {
        width < compactBelow ? column.compactWidth : column.width
    }

    /// The columns that fit in `width`, in display order, with the name column's width (at
    /// least 16 when the terminal has 60 columns).
    static func layout(width: Int) -> (columns: [StreamColumn], nameWidth: Int) {
        var columns = StreamColumn.allCases
        func needed(_ columns: [StreamColumn]) -> Int {
            // Marker (2) + each column + one space between columns.
            2 + columns.reduce(0) { $0 + StreamTableView.width(of: $1, tableWidth: width) } + (columns.count - 1)
        }
        while needed(columns) > width, columns.count > 1 {
            let drop = columns.filter { $0 != .name }.min { $0.priority < $1.priority }!
            columns.removeAll { $0 == drop }
        }
        let spare = max(0, width - needed(columns))
        return (columns, StreamColumn.name.width + min(spare, 28))
    }

    /// Where each column shown in `rect` is drawn: its cells on every row, title included
    /// (what a mouse press on the title row finds).
    struct ColumnSpan: Equatable {
        let column: StreamColumn
        let range: Range<Int>
    }

    static func columnSpans(in rect: Rect) -> [ColumnSpan] {
        let (columns, nameWidth) = layout(width: rect.width)
        var x = rect.left + 2
        return columns.map { column in
            let width = column == .name ? nameWidth : StreamTableView.width(of: column, tableWidth: rect.width)
            defer { x += width + 1 }
            return ColumnSpan(column: column, range: x..<(x + width))
        }
    }

    func draw(into screen: inout ScreenBuffer, in rect: Rect) {
        guard rect.height > 0 else { return }
        let spans = StreamTableView.columnSpans(in: rect)

        // Title row, the sort column marked.
        screen.fill(row: rect.top, column: rect.left, width: rect.width, style: Style(.headerFG, reverse: false))
        for span in spans {
            let column = span.column
            let sorted = column == state.sort
            let arrow = sorted ? (state.reversed ? glyphs.ascending : glyphs.descending) : ""
            // A one-letter column sorted on shows its arrow alone.
            let width = span.range.count
            var text = width == 1 && sorted ? arrow : column.title(width: width) + arrow
            // A title that fills its column gives its last letter to the arrow: `ER▼`, not `ER…`.
            if sorted, width > 1, DisplayWidth.of(text) > width {
                text = String(column.title.prefix(width - 1)) + arrow
            }
            let title = TextLayout.fit(text, width: width, right: column.rightAligned, ellipsis: glyphs.ellipsis)
            let style = Style(sorted ? .sorter : .headerFG, bold: true, underline: sorted)
            screen.write(title, row: rect.top, column: span.range.lowerBound, limit: rect.right, style: style)
        }

        let visible = max(0, rect.height - 1)
        if rows.isEmpty {
            let message = state.filter.isEmpty
                ? "No streams registered. Press a to add one."
                : "No stream matches \"\(Sanitizer.line(state.filter))\". Esc clears the filter."
            screen.write(
                message, row: rect.top + 1, column: rect.left + 2, limit: rect.right, style: Style(.inactiveFG))
            return
        }
        for line in 0..<visible {
            let index = state.top + line
            guard index < rows.count else { break }
            let figures = rows[index]
            let row = rect.top + 1 + line
            let isSelected = figures.snapshot.id == state.selectedID
            let isBroken = broken.contains(figures.snapshot.id) || figures.snapshot.status.isBroken
            let stateRole = figures.snapshot.status.role
            let base: ThemeRole = isSelected ? .selectedFG : (isBroken ? .stateFailed : .mainFG)
            if isSelected {
                screen.fill(row: row, column: rect.left, width: rect.width, style: Style(.selectedFG, reverse: true))
            }
            screen.write(
                isSelected ? glyphs.selectedMarker : " ", row: row, column: rect.left, limit: rect.right,
                style: Style(base, bold: isSelected, reverse: isSelected))
            for span in spans {
                let column = span.column
                let role: ThemeRole
                if isSelected {
                    role = .selectedFG
                } else if stale {
                    role = .inactiveFG
                } else if column == .state {
                    role = stateRole
                } else if column == .name || !isBroken {
                    role = isBroken ? .stateFailed : (figures.snapshot.status.state.isRunning ? .mainFG : .inactiveFG)
                } else {
                    role = .stateFailed
                }
                var cell = column == .savings && figures.savings == nil ? glyphs.dash : figures.text(column)
                if column == .mode { cell = String(cell.prefix(span.range.count)) }
                let text = TextLayout.fit(
                    cell, width: span.range.count, right: column.rightAligned, ellipsis: glyphs.ellipsis)
                let bold = (isBroken && !stale) || (column == .state && isSelected)
                let style = Style(role, bold: bold, reverse: isSelected)
                screen.write(text, row: row, column: span.range.lowerBound, limit: rect.right, style: style)
            }
        }
    }
}
