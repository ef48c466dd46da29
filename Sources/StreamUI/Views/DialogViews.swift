import StreamCore

/// A box in the middle of the screen, its frame and title drawn; returns the inside.
func drawBox(into screen: inout ScreenBuffer, width: Int, height: Int, title: String, glyphs: Glyphs) -> Rect {
    let w = min(width, screen.columns - 2), h = min(height, screen.rows - 2)
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

/// The register/edit form.
struct FormView {
    let form: StreamForm
    let glyphs: Glyphs

    func draw(into screen: inout ScreenBuffer) {
        let title = form.editingID.map { "Edit \($0) (Enter saves, Esc cancels)" } ?? "Register a stream (Enter saves, Esc cancels)"
        let inside = drawBox(into: &screen, width: 76, height: StreamForm.Field.allCases.count * 2 + 6, title: title, glyphs: glyphs)
        var row = inside.top
        for field in StreamForm.Field.allCases {
            let focused = field == form.focus
            let x = screen.write(TextLayout.fit(field.label, width: 14), row: row, column: inside.left, limit: inside.right, style: Style(focused ? .hiFG : .mainFG, bold: focused))
            let value = form.values[field] ?? ""
            // The end of a long value stays visible while typing.
            let room = inside.right - x - 1
            var shown = value
            while DisplayWidth.of(shown) > room, !shown.isEmpty { shown.removeFirst() }
            screen.fill(row: row, column: x, width: inside.right - x, style: Style(focused ? .selectedFG : .mainFG, underline: true))
            let end = screen.write(shown, row: row, column: x, limit: inside.right, style: Style(focused ? .selectedFG : .mainFG, underline: true))
            if focused && field != .mode { screen.write("_", row: row, column: end, limit: inside.right, style: Style(.hiFG, bold: true)) }
            let problem = form.problem?.field == field ? form.problem?.message : nil
            screen.write(problem ?? field.hint, row: row + 1, column: x, limit: inside.right, style: Style(problem == nil ? .inactiveFG : .stateFailed, bold: problem != nil))
            row += 2
        }
        if let problem = form.problem, problem.field == nil {
            screen.write(problem.message, row: row, column: inside.left, limit: inside.right, style: Style(.stateFailed, bold: true))
        } else {
            let hint = "Tab/\(glyphs.keyDown) next field, S-Tab/\(glyphs.keyUp) previous, Space toggles the mode"
            screen.write(hint, row: row, column: inside.left, limit: inside.right, style: Style(.inactiveFG))
        }
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
