import StreamCore
import StreamEngine

/// The two header lines: streams by state (and, while the disk budget removes old files, the
/// disk's use), and the totals (wire bytes in, current in-rate, patches per minute, what
/// streaming saves over polling).
struct HeaderView {
    let snapshots: [StreamSnapshot]
    let filtered: Int?
    var disk: DiskStatus?
    /// The engine in another process, when attached to one, and the time to measure from.
    var attachment: MonitorAttachment?
    var now = Moment(nanoseconds: 0)
    /// What streaming saves against polling, over every group and lone poller (`Savings`).
    var savings: Double?
    var glyphs = Glyphs.ascii
    /// The display is frozen (`Z`).
    var frozen = false

    /// `attached to pid 4242, up 3h`, or, once the connection is lost,
    /// `attached to pid 4242: lost 12s ago, reconnecting`.
    static func attachmentText(_ attachment: MonitorAttachment, now: Moment) -> String {
        var text = "attached to " + (attachment.pid.map { "pid \($0)" } ?? attachment.target)
        if let lostAt = attachment.lostAt {
            return text + ": lost \(HumanUnits.duration(seconds: max(0, (now - lostAt).seconds))) ago, reconnecting"
        }
        if let startedAt = attachment.startedAt {
            text += ", up " + HumanUnits.duration(seconds: max(0, (now - startedAt).seconds))
        }
        return text
    }

    /// `saves 97% of the bytes`, `costs 64% more bytes` (`short`: `saves 97%`, `costs 64% more`),
    /// or a dash before a minute of both.
    static func savingsText(_ savings: Double?, dash: String = "-", short: Bool = false) -> String {
        guard let savings else { return dash }
        if savings >= 0 { return "saves \(HumanUnits.percent(savings))" + (short ? "" : " of the bytes") }
        return "costs \(HumanUnits.percent(-savings)) more" + (short ? "" : " bytes")
    }

    func draw(into screen: inout ScreenBuffer, in rect: Rect) {
        guard rect.height > 0 else { return }
        // One pass over every stream (thousands): counts by state and the totals.
        var counts: [String: Int] = [:]
        var wire: Int64 = 0
        var rate = 0.0, patches = 0.0
        for snapshot in snapshots {
            counts[snapshot.status.state.name, default: 0] += 1
            wire += snapshot.metrics.wireBytes
            rate += snapshot.metrics.wireBytesPerSecond.oneMinute
            patches += snapshot.metrics.patchesPerMinute.oneMinute
        }
        var x = screen.write("streamtop", row: rect.top, column: rect.left, limit: rect.right, style: Style(.title, bold: true))
        if frozen {
            x = screen.write(
                "  FROZEN (Z resumes)", row: rect.top, column: x, limit: rect.right, style: Style(.logWarn, bold: true))
        }
        if let attachment {
            let style = attachment.isLost ? Style(.stateFailed, bold: true) : Style(.hiFG)
            let text = "  " + HeaderView.attachmentText(attachment, now: now)
            x = screen.write(text, row: rect.top, column: x, limit: rect.right, style: style)
        }
        x = screen.write("  \(snapshots.count) stream\(snapshots.count == 1 ? "" : "s")", row: rect.top, column: x, limit: rect.right, style: Style(.headerFG))
        if let filtered { x = screen.write(" (\(filtered) shown)", row: rect.top, column: x, limit: rect.right, style: Style(.headerFG)) }
        let order: [(String, ThemeRole)] = [
            ("open", .stateOpen), ("waiting", .stateConnecting), ("connecting", .stateConnecting), ("reconnecting", .stateReconnecting), ("stalled", .stateStalled),
            ("failed", .stateFailed), ("stopped", .stateStopped), ("stopped by server", .stateStopped), ("idle", .stateConnecting),
        ]
        for (name, role) in order {
            guard let count = counts[name], count > 0 else { continue }
            x = screen.write("  \(count) \(name)", row: rect.top, column: x, limit: rect.right, style: Style(role, bold: role == .stateFailed || role == .stateStalled))
        }
        if let disk, disk.pruning {
            let text = "  disk pruning: \(HumanUnits.bytes(disk.used)) of \(HumanUnits.bytes(disk.budget))"
            x = screen.write(text, row: rect.top, column: x, limit: rect.right, style: Style(.logWarn, bold: true))
        }
        if let upload = disk?.upload, upload.waitingSegments > 0 || upload.lastError != nil {
            let failing = upload.lastError != nil
            let text = "  S3: \(upload.waitingSegments) waiting (\(HumanUnits.bytes(upload.waitingBytes)))"
                + (failing ? ", failing" : "")
            let style = Style(failing ? .logWarn : .headerFG, bold: failing)
            x = screen.write(text, row: rect.top, column: x, limit: rect.right, style: style)
        }
        guard rect.height > 1 else { return }
        // What streaming saves before the patch rate: on a narrow terminal it is what stays.
        let parts = [
            ("in ", HumanUnits.bytes(Int(wire))), ("  rate ", HumanUnits.bytes(Int(rate.rounded())) + "/s"),
            ("  streaming: ", HeaderView.savingsText(savings, dash: glyphs.dash, short: true)),
            ("  patches ", HumanUnits.count(patches) + "/min"),
        ]
        var column = rect.left
        for (label, value) in parts {
            column = screen.write(label, row: rect.top + 1, column: column, limit: rect.right, style: Style(.headerFG))
            column = screen.write(value, row: rect.top + 1, column: column, limit: rect.right, style: Style(.hiFG, bold: true))
        }
    }
}
