import StreamCore
import StreamEngine

/// Everything about one stream (Enter): state and since when, the last error, reconnects,
/// sizes, rates, change figures, sparklines of the last two hours, and the current document,
/// pretty-printed and folded. Scrolls as one list of lines. What is not in the snapshot was
/// fetched in the background: until it arrives, the view says it is loading.
struct DetailView {
    let figures: StreamFigures
    let history: Fetched<StreamHistory?>
    /// The document's lines, folded (nil: none yet).
    let document: Fetched<[String]?>
    /// The last events or polls from the stream's log (the last patches, with their sizes).
    let recentEvents: Fetched<[String]>
    let scroll: Int
    let glyphs: Glyphs

    /// The lines of the view, each with its style.
    func lines(width: Int) -> [(String, Style)] {
        let snapshot = figures.snapshot
        let metrics = snapshot.metrics
        let now = figures.now
        var lines: [(String, Style)] = []
        func add(_ text: String, _ style: Style = Style(.mainFG)) { lines.append((text, style)) }
        func field(_ label: String, _ value: String) { add(TextLayout.fit(label, width: 16) + value) }
        add("\(Sanitizer.line(snapshot.name))  (\(snapshot.id), \(snapshot.mode.rawValue))", Style(.title, bold: true))
        field("URL", Sanitizer.line(snapshot.url))
        add(TextLayout.fit("State", width: 16) + snapshot.status.state.name
            + " for " + HumanUnits.duration(seconds: max(0, (now - snapshot.status.since).seconds))
            + StreamFigures.nextAttempt(snapshot.status.state, now: now)
            + (snapshot.status.incidentSince
                .map { "   broken for " + HumanUnits.duration(seconds: max(0, (now - $0).seconds)) } ?? ""),
            Style(snapshot.status.isBroken ? .stateFailed : snapshot.status.state.role, bold: true))
        field("Last error", snapshot.status.lastError.map { Sanitizer.line($0) } ?? "-")
        if let storageError = snapshot.status.storageError {
            add(TextLayout.fit("Not stored", width: 16) + Sanitizer.line(storageError), Style(.logError, bold: true))
        }
        field("Uptime", "\(HumanUnits.percent(metrics.uptimeShare)) of the time it ran was open   (registered \(HumanUnits.duration(seconds: metrics.uptime.seconds)) ago)")
        field("Reconnects", "\(metrics.recentReconnects) in 15 min (\(metrics.reconnects) in all)   errors "
              + "\(metrics.recentErrors) in 15 min (\(metrics.errors) in all)")
        field("Wire / payload", "\(HumanUnits.bytes(Int(metrics.wireBytes))) / \(HumanUnits.bytes(Int(metrics.payloadBytes)))")
        field("In-rate", "\(HumanUnits.bytes(Int(metrics.wireBytesPerSecond.oneMinute.rounded())))/s (1 min)   \(HumanUnits.bytes(Int(metrics.wireBytesPerSecond.fifteenMinutes.rounded())))/s (15 min)")
        let skipped = metrics.pollsSkipped > 0 ? ", skipped while one was in flight: \(metrics.pollsSkipped)" : ""
        field("Events", "\(metrics.events)   snapshots \(metrics.snapshots)   patches \(metrics.patches) "
              + "(\(metrics.patchOperations) ops)   polls \(metrics.polls) (304: \(metrics.notModified)\(skipped))")
        field("Patches/min", "\(HumanUnits.count(metrics.patchesPerMinute.oneMinute)) (1 min)   \(HumanUnits.count(metrics.patchesPerMinute.fifteenMinutes)) (15 min)")
        for (label, sizes) in [("Snapshot sizes", metrics.snapshotSizes), ("Patch sizes", metrics.patchSizes), ("Poll body sizes", metrics.pollBodySizes)] where sizes.count > 0 {
            field(label, "last \(HumanUnits.bytes(sizes.last))  mean \(HumanUnits.bytes(Int(sizes.mean.rounded())))  p95 \(HumanUnits.bytes(sizes.p95))  max \(HumanUnits.bytes(sizes.max))")
        }
        field("Changes", "\(HumanUnits.percent(metrics.changeFrequency)) of windows   \(HumanUnits.count(metrics.changesPerHour))/h   last \(figures.text(.lastChange)) ago")
        field("Savings", DetailView.savingsText(figures))
        if let served = snapshot.served { field("Served", DetailView.servedText(served)) }
        switch history {
        case .loading:
            add("")
            add(TextLayout.fit("Bytes/min", width: 16) + glyphs.loading, Style(.inactiveFG))
        case .arrived(let history?):
            let graphWidth = max(10, min(120, width - 16))
            add("")
            add(TextLayout.fit("Bytes/min", width: 16) + Sparkline.render(history.minutes.map { Double($0.wireBytes) }, width: graphWidth, glyphs: glyphs), Style(.graph))
            add(TextLayout.fit("Changes/min", width: 16) + Sparkline.render(history.minutes.map { Double($0.changes) }, width: graphWidth, glyphs: glyphs), Style(.graph))
        case .arrived(nil):
            break
        }
        switch recentEvents {
        case .loading:
            add("")
            add("Last events", Style(.title, bold: true))
            add("  " + glyphs.loading, Style(.inactiveFG))
        case .arrived(let events) where !events.isEmpty:
            add("")
            add("Last events", Style(.title, bold: true))
            for line in events { add("  " + line, Style(.mainFG)) }
        case .arrived:
            break
        }
        add("")
        add("Document", Style(.title, bold: true))
        switch document {
        case .loading: add("  " + glyphs.loading, Style(.inactiveFG))
        case .arrived(let document?): for line in document { add("  " + line) }
        case .arrived(nil): add("  (none yet)", Style(.inactiveFG))
        }
        return lines
    }

    /// What streaming saves against polling for this stream, said as the header and `status`
    /// say it (`Savings`): its group's, or a lone poller's own.
    static func savingsText(_ figures: StreamFigures) -> String {
        let snapshot = figures.snapshot
        let whose = snapshot.group.map { "group \(Sanitizer.line($0)): " } ?? ""
        if let savings = figures.savings {
            return whose + HeaderView.savingsText(savings) + " (streamed against polled, same running time)"
        }
        if snapshot.group == nil, snapshot.mode == .sse {
            return "- (no poller of the same API: register one in its group)"
        }
        return whose + "not measured yet (after a minute of running)"
    }

    /// A served stream's clients and what they were spared (`ServedCounters`).
    static func servedText(_ served: ServedCounters) -> String {
        "\(served.clients) client\(served.clients == 1 ? "" : "s") now (\(served.connections) in all, "
            + "\(served.dropped) dropped)   sent \(HumanUnits.bytes(Int(served.sentBytes)))   polling would fetch "
            + "\(HumanUnits.bytes(Int(served.pollBytes)))   saves \(HumanUnits.percent(served.savings))"
    }

    func draw(into screen: inout ScreenBuffer, in rect: Rect) {
        let all = lines(width: rect.width)
        let top = max(0, min(scroll, all.count - rect.height))
        for (offset, line) in all.dropFirst(top).prefix(rect.height).enumerated() {
            // A line cut at the edge ends with an ellipsis: the reader knows there is more.
            let text = TextLayout.truncate(line.0, to: rect.width, ellipsis: glyphs.ellipsis)
            screen.write(text, row: rect.top + offset, column: rect.left, limit: rect.right, style: line.1)
        }
    }

    /// The largest useful scroll offset for a view `height` lines high.
    func maxScroll(width: Int, height: Int) -> Int { max(0, lines(width: width).count - height) }
}
