import StreamCore
import StreamEngine

/// A column of the stream table: its title, width, how it is sorted, and which columns go
/// first when the terminal is narrow (`priority`: higher stays longer).
public enum StreamColumn: String, CaseIterable, Sendable {
    case name, mode, state, errors, reconnects, wire, rate, events, patches, changes, lastChange, meanSize, savings
    case lastEvent

    public var title: String {
        switch self {
        case .name: return "NAME"
        case .mode: return "MODE"
        case .state: return "STATE"
        case .errors: return "ERR"
        case .reconnects: return "RECON"
        case .wire: return "WIRE"
        case .rate: return "IN/S"
        case .events: return "EVENTS"
        case .patches: return "PATCH/M"
        case .changes: return "CHG%"
        case .lastChange: return "LASTCHG"
        case .meanSize: return "MEAN"
        case .savings: return "SAVED"
        case .lastEvent: return "AGE"
        }
    }

    /// Columns a value takes (the name column takes what is left, at least `width`).
    public var width: Int {
        switch self {
        case .name: return 16
        case .mode: return 4
        case .state: return 17  // "connecting 23h59m"
        case .errors: return 4
        case .reconnects: return 5
        case .wire, .rate, .meanSize: return 10
        case .events: return 6
        case .patches: return 7
        case .changes: return 4
        case .lastChange: return 7
        case .savings: return 5
        case .lastEvent: return 4
        }
    }

    /// The width on a narrow terminal (`StreamTableView.compactBelow`): the mode as one letter,
    /// sizes without their widest forms, the state without the longest incident lengths.
    public var compactWidth: Int {
        switch self {
        case .mode: return 1
        case .state: return 15
        case .errors: return 3
        case .wire, .rate: return 9
        default: return width
        }
    }

    /// The title in `width` columns: `M` for the mode on a narrow terminal.
    public func title(width: Int) -> String { self == .mode && width < title.count ? "M" : title }

    /// Higher stays longer on a narrow terminal.
    public var priority: Int {
        switch self {
        case .name: return 100
        case .state: return 90
        case .errors: return 52
        case .reconnects: return 35
        case .wire: return 80
        case .rate: return 70
        case .patches: return 60
        case .changes: return 55
        case .savings: return 53
        case .lastEvent: return 45
        case .mode: return 85  // one letter on a narrow terminal
        case .events: return 30
        case .lastChange: return 25
        case .meanSize: return 20
        }
    }

    public var rightAligned: Bool { self != .name && self != .mode && self != .state }

    /// What a person is told the column means (help screen, sort picker).
    public var meaning: String {
        switch self {
        case .name: return "stream name"
        case .mode: return "sse or poll"
        case .state: return "what it does; how long its incident lasts (sorts broken first)"
        case .errors: return "errors in the last 15 minutes"
        case .reconnects: return "reconnects in the last 15 minutes"
        case .wire: return "bytes received on the wire (compressed, with headers)"
        case .rate: return "wire bytes per second over the last minute"
        case .events: return "events (or poll responses) received"
        case .patches: return "patches per minute over the last minute"
        case .changes: return "share of change windows in which the document changed"
        case .lastChange: return "time since the document last changed"
        case .meanSize: return "mean size of an event or poll body"
        case .savings: return "bytes streaming saves against polling (its group's)"
        case .lastEvent: return "time since the last event or poll response"
        }
    }
}

/// The figures of one table row at one moment, as numbers (for sorting) and as text.
public struct StreamFigures: Sendable {
    public let snapshot: StreamSnapshot
    /// Savings of streaming against polling: a poller's own, or its group's for a streamed one.
    public let savings: Double?
    public let now: Moment

    public init(snapshot: StreamSnapshot, savings: Double?, now: Moment) {
        self.snapshot = snapshot
        self.savings = savings
        self.now = now
    }

    /// Read in place: a copy of the metrics is a few hundred bytes, and the table asks for
    /// them a dozen times per row.
    var metrics: MetricsSnapshot {
        _read { yield snapshot.metrics }
    }

    func age(_ moment: Moment?) -> Double? {
        moment.map { max(0, (now - $0).seconds) }
    }

    var meanSize: Double { metrics.events == 0 ? 0 : Double(metrics.payloadBytes) / Double(metrics.events) }

    /// A number to sort by (nil sorts last).
    public func sortValue(_ column: StreamColumn) -> Double? {
        switch column {
        case .name, .mode: return nil
        case .state: return health
        case .errors: return Double(metrics.recentErrors)
        case .reconnects: return Double(metrics.recentReconnects)
        case .wire: return Double(metrics.wireBytes)
        case .rate: return metrics.wireBytesPerSecond.oneMinute
        case .events: return Double(metrics.events)
        case .patches: return metrics.patchesPerMinute.oneMinute
        case .changes: return metrics.changeFrequency
        case .lastChange: return age(metrics.lastChangeAt)
        case .meanSize: return meanSize
        case .savings: return savings
        case .lastEvent: return age(metrics.lastEventAt)
        }
    }

    /// The cell text (sanitized: names come from the registry, which a person typed, but
    /// still pass the sanitizer).
    public func text(_ column: StreamColumn) -> String {
        switch column {
        case .name: return Sanitizer.line(snapshot.name)
        case .mode: return snapshot.mode.rawValue
        case .state: return StreamFigures.stateText(snapshot.status, now: now)
        case .errors: return HumanUnits.count(Double(metrics.recentErrors))
        case .reconnects: return HumanUnits.count(Double(metrics.recentReconnects))
        case .wire: return HumanUnits.bytes(Int(metrics.wireBytes))
        case .rate: return HumanUnits.bytes(Int(metrics.wireBytesPerSecond.oneMinute.rounded())) + "/s"
        case .events: return HumanUnits.count(Double(metrics.events))
        case .patches: return snapshot.mode == .poll ? "-" : HumanUnits.count(metrics.patchesPerMinute.oneMinute)
        case .changes: return HumanUnits.percent(metrics.changeFrequency)
        case .lastChange: return age(metrics.lastChangeAt).map { HumanUnits.duration(seconds: $0) } ?? "-"
        case .meanSize: return metrics.events == 0 ? "-" : HumanUnits.bytes(Int(meanSize.rounded()))
        case .savings: return HumanUnits.shortPercent(savings)
        case .lastEvent: return age(metrics.lastEventAt).map { HumanUnits.duration(seconds: $0) } ?? "-"
        }
    }

    /// `, attempt 3 in 3s` for a state waiting to reconnect, `, first poll in 12s` for a poller
    /// waiting for its first; empty otherwise.
    static func nextAttempt(_ state: StreamState, now: Moment) -> String {
        switch state {
        case .waiting(let first):
            return ", first poll in " + HumanUnits.duration(seconds: max(0, (first - now).seconds).rounded(.up))
        case .reconnecting(let next, let attempt), .stalled(let next, let attempt), .failed(let next, let attempt):
            return ", attempt \(attempt + 1) in " + HumanUnits.duration(seconds: max(0, (next - now).seconds).rounded(.up))
        default:
            return ""
        }
    }

    /// `open`; `failed 1m47s`, `stalled 3m05s`, `reconnect 12s`: how long the incident has
    /// lasted (its first error to now), while one is under way; `flapping 4m12s` for a stream in
    /// an incident that connects or opens between failures (it is not "open for 4m"). When the
    /// next attempt comes is in the detail view (`nextAttempt`).
    static func stateText(_ status: StreamStatus, now: Moment) -> String {
        var name: String
        switch status.state {
        case .stoppedByServer: name = "server-stop"
        case .reconnecting: name = "reconnect"
        default: name = status.state.name
        }
        guard status.state.isRunning, let since = status.incidentSince else { return name }
        switch status.state {
        case .failed, .stalled, .reconnecting: break
        default: name = "flapping"
        }
        return name + " " + HumanUnits.span(seconds: max(0, (now - since).seconds))
    }

    /// The health sort, largest first: streams in an incident, the longest first; then the
    /// others by how far they are from open (a stopped stream last).
    var health: Double {
        let status = snapshot.status
        if status.state.isRunning, let since = status.incidentSince {
            return 1e12 + max(0, (now - since).seconds)
        }
        return -Double(MonitorController.stateRank(status.state))
    }
}

extension StreamStatus {
    /// The colour of this status: a stream in an incident stays in the failed colour (stalled
    /// in its own) while it connects and opens between failures, instead of flipping to the
    /// connecting and open colours.
    public var role: ThemeRole {
        guard isBroken, state.isRunning else { return state.role }
        if case .stalled = state { return .stateStalled }
        return .stateFailed
    }
}

extension StreamState {
    /// The theme role that colours this state.
    public var role: ThemeRole {
        switch self {
        case .open: return .stateOpen
        case .idle, .waiting, .connecting: return .stateConnecting
        case .reconnecting: return .stateReconnecting
        case .stalled: return .stateStalled
        case .failed: return .stateFailed
        case .stopped, .stoppedByServer: return .stateStopped
        }
    }
}
