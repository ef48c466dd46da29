import StreamCore

/// What a served stream has done for its clients since the process started: the savings the
/// proxy delivers, measured.
package struct ServedCounters: Sendable, Equatable {
    /// Clients connected now.
    package var clients = 0
    /// Clients that connected (resumed ones included).
    package var connections: Int64 = 0
    /// Clients dropped because they could not take an event: gone, or too slow to keep up.
    package var dropped: Int64 = 0
    /// Bytes sent to clients (events, heartbeats, `retry:`).
    package var sentBytes: Int64 = 0
    /// What the same clients would have fetched by polling at the stream's interval: the
    /// document when each connected, then every poll's body for each client connected then.
    package var pollBytes: Int64 = 0
    /// Polls since the process started (with or without a body).
    package var polls: Int64 = 0
    /// The last event's id.
    package var version = 0

    package init() {}

    /// `clients` as a counter's type, for tables of figures.
    package var clientCount: Int64 { Int64(clients) }

    /// Streamed (sent) against polled (`pollBytes`): `Savings`' one definition; nil until a
    /// client would have polled something.
    package var savings: Double? {
        Savings.Pair(streamed: Double(sentBytes), polled: Double(pollBytes)).savings
    }
}

extension ServedCounters {
    /// STATUS's `served` object (see `StatusText.Writer.served`); `savings` is derived, not read.
    package init(statusJSON value: JSONValue, wall: WallTime) throws(StatusJSONError) {
        let fields = try StatusJSONReader(value, path: "served", wall: wall)
        self.init()
        clients = try fields.int("clients")
        connections = try fields.int64("connections")
        dropped = try fields.int64("dropped")
        sentBytes = try fields.int64("sentBytes")
        pollBytes = try fields.int64("pollBytes")
        polls = try fields.int64("polls")
        version = try fields.int("version")
    }
}
