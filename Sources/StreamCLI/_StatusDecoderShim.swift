import StreamCore
import StreamEngine

// Temporary: stands in for the STATUS decoder another helper adds to StreamEngine with this
// signature; deleted when that lands.
struct StatusDecoderShimError: Error {}

extension StreamSnapshot {
    init(statusJSON json: JSONValue, now: Moment) throws {
        guard let id = json["id"]?.stringValue, let name = json["name"]?.stringValue,
              let url = json["url"]?.stringValue, let stateName = json["state"]?.stringValue else {
            throw StatusDecoderShimError()
        }
        func number(_ key: String) -> Double? {
            if case .number(let value)? = json[key] { return value.doubleValue }
            return nil
        }
        func count(_ key: String) -> Int64 { Int64(number(key) ?? 0) }
        let state: StreamState
        switch stateName {
        case "open": state = .open
        case "waiting": state = .waiting(firstPoll: now)
        case "connecting": state = .connecting(attempt: 1)
        case "reconnecting": state = .reconnecting(nextAttempt: now, attempt: 1)
        case "stalled": state = .stalled(nextAttempt: now, attempt: 1)
        case "failed": state = .failed(nextAttempt: now, attempt: 1)
        case "stopped": state = .stopped
        case "stopped by server": state = .stoppedByServer
        default: state = .idle
        }
        var status = StreamStatus(
            state: state, since: now - .milliseconds(Int64((number("sinceSeconds") ?? 0) * 1000)),
            lastError: json["lastError"]?.stringValue, storageError: json["storageError"]?.stringValue)
        status.incidentSince = number("incidentSeconds").map { now - .milliseconds(Int64($0 * 1000)) }
        var metrics = StreamMetrics(start: now).snapshot(at: now)
        metrics.wireBytes = count("wireBytes")
        metrics.payloadBytes = count("payloadBytes")
        metrics.events = count("events")
        metrics.patches = count("patches")
        metrics.polls = count("polls")
        metrics.errors = count("errors")
        metrics.reconnects = count("reconnects")
        self.init(
            id: id, name: name, url: url, mode: StreamSpec.Mode(rawValue: json["mode"]?.stringValue ?? "") ?? .sse,
            group: json["group"]?.stringValue, status: status, metrics: metrics,
            version: Int(number("version") ?? 0))
    }
}
