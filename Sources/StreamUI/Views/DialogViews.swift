import StreamCore

/// A box in the middle of the screen, its frame and title drawn; returns the inside.
func drawBox(into screen: inout ScreenBuffer, width: Int, height: Int, title: String, glyphs: Glyphs) -> Rect {
    let w = min(width, screen.columns), h = min(height, screen.rows - 2)
    let top = max(0, (screen.rows - h) / 2), left = max(0, (screen.columns - w) / 2)
    for row in top..<(top + h) { screen.fill(row: row, column: left, width: w, style: Style(.mainFG)) }
    let line = String(repeating: glyphs.horizontal, count: max(0, w))
    screen.write(line, row: top, column: left, limit: left + w, style: Style(.borderFocus))
    screen.write(line, row: top + h - 1, column: left, limit: left + w, style: Style(.borderFocus))
    screen.write(" \(title) ", row: top, column: left + 2, limit: left + w, style: Style(.title, bold: true))
    return Rect(top: top + 1, left: left + 2, height: h - 2, width: w - 4)
}

/// The sort column chooser (s, F6).
struct SortPickerView {
    let selection: Int
    let current: StreamColumn
    let reversed: Bool
    let glyphs: Glyphs

    func draw(into screen: inout ScreenBuffer) {
        let columns = StreamColumn.allCases
        let inside = drawBox(into: &screen, width: 64, height: columns.count + 4, title: "Sort by (Enter picks, again reverses)", glyphs: glyphs)
        for (index, column) in columns.enumerated() where inside.top + index < inside.bottom {
            let marker = column == current ? (reversed ? glyphs.ascending : glyphs.descending) : " "
            let chosen = index == selection
            let text = "\(marker) \(TextLayout.fit(column.title, width: 8)) \(column.meaning)"
            screen.fill(row: inside.top + index, column: inside.left, width: inside.width, style: Style(chosen ? .selectedFG : .mainFG, reverse: chosen))
            screen.write(text, row: inside.top + index, column: inside.left, limit: inside.right, style: Style(chosen ? .selectedFG : .mainFG, reverse: chosen))
        }
    }
}

/// The register/edit form. The focused field shows its cursor as a reverse-video cell (the
/// terminal's own cursor stays hidden); a value wider than its room scrolls to keep the
/// cursor in view.
struct FormView {
    let form: StreamForm
    let glyphs: Glyphs

    func draw(into screen: inout ScreenBuffer) {
        let title = form.editingID.map { "Edit \($0) (Enter saves, Esc cancels)" } ?? "Register a stream (Enter saves, Esc cancels)"
        let inside = drawBox(into: &screen, width: 76, height: StreamForm.Field.allCases.count * 2 + 6, title: title, glyphs: glyphs)
        var row = inside.top
        for field in StreamForm.Field.allCases {
            let focused = field == form.focus
            let label = Style(focused ? .hiFG : .mainFG, bold: focused)
            let x = screen.write(
                TextLayout.fit(field.label, width: 14), row: row, column: inside.left, limit: inside.right,
                style: label)
            drawValue(of: field, into: &screen, row: row, columns: x..<inside.right)
            let problem = form.problem?.field == field ? form.problem?.message : nil
            let style = Style(problem == nil ? .inactiveFG : .stateFailed, bold: problem != nil)
            screen.write(problem ?? field.hint, row: row + 1, column: x, limit: inside.right, style: style)
            row += 2
        }
        let keys = "Tab/\(glyphs.keyDown) next field, S-Tab/\(glyphs.keyUp) previous, \(glyphs.keyLeft) "
            + "\(glyphs.keyRight) Home End move, ^U clears"
        screen.write(keys, row: row, column: inside.left, limit: inside.right, style: Style(.inactiveFG))
        if let problem = form.problem, problem.field == nil {
            let style = Style(.stateFailed, bold: true)
            screen.write(problem.message, row: row + 1, column: inside.left, limit: inside.right, style: style)
        } else {
            let reveal = form.showsCredentials
                ? "^R hides credentials" : "^R shows credentials (REDACTED left as shown: kept)"
            screen.write(reveal, row: row + 1, column: inside.left, limit: inside.right, style: Style(.inactiveFG))
        }
    }

    /// A field's value, underlined across its room; in the focused field, the cursor's cell
    /// (the character under it, or a space after the text) in reverse video.
    private func drawValue(of field: StreamForm.Field, into screen: inout ScreenBuffer, row: Int, columns: Range<Int>) {
        let style = Style(field == form.focus ? .hiFG : .mainFG, underline: true)
        let cursorStyle = Style(.hiFG, bold: true, reverse: true)
        screen.fill(row: row, column: columns.lowerBound, width: columns.count, style: style)
        let text = Array(form.values[field] ?? "")
        let cursor = field == form.focus && !field.isChoice ? form.cursor(in: field) : nil
        let start = FormView.firstShown(text, cursor: cursor ?? text.count, room: columns.count)
        var column = columns.lowerBound
        for index in start..<text.count where column < columns.upperBound {
            let cell = index == cursor ? cursorStyle : style
            column = screen.write(String(text[index]), row: row, column: column, limit: columns.upperBound, style: cell)
        }
        if cursor == text.count {
            screen.write(" ", row: row, column: column, limit: columns.upperBound, style: cursorStyle)
        }
    }

    /// The first character shown of a field's text, so that the cursor (a cell after the
    /// text when it is at the end) fits in `room` columns: from the start when it all fits;
    /// else the end when the cursor is near it; else the cursor in the middle.
    static func firstShown(_ text: [Character], cursor: Int, room: Int) -> Int {
        let widths = text.map { max(1, DisplayWidth.of($0)) } + [1]
        func width(_ range: Range<Int>) -> Int { widths[range].reduce(0, +) }
        guard width(0..<widths.count) > room else { return 0 }
        var tail = widths.count - 1
        while tail > 0, width(tail - 1..<widths.count) <= room { tail -= 1 }
        var start = cursor
        while start > 0, width(start - 1..<cursor + 1) <= room / 2 { start -= 1 }
        return min(start, tail)
    }
}

/// A yes/no question.
struct ConfirmView {
    let title: String
    let message: String
    let glyphs: Glyphs

    func draw(into screen: inout ScreenBuffer) {
        let inside = drawBox(into: &screen, width: max(44, min(76, DisplayWidth.of(message) + 6)), height: 6, title: title, glyphs: glyphs)
        screen.write(message, row: inside.top, column: inside.left, limit: inside.right, style: Style(.mainFG))
        screen.write("y: yes    any other key: no", row: inside.top + 2, column: inside.left, limit: inside.right, style: Style(.hiFG, bold: true))
    }
}

/// Shown instead of the layout when the terminal is too small for it.
struct TooSmallView {
    static let minimumRows = 10
    static let minimumColumns = 40

    func draw(into screen: inout ScreenBuffer) {
        let lines = ["Terminal too small", "\(screen.columns)×\(screen.rows); need \(TooSmallView.minimumColumns)×\(TooSmallView.minimumRows)", "q quits"]
        for (offset, line) in lines.enumerated() {
            let row = max(0, screen.rows / 2 - 1) + offset
            let column = max(0, (screen.columns - DisplayWidth.of(line)) / 2)
            screen.write(line, row: row, column: column, style: Style(offset == 0 ? .stateFailed : .mainFG, bold: offset == 0))
        }
    }
}
