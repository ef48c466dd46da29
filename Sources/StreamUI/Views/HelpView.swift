import StreamCore

/// The help screen: every key (from the key map), what each colour means, what each column
/// means, and what savings are. Longer than a small terminal: it scrolls (↑ ↓ PgUp PgDn Home
/// End), and any other key closes it.
struct HelpView {
    let glyphs: Glyphs
    /// The first line shown.
    var top = 0

    /// One line of help: a label (keys, a colour's sample, a column's title) and its text.
    struct Line: Equatable {
        var label: String
        var text: String
        var labelRole: ThemeRole = .hiFG
        var heading = false
    }

    static let labelWidth = 13

    /// Every line, wrapped to a box `width` columns wide inside.
    static func lines(glyphs: Glyphs, width: Int) -> [Line] {
        let room = max(10, width - labelWidth)
        return entries(glyphs: glyphs).flatMap { entry -> [Line] in
            if entry.heading { return [entry] }
            return TextLayout.wrap(entry.text, width: room).enumerated().map { index, text in
                Line(label: index == 0 ? entry.label : "", text: text, labelRole: entry.labelRole)
            }
        }
    }

    /// Every entry, unwrapped.
    private static func entries(glyphs: Glyphs) -> [Line] {
        var lines: [Line] = []
        // Keys by screen: those of every screen once, then each screen's own.
        let screens: [(KeyContext?, String)] = [
            (nil, "Keys on every screen"), (.table, "Keys in the table"), (.groups, "Keys in the group view (g)"),
            (.detail, "Keys in the detail view (Enter)"), (.log, "Keys in the log pane (l)"),
        ]
        let all: Set<KeyContext> = [.table, .groups, .detail, .log]
        for (context, heading) in screens {
            lines.append(Line(label: "", text: heading, heading: true))
            var seen = Set<String>()
            for binding in KeyMap.bindings {
                let everywhere = binding.contexts.isSuperset(of: all)
                let shown = context.map { !everywhere && binding.contexts.contains($0) } ?? everywhere
                guard shown else { continue }
                let keys = binding.keys.map { $0.label(glyphs) }.joined(separator: " ")
                guard seen.insert(keys + binding.help).inserted else { continue }
                lines.append(Line(label: keys, text: binding.help))
            }
            if context == .table {
                lines.append(Line(
                    label: "mouse", text: "a click selects a row; a click on a column's title sorts by it (again: "
                        + "reversed); the wheel scrolls. --no-mouse or \"mouse\": false in ui.json leave it to the "
                        + "terminal"))
            }
            lines.append(Line(label: "", text: ""))
        }
        lines.append(Line(label: "", text: "Colours of the STATE column", heading: true))
        lines.append(Line(label: "", text: "t cycles themes; NO_COLOR=1 for none."))
        let legend: [(String, ThemeRole, String)] = [
            ("open", .stateOpen, "receiving, or polling on schedule"),
            ("connecting", .stateConnecting,
             "connecting; waiting: a poller before its first poll; idle: never started"),
            ("reconnect", .stateReconnecting, "the server closed the stream; it reconnects"),
            ("stalled", .stateStalled, "nothing arrived for the stall timeout; it reconnects"),
            ("failed", .stateFailed, "an incident: errors keep coming. The row stays in this colour while it "
                + "reconnects and opens between errors (flapping), until a minute passes without one; the time is "
                + "how long the incident has lasted"),
            ("stopped", .stateStopped, "stopped by you, or by the server (server-stop)"),
            ("dimmed", .inactiveFG, "not running; every row, while the engine attached to is out of reach"),
        ]
        for (label, role, text) in legend { lines.append(Line(label: label, text: text, labelRole: role)) }
        lines.append(Line(label: "", text: ""))
        lines.append(Line(label: "", text: "Columns", heading: true))
        lines.append(Line(label: "", text: "s sorts by one; a narrow terminal drops the least needed first."))
        for column in StreamColumn.allCases { lines.append(Line(label: column.title, text: column.meaning)) }
        lines.append(Line(label: "", text: ""))
        lines.append(Line(label: "", text: "Savings", heading: true))
        lines.append(Line(
            label: "", text: "1 - streamed bytes / polled bytes, over the same running time (stopped time "
                + "excluded): a group's stream against its poller; for a lone poller, what a streaming proxy "
                + "would have sent (the first body, then patches) against the bodies it polled. "
                + "Nothing is said (\(glyphs.dash)) until both have run a minute. g shows the groups side by side."))
        lines.append(Line(label: "", text: ""))
        lines.append(Line(label: "", text: "The group view's columns", heading: true))
        for (title, text) in [
            ("STREAM/h", "wire bytes an hour the stream took (per hour of its running time)"),
            ("POLL/h", "wire bytes an hour the poller took"),
            ("CHG/h S", "changes of the document the stream saw an hour"),
            ("CHG/h P", "changes the poller's responses showed an hour"),
            ("MISSED/h", "changes the poller missed an hour (several between two polls look like one)"),
            ("SAVED", "what streaming saves against polling, as above"),
        ] {
            lines.append(Line(label: title, text: text))
        }
        return lines
    }

    /// The box's inside on `screen`, and the lines it shows at once.
    static func frame(columns: Int, rows: Int, lineCount: Int) -> (width: Int, page: Int) {
        let width = min(84, columns - 2) - 4
        return (width, max(1, min(lineCount, rows - 2 - 3)))
    }

    func draw(into screen: inout ScreenBuffer) -> (lineCount: Int, page: Int) {
        let width = HelpView.frame(columns: screen.columns, rows: screen.rows, lineCount: 0).width
        let all = HelpView.lines(glyphs: glyphs, width: width)
        let title = "Help: \(glyphs.ascending)\(glyphs.descending) PgUp PgDn Home End scroll; other keys close"
        let inside = drawBox(
            into: &screen, width: 84, height: all.count + 3,
            title: TextLayout.truncate(title, to: width - 2, ellipsis: glyphs.ellipsis), glyphs: glyphs)
        let page = max(1, inside.height - 1)
        let first = max(0, min(top, all.count - page))
        for (offset, line) in all.dropFirst(first).prefix(page).enumerated() {
            let row = inside.top + offset
            let x = screen.write(
                TextLayout.fit(line.label, width: HelpView.labelWidth), row: row, column: inside.left,
                limit: inside.right, style: Style(line.labelRole, bold: true))
            let style = line.heading ? Style(.title, bold: true) : Style(.mainFG)
            screen.write(line.text, row: row, column: line.heading ? inside.left : x, limit: inside.right, style: style)
        }
        // Where the page is: "lines 1-18 of 52".
        let last = min(all.count, first + page)
        let place = "lines \(first + 1)-\(last) of \(all.count)"
        screen.write(place, row: inside.bottom - 1, column: max(inside.left, inside.right - place.count),
                     limit: inside.right, style: Style(.inactiveFG))
        return (all.count, page)
    }
}
