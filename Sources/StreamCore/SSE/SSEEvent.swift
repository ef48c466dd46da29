/// One dispatched Server-Sent Event.
public struct SSEEvent: Sendable, Equatable {
    /// The event type: the last `event` field's value, or `message` when there was none.
    public var type: String
    /// The data lines joined with LF (without the final LF). Invalid UTF-8 became U+FFFD.
    public var data: String
    /// The stream's last event ID at dispatch time (`""` when none was ever set or it was cleared).
    public var lastEventID: String

    public init(type: String = "message", data: String, lastEventID: String = "") {
        self.type = type
        self.data = data
        self.lastEventID = lastEventID
    }
}

/// What the parser reports besides events.
public enum SSEItem: Sendable, Equatable {
    case event(SSEEvent)
    /// A valid `retry` field: the reconnection time in milliseconds.
    case retry(Int)
    /// An event whose data exceeded the size limit; it was dropped and its memory released.
    case eventTooLarge(type: String, lastEventID: String, limit: Int)
}
