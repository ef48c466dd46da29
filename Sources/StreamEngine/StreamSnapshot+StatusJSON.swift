import StreamCore

/// STATUS: one stream as status.json holds it and the control API serves it, with everything
/// the monitor shows, so that a monitor in another process can rebuild the `StreamSnapshot`
/// (`init(statusJSON:now:)`).
///
/// Moments are not absolute on the wire (each process has its own monotonic clock): each is
/// written as seconds before or after the snapshot's `metrics.at`, and read back relative to
/// the receiver's `now`. Ages are positive (`sinceSeconds`, `incidentSeconds`,
/// `lastEventSeconds`, `lastChangeSeconds`: seconds ago); `nextAttemptSeconds` is from now
/// (a waiting poller's first poll, or a retry; negative when overdue). Keys keep their meaning
/// across versions: `streamtop status` and scripts read them.
extension StreamSnapshot {
    package var statusJSON: JSONValue {
        let metrics = self.metrics
        let at = metrics.at
        func ago(_ moment: Moment) -> JSONValue { Self.number((at - moment).seconds) }
        var object: JSONObject = [
            "id": .string(id), "name": .string(name), "url": .string(url), "mode": .string(mode.rawValue),
            "group": group.map { .string($0) } ?? .null, "version": .number(JSONNumber(version)),
            "state": .string(status.state.name), "sinceSeconds": ago(status.since),
            "attempt": status.state.attempt.map { .number(JSONNumber($0)) } ?? .null,
            "nextAttemptSeconds": status.state.nextAttempt.map { Self.number(($0 - at).seconds) } ?? .null,
            // How long the current incident has lasted (null while healthy): the first error
            // since the stream was last healthy, whatever its state now.
            "incidentSeconds": status.incidentSince.map(ago) ?? .null,
            "lastError": status.lastError.map { .string($0) } ?? .null,
            "storageError": status.storageError.map { .string($0) } ?? .null,
            "uptimeSeconds": Self.number(metrics.uptime.seconds),
            "uptimeShare": metrics.uptimeShare.map(Self.number) ?? .null,
            "lastEventSeconds": metrics.lastEventAt.map(ago) ?? .null,
            "lastChangeSeconds": metrics.lastChangeAt.map(ago) ?? .null,
        ]
        let counters: [(String, Int64)] = [
            ("wireBytes", metrics.wireBytes), ("payloadBytes", metrics.payloadBytes), ("events", metrics.events),
            ("snapshots", metrics.snapshots), ("patches", metrics.patches),
            ("patchOperations", metrics.patchOperations), ("polls", metrics.polls),
            ("notModified", metrics.notModified), ("pollsSkipped", metrics.pollsSkipped),
            ("errors", metrics.errors), ("reconnects", metrics.reconnects), ("changes", metrics.changes),
            ("wouldBePatchBytes", metrics.wouldBePatchBytes), ("pollBodyBytes", metrics.pollBodyBytes),
        ]
        for (key, value) in counters { object[key] = .number(JSONNumber(Int(value))) }
        // The one-minute rates keep their first names; the fifteen-minute ones say so.
        let rates: [(String, Rate)] = [
            ("wireBytesPerSecond", metrics.wireBytesPerSecond), ("eventsPerSecond", metrics.eventsPerSecond),
            ("patchesPerMinute", metrics.patchesPerMinute),
        ]
        for (key, rate) in rates {
            object[key] = Self.number(rate.oneMinute)
            object[key + "15m"] = Self.number(rate.fifteenMinutes)
        }
        object["snapshotSizes"] = Self.json(metrics.snapshotSizes)
        object["patchSizes"] = Self.json(metrics.patchSizes)
        object["pollBodySizes"] = Self.json(metrics.pollBodySizes)
        object["changeFrequency"] = metrics.changeFrequency.map(Self.number) ?? .null
        object["changesPerHour"] = Self.number(metrics.changesPerHour)
        // Derived from the two byte counts above (read back from them); for scripts.
        object["pollSavings"] = metrics.pollSavings.map(Self.number) ?? .null
        return .object(object)
    }

    /// `{"count", "last", "mean", "median", "p95", "max"}`.
    static func json(_ sizes: SizeSummary) -> JSONValue {
        [
            "count": .number(JSONNumber(Int(sizes.count))), "last": .number(JSONNumber(sizes.last)),
            "mean": number(sizes.mean), "median": .number(JSONNumber(sizes.median)),
            "p95": .number(JSONNumber(sizes.p95)), "max": .number(JSONNumber(sizes.max)),
        ]
    }

    /// A finite double as JSON (the shortest text that reads back exactly); 0 for NaN or ±∞,
    /// which JSON cannot hold.
    static func number(_ value: Double) -> JSONValue {
        .number(JSONNumber(value) ?? JSONNumber(0))
    }
}

extension StreamState {
    /// The attempt number of a state that has one (connecting, and the retrying states).
    package var attempt: Int? {
        switch self {
        case .connecting(let attempt), .reconnecting(_, let attempt), .stalled(_, let attempt),
             .failed(_, let attempt):
            return attempt
        default: return nil
        }
    }

    /// When the stream is due to try next: a retry, or a waiting poller's first poll.
    package var nextAttempt: Moment? {
        switch self {
        case .waiting(let firstPoll): return firstPoll
        case .reconnecting(let next, _), .stalled(let next, _), .failed(let next, _): return next
        default: return nil
        }
    }
}
