/// A grid of cells that views draw into: the in-memory screen. Tests read it back as text
/// and styles; the terminal backend copies it to ncurses in one update.
///
/// A character two columns wide takes its cell and the next (marked `continuation`); one that
/// does not fit before the right edge is replaced by a space, so nothing ever wraps.
///
/// A cell holds its character's first Unicode scalar and plain values only, so that filling
/// and copying thousands of cells a frame involves no reference counting; the rare combining
/// marks that follow a base character are kept apart, by cell index.
public struct ScreenBuffer: Sendable, Equatable {
    public struct Cell: Sendable, Equatable {
        /// The character's base scalar (its combining marks, if any, are in `ScreenBuffer.marks`).
        public var scalar: Unicode.Scalar
        public var style: Style
        /// The right half of a two-column character in the cell to the left.
        public var continuation: Bool

        /// The base character.
        public var character: Character { Character(scalar) }

        public static let blank = Cell(scalar: " ", style: .plain, continuation: false)
    }

    public let rows: Int
    public let columns: Int
    public private(set) var cells: [Cell]
    /// Combining marks after the base character of a cell, by cell index.
    public private(set) var marks: [Int: String] = [:]
    /// The character drawn for text the locale cannot show.
    public var replacement: Unicode.Scalar = "?"

    public init(rows: Int, columns: Int) {
        self.rows = max(0, rows)
        self.columns = max(0, columns)
        cells = Array(repeating: .blank, count: self.rows * self.columns)
    }

    /// Blanks every cell, keeping the storage (a frame's screen is reused for the next: a
    /// fresh 200×60 screen is a few hundred KB of new pages every frame).
    public mutating func clear() {
        cells.withUnsafeMutableBufferPointer { $0.update(repeating: .blank) }
        if !marks.isEmpty { marks.removeAll(keepingCapacity: true) }
    }

    public subscript(row: Int, column: Int) -> Cell {
        cells[row * columns + column]
    }

    /// Writes `text` from (row, column), stopping before `limit` (a column, default the right
    /// edge). Returns the column after the last character written. Text is expected to be
    /// sanitized already; anything unprintable still shows as `replacement`.
    @discardableResult
    public mutating func write(_ text: String, row: Int, column: Int, limit: Int? = nil, style: Style = .plain) -> Int {
        guard row >= 0, row < rows else { return column }
        let end = min(limit ?? columns, columns)
        var x = max(0, column)
        // Printable ASCII: one cell a byte, without breaking the text into graphemes.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            for byte in text.utf8 {
                guard x < end else { break }
                set(row, x, Cell(scalar: Unicode.Scalar(byte), style: style, continuation: false))
                x += 1
            }
            return x
        }
        for character in text {
            guard x < end else { break }
            var scalars = character.unicodeScalars
            var width = DisplayWidth.of(character)
            if width < 1 {
                scalars = String(Character(replacement)).unicodeScalars
                width = 1
            }
            if x + width > end {
                // A wide character that does not fit: pad instead of spilling over the edge.
                set(row, x, Cell(scalar: " ", style: style, continuation: false))
                x += 1
                break
            }
            set(row, x, Cell(scalar: scalars.first!, style: style, continuation: false))
            if scalars.count > 1 { marks[row * columns + x] = String(String.UnicodeScalarView(scalars.dropFirst())) }
            if width == 2 { set(row, x + 1, Cell(scalar: " ", style: style, continuation: true)) }
            x += width
        }
        return x
    }

    /// Paints `width` cells from (row, column) with spaces in `style` (a bar or a selection).
    public mutating func fill(row: Int, column: Int = 0, width: Int? = nil, style: Style) {
        guard row >= 0, row < rows else { return }
        let end = min(column + (width ?? columns), columns)
        var x = max(0, column)
        while x < end {
            set(row, x, Cell(scalar: " ", style: style, continuation: false))
            x += 1
        }
    }

    /// Changes the style of existing cells (keeps their text): selection highlight, colouring.
    public mutating func restyle(row: Int, column: Int = 0, width: Int? = nil, _ change: (inout Style) -> Void) {
        guard row >= 0, row < rows else { return }
        let end = min(column + (width ?? columns), columns)
        for x in max(0, column)..<max(max(0, column), end) { change(&cells[row * columns + x].style) }
    }

    private mutating func set(_ row: Int, _ column: Int, _ cell: Cell) {
        let index = row * columns + column
        // Overwriting half of a wide character blanks its other half.
        if cells[index].continuation, column > 0 { cells[index - 1] = Cell(scalar: " ", style: cells[index - 1].style, continuation: false) }
        if !cell.continuation, column + 1 < columns, cells[index + 1].continuation {
            cells[index + 1] = Cell(scalar: " ", style: cells[index + 1].style, continuation: false)
        }
        if !marks.isEmpty { marks[index] = nil }
        cells[index] = cell
    }

    /// The whole character shown in a cell (base and combining marks).
    public func text(row: Int, column: Int) -> String {
        let index = row * columns + column
        return String(Character(cells[index].scalar)) + (marks[index] ?? "")
    }

    /// Row `row` as text (continuation cells skipped, so a wide character appears once).
    public func line(_ row: Int) -> String {
        var text = ""
        for column in 0..<columns where !self[row, column].continuation {
            text.unicodeScalars.append(self[row, column].scalar)
            if let marks = marks[row * columns + column] { text.append(marks) }
        }
        return text
    }

    /// Every row, trailing spaces removed: what a person would read.
    public var text: [String] {
        (0..<rows).map { row in
            var line = line(row)
            while line.last == " " { line.removeLast() }
            return line
        }
    }
}
