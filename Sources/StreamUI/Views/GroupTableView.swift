import StreamCore

/// The group view (`g`): one line per group, its stream and its poller side by side: bytes an
/// hour each, changes each saw an hour, the changes the poller missed, and what streaming
/// saves (`Savings`). Figures per hour of each one's running time; a dash until a minute of it.
struct GroupTableView {
    let groups: [GroupFigures]
    let selection: Int
    let glyphs: Glyphs

    struct Column {
        let title: String
        let width: Int
        /// Higher stays longer on a narrow terminal.
        let priority: Int
        let value: (GroupFigures) -> String
    }

    /// The name column's least width; it takes what the figures leave, up to `nameMaximum`.
    static let nameMinimum = 12
    static let nameMaximum = 60

    func columns(dash: String) -> [Column] {
        func bytes(_ value: Double?) -> String { value.map { HumanUnits.bytes(Int($0.rounded())) } ?? dash }
        func count(_ value: Double?) -> String { value.map(HumanUnits.count) ?? dash }
        return [
            Column(title: "STREAM/h", width: 9, priority: 90) { bytes($0.streamedBytesPerHour) },
            Column(title: "POLL/h", width: 9, priority: 90) { bytes($0.polledBytesPerHour) },
            Column(title: "CHG/h S", width: 7, priority: 70) { count($0.streamedChangesPerHour) },
            Column(title: "CHG/h P", width: 7, priority: 69) { count($0.polledChangesPerHour) },
            Column(title: "MISSED/h", width: 8, priority: 80) { count($0.missedPerHour) },
            Column(title: "SAVED", width: 6, priority: 100) { $0.savings.map { HumanUnits.shortPercent($0) } ?? dash },
        ]
    }

    /// The columns that fit in `width` with a name of at least `nameMinimum` (the least needed
    /// go first), and the name's width.
    func layout(width: Int, dash: String) -> (columns: [Column], nameWidth: Int) {
        var columns = self.columns(dash: dash)
        func figures() -> Int { columns.reduce(0) { $0 + $1.width + 1 } }
        while 2 + GroupTableView.nameMinimum + figures() > width, !columns.isEmpty {
            let least = columns.indices.min { columns[$0].priority < columns[$1].priority }!
            columns.remove(at: least)
        }
        return (columns, max(GroupTableView.nameMinimum, min(GroupTableView.nameMaximum, width - 2 - figures())))
    }

    func draw(into screen: inout ScreenBuffer, in rect: Rect) {
        guard rect.height > 0 else { return }
        let (columns, nameWidth) = layout(width: rect.width, dash: glyphs.dash)
        screen.fill(row: rect.top, column: rect.left, width: rect.width, style: Style(.headerFG))
        let title = TextLayout.fit("GROUP (stream / poller)", width: nameWidth, ellipsis: glyphs.ellipsis)
        var x = screen.write("  " + title, row: rect.top,
                             column: rect.left, limit: rect.right, style: Style(.headerFG, bold: true))
        for column in columns {
            x = screen.write(" " + TextLayout.fit(column.title, width: column.width, right: true), row: rect.top,
                             column: x, limit: rect.right, style: Style(.headerFG, bold: true))
        }
        guard !groups.isEmpty else {
            let message = "No groups: give a stream and a poller of the same API one \"group\" to compare them."
            screen.write(
                message, row: rect.top + 1, column: rect.left + 2, limit: rect.right, style: Style(.inactiveFG))
            return
        }
        let page = max(1, rect.height - 1)
        let top = max(0, min(selection - page + 1, groups.count - page))
        for (offset, group) in groups.dropFirst(top).prefix(page).enumerated() {
            let row = rect.top + 1 + offset
            let selected = top + offset == selection
            let style = Style(selected ? .selectedFG : .mainFG, bold: selected, reverse: selected)
            if selected { screen.fill(row: row, column: rect.left, width: rect.width, style: style) }
            let name = Sanitizer.line(group.group) + " (" + Sanitizer.line(group.streamed.name) + " / "
                + Sanitizer.line(group.polled.name) + ")"
            var x = screen.write(
                (selected ? glyphs.selectedMarker : " ") + " "
                    + TextLayout.fit(name, width: nameWidth, ellipsis: glyphs.ellipsis),
                row: row, column: rect.left, limit: rect.right, style: style)
            for column in columns {
                x = screen.write(" " + TextLayout.fit(column.value(group), width: column.width, right: true), row: row,
                                 column: x, limit: rect.right, style: style)
            }
        }
    }
}
