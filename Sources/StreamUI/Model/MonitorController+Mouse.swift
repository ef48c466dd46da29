/// The mouse on the monitor: what `MouseAction` says an event does, done as the keys do it.
extension MonitorController {
    /// What the mouse event does on the current screen. Dialogs and prompts take no mouse.
    package func handle(_ event: MouseEvent) -> Effect {
        guard state.overlay == .none, !state.editingFilter, !state.editingLogSearch,
              let action = MouseAction.resolve(event, table: tableArea, top: state.top, rows: rows.count)
        else { return .none }
        switch action {
        case .select(let row):
            guard row != selectedIndex else { return .none }
            select(index: row)
        case .sort(let column):
            sort(by: column)
        case .scroll(let lines):
            let context = state.keyContext
            for _ in 0..<abs(lines) { _ = perform(lines < 0 ? .moveUp : .moveDown, context: context) }
        }
        return .redraw
    }
}
