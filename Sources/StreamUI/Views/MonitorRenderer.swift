import StreamCore

/// The single redraw path: lays the screen out from the controller's state (header, table or
/// detail, log pane, status line, footer, then any dialog) into a fresh in-memory screen.
/// The terminal backend shows the result; tests read it.
public enum MonitorRenderer {
    public static func render(_ controller: MonitorController, rows: Int, columns: Int, glyphs: Glyphs) -> ScreenBuffer {
        var screen = ScreenBuffer(rows: rows, columns: columns)
        render(controller, into: &screen, glyphs: glyphs)
        return screen
    }

    /// Draws into `screen`, reused from the previous frame when the size is the same.
    public static func render(_ controller: MonitorController, into screen: inout ScreenBuffer, glyphs: Glyphs) {
        screen.clear()
        controller.tableArea = nil
        let rows = screen.rows, columns = screen.columns
        guard rows >= TooSmallView.minimumRows, columns >= TooSmallView.minimumColumns else {
            TooSmallView().draw(into: &screen)
            return
        }
        let state = controller.state
        // What was fetched for the selected stream, as it arrived last: nothing here waits for it.
        let fetched = controller.details.id == state.selectedID ? controller.details : FetchedDetails()
        let filtered = state.filter.isEmpty && state.groupFilter == nil ? nil : controller.rows.count
        HeaderView(snapshots: controller.snapshots, filtered: filtered, disk: controller.disk,
                   attachment: controller.attachment, now: controller.now, savings: controller.savings.overall,
                   glyphs: glyphs, frozen: state.frozen)
            .draw(into: &screen, in: Rect(top: 0, left: 0, height: 2, width: columns))
        let body = Rect(top: 2, left: 0, height: rows - 4, width: columns)
        var main = body
        if state.logOpen {
            let logHeight = max(4, body.height * 2 / 5)
            main = Rect(top: body.top, left: 0, height: body.height - logHeight, width: columns)
            let pane = Rect(top: main.bottom, left: 0, height: logHeight, width: columns)
            controller.logPageSize = max(1, pane.height - 1)
            LogPaneView(
                title: controller.selected.map { Sanitizer.line($0.name) } ?? "-", lines: fetched.log.map(\.lines),
                top: state.logTop, search: state.logSearch, glyphs: glyphs)
                .draw(into: &screen, in: pane)
        }
        if state.showingDetail, let figures = controller.rows.first(where: { $0.snapshot.id == state.selectedID }) {
            let detail = DetailView(
                figures: figures, history: fetched.history, document: fetched.document,
                recentEvents: fetched.log.map(\.recentEvents), scroll: state.detailScroll, glyphs: glyphs)
            if !state.logOpen { controller.logPageSize = max(1, main.height - 1) }
            detail.draw(into: &screen, in: main)
        } else if state.showingGroups {
            controller.pageSize = max(1, main.height - 1)
            GroupTableView(groups: controller.savings.groups, selection: state.groupSelection, glyphs: glyphs)
                .draw(into: &screen, in: main)
        } else {
            controller.pageSize = max(1, main.height - 1)
            controller.tableArea = main
            StreamTableView(
                rows: controller.rows, state: state, broken: controller.brokenStreams, glyphs: glyphs,
                stale: controller.attachment?.isLost == true
            ).draw(into: &screen, in: main)
        }
        StatusLineView(state: state).draw(into: &screen, in: Rect(top: rows - 2, left: 0, height: 1, width: columns))
        FooterView(context: state.keyContext, detaches: controller.attachment != nil, glyphs: glyphs)
            .draw(into: &screen, in: Rect(top: rows - 1, left: 0, height: 1, width: columns))

        switch state.overlay {
        case .none: break
        case .help:
            (controller.helpLineCount, controller.helpPageSize) = HelpView(glyphs: glyphs, top: state.helpTop)
                .draw(into: &screen)
        case .sortPicker(let selection): SortPickerView(selection: selection, current: state.sort, reversed: state.reversed, glyphs: glyphs).draw(into: &screen)
        case .form(let form): FormView(form: form, glyphs: glyphs).draw(into: &screen)
        case .confirmDelete(_, let name):
            ConfirmView(title: "Delete", message: "Delete \(Sanitizer.line(name))? Its log and archive stay on disk.", glyphs: glyphs).draw(into: &screen)
        case .confirmQuit(let running):
            ConfirmView(title: "Quit", message: "\(running) stream\(running == 1 ? " is" : "s are") running; they stop when streamtop quits. Quit?", glyphs: glyphs).draw(into: &screen)
        }
    }
}
