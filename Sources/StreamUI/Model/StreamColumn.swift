import StreamCore
import StreamEngine

/// A column of the stream table: its title, width, how it is sorted, and which columns go
/// first when the terminal is narrow (`priority`: higher stays longer).
public enum StreamColumn: String, CaseIterable, Sendable {
    case name, mode, state, wire, rate, events, patches, changes, lastChange, meanSize, savings, lastEvent

    public var title: String {
        switch self {
        case .name: return "NAME"
        case .mode: return "MODE"
        case .state: return "STATE"
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
        case .name: return 12
        case .mode: return 4
        case .state: return 15  // "reconnect (30s)"
        case .wire, .rate, .meanSize: return 10
        case .events: return 6
        case .patches: return 7
        case .changes: return 4
        case .lastChange: return 7
        case .savings: return 5
        case .lastEvent: return 4
        }
    }

    /// Higher stays longer on a narrow terminal.
    public var priority: Int {
        switch self {
        case .name: return 100
        case .state: return 90
        case .wire: return 80
        case .rate: return 70
        case .patches: return 60
        case .changes: return 55
        case .savings: return 50
        case .lastEvent: return 45
        case .mode: return 40
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
        case .state: return "what the stream is doing"
        case .wire: return "bytes received on the wire (compressed, with headers)"
        case .rate: return "wire bytes per second over the last minute"
        case .events: return "events (or poll responses) received"
        case .patches: return "patches per minute over the last minute"
        case .changes: return "share of change windows in which the document changed"
        case .lastChange: return "time since the document last changed"
        case .meanSize: return "mean size of an event or poll body"
        case .savings: return "bytes streaming saves against polling"
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
        case .name, .mode, .state: return nil
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

    /// `, next attempt in 3s` for a state waiting to reconnect; empty otherwise.
    static func nextAttempt(_ state: StreamState, now: Moment) -> String {
        switch state {
        case .reconnecting(let next, let attempt), .stalled(let next, let attempt), .failed(let next, let attempt):
            return ", attempt \(attempt + 1) in " + HumanUnits.duration(seconds: max(0, (next - now).seconds).rounded(.up))
        default:
            return ""
        }
    }

    /// `open`, `reconnect (3s)`: the wait before the next attempt in brackets; `failed for 2m`,
    /// `stalled for 40s`: how long the incident has lasted (the next attempt is in the detail view).
    static func stateText(_ status: StreamStatus, now: Moment) -> String {
        func wait(_ next: Moment) -> String { "(" + HumanUnits.duration(seconds: max(0, (next - now).seconds).rounded(.up)) + ")" }
        func lasting(_ next: Moment) -> String {
            guard let since = status.incidentSince else { return wait(next) }
            return "for " + HumanUnits.duration(seconds: max(0, (now - since).seconds))
        }
        switch status.state {
        case .reconnecting(let next, _): return "reconnect " + wait(next)
        case .waiting(let first): return "waiting " + wait(first)
        case .stalled(let next, _): return "stalled " + lasting(next)
        case .failed(let next, _): return "failed " + lasting(next)
        case .stoppedByServer: return "server-stop"
        default: return status.state.name
        }
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
