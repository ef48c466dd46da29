/// What a stream is doing, for the status column, `status.json` and alerts.
public enum StreamState: Sendable, Equatable {
    /// Registered, never started.
    case idle
    /// A poller waiting for its first poll (first polls are spread over the interval).
    case waiting(firstPoll: Moment)
    /// A request is on its way; no response headers yet.
    case connecting(attempt: Int)
    /// Receiving (SSE) or polling on schedule.
    case open
    /// Waiting to reconnect after a clean close.
    case reconnecting(nextAttempt: Moment, attempt: Int)
    /// No byte arrived for the stall timeout; the connection was dropped and will be retried.
    case stalled(nextAttempt: Moment, attempt: Int)
    /// The last attempt failed; it will be retried.
    case failed(nextAttempt: Moment, attempt: Int)
    /// Stopped by a person.
    case stopped
    /// The server said to stop (HTTP 204 on an SSE stream): not retried.
    case stoppedByServer

    /// The short name shown in tables and written to `status.json`.
    public var name: String {
        switch self {
        case .idle: return "idle"
        case .waiting: return "waiting"
        case .connecting: return "connecting"
        case .open: return "open"
        case .reconnecting: return "reconnecting"
        case .stalled: return "stalled"
        case .failed: return "failed"
        case .stopped: return "stopped"
        case .stoppedByServer: return "stopped by server"
        }
    }


    /// Whether the engine is working on the stream (it runs, or will retry by itself).
    public var isRunning: Bool {
        switch self {
        case .idle, .stopped, .stoppedByServer: return false
        default: return true
        }
    }
}

/// A state with when it began and the last error seen, as published.
public struct StreamStatus: Sendable, Equatable {
    public var state: StreamState
    /// When the current state began.
    public var since: Moment
    /// When the current incident began: the first error since the stream was last healthy
    /// (nil while it is healthy). Whatever the state: a stream whose attempts keep failing
    /// is broken while it is connecting or open between them.
    public var incidentSince: Moment?
    /// The last error, already sanitized and redacted for display.
    public var lastError: String?
    /// Why the stream's log or archive cannot be written now (sanitized); nil while they are.
    public var storageError: String?

    public init(state: StreamState, since: Moment, lastError: String? = nil, storageError: String? = nil) {
        self.state = state
        self.since = since
        self.lastError = lastError
        self.storageError = storageError
    }

    /// Whether the stream is in an incident (errors keep coming).
    public var isBroken: Bool { incidentSince != nil }
}
