/// The line above the footer: the filter or search being typed, else the last message
/// (an alert, the result of a command).
struct StatusLineView {
    let state: MonitorState

    func draw(into screen: inout ScreenBuffer, in rect: Rect) {
        guard rect.height > 0 else { return }
        if state.editingFilter || (!state.filter.isEmpty && state.status == nil) {
            let x = screen.write("filter: ", row: rect.top, column: rect.left, limit: rect.right, style: Style(.hiFG, bold: true))
            let end = screen.write(state.filter, row: rect.top, column: x, limit: rect.right, style: Style(.mainFG))
            if state.editingFilter { screen.write("_", row: rect.top, column: end, limit: rect.right, style: Style(.hiFG, bold: true)) }
            return
        }
        if state.editingLogSearch {
            let x = screen.write("search log: ", row: rect.top, column: rect.left, limit: rect.right, style: Style(.hiFG, bold: true))
            let end = screen.write(state.logSearch, row: rect.top, column: x, limit: rect.right, style: Style(.mainFG))
            screen.write("_", row: rect.top, column: end, limit: rect.right, style: Style(.hiFG, bold: true))
            return
        }
        guard let status = state.status else { return }
        let role: ThemeRole = status.kind == .error ? .stateFailed : (status.kind == .warning ? .logWarn : .mainFG)
        screen.write(status.text, row: rect.top, column: rect.left, limit: rect.right, style: Style(role, bold: status.kind == .error))
    }
}
