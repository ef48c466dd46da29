import StreamCore

extension StreamSnapshot {
    /// Rebuilds a snapshot from its STATUS (`statusText`), in the receiver's clock: `wall`
    /// places each wall-clock time on the receiver's monotonic one. An error names the field at
    /// fault. `pollSavings` is derived, not read.
    package init(statusJSON json: JSONValue, wall: WallTime) throws(StatusJSONError) {
        let fields = try StatusJSONReader(json, wall: wall)
        let modeName = try fields.string("mode")
        guard let mode = StreamSpec.Mode(rawValue: modeName) else {
            throw StatusJSONError(field: "mode", .invalid("is not a mode: \"\(modeName)\""))
        }
        let now = try fields.moment("updatedAt")
        var status = StreamStatus(
            state: try Self.state(fields), since: try fields.moment("since"),
            lastError: try fields.optionalString("lastError"), storageError: try fields.optionalString("storageError"))
        status.incidentSince = try fields.optionalMoment("incidentSince")
        self.init(
            id: try fields.string("id"), name: try fields.string("name"), url: try fields.string("url"), mode: mode,
            group: try fields.optionalString("group"), status: status,
            metrics: try Self.metrics(fields, now: now), version: try fields.int("version"))
        served = try fields.optional("served").map { (value) throws(StatusJSONError) in
            try ServedCounters(statusJSON: value, wall: wall)
        }
    }

    private static func state(_ fields: StatusJSONReader) throws(StatusJSONError) -> StreamState {
        let name = try fields.string("state")
        func attempt() throws(StatusJSONError) -> Int {
            guard let attempt = try fields.optionalInt("attempt") else {
                throw StatusJSONError(field: "attempt", .invalid("must be an integer in state \"\(name)\", not null"))
            }
            return attempt
        }
        func next() throws(StatusJSONError) -> Moment {
            guard let moment = try fields.optionalMoment("nextAttemptAt") else {
                let reason = "must be a number in state \"\(name)\", not null"
                throw StatusJSONError(field: "nextAttemptAt", .invalid(reason))
            }
            return moment
        }
        switch name {
        case "idle": return .idle
        case "waiting": return .waiting(firstPoll: try next())
        case "connecting": return .connecting(attempt: try attempt())
        case "open": return .open
        case "reconnecting": return .reconnecting(nextAttempt: try next(), attempt: try attempt())
        case "stalled": return .stalled(nextAttempt: try next(), attempt: try attempt())
        case "failed": return .failed(nextAttempt: try next(), attempt: try attempt())
        case "stopped": return .stopped
        case "stopped by server": return .stoppedByServer
        default: throw StatusJSONError(field: "state", .invalid("is not a state: \"\(name)\""))
        }
    }

    private static func metrics(_ fields: StatusJSONReader, now: Moment) throws(StatusJSONError) -> MetricsSnapshot {
        var metrics = MetricsSnapshot(nothingAt: now)
        metrics.uptime = now - (try fields.moment("startedAt"))
        metrics.uptimeShare = try fields.optionalDouble("uptimeShare")
        // Newer fields: a status.json of an earlier streamtop lacks them.
        metrics.runningSince = try fields.optionalMoment("runningSince")
        let before = try fields.optionalDouble("runningSecondsBefore") ?? 0
        guard before >= 0, before < 1e12 else {
            throw StatusJSONError(field: "runningSecondsBefore", .invalid("is out of range: \(before) seconds"))
        }
        metrics.runningBefore = .milliseconds(Int64((before * 1000).rounded()))
        metrics.recentErrors = Int64(try fields.optionalInt("errors15m") ?? 0)
        metrics.recentReconnects = Int64(try fields.optionalInt("reconnects15m") ?? 0)
        let counters: [(String, WritableKeyPath<MetricsSnapshot, Int64>)] = [
            ("wireBytes", \.wireBytes), ("payloadBytes", \.payloadBytes), ("events", \.events),
            ("snapshots", \.snapshots), ("patches", \.patches), ("patchOperations", \.patchOperations),
            ("polls", \.polls), ("notModified", \.notModified), ("pollsSkipped", \.pollsSkipped),
            ("errors", \.errors), ("reconnects", \.reconnects), ("changes", \.changes),
            ("wouldBePatchBytes", \.wouldBePatchBytes), ("pollBodyBytes", \.pollBodyBytes),
        ]
        for (key, path) in counters { metrics[keyPath: path] = try fields.int64(key) }
        let rates: [(String, WritableKeyPath<MetricsSnapshot, Rate>)] = [
            ("wireBytesPerSecond", \.wireBytesPerSecond), ("eventsPerSecond", \.eventsPerSecond),
            ("patchesPerMinute", \.patchesPerMinute),
        ]
        for (key, path) in rates {
            metrics[keyPath: path] = Rate(
                oneMinute: try fields.double(key), fifteenMinutes: try fields.double(key + "15m"))
        }
        metrics.snapshotSizes = try sizes(fields.object("snapshotSizes"))
        metrics.patchSizes = try sizes(fields.object("patchSizes"))
        metrics.pollBodySizes = try sizes(fields.object("pollBodySizes"))
        metrics.changeFrequency = try fields.optionalDouble("changeFrequency")
        metrics.changesPerHour = try fields.double("changesPerHour")
        metrics.lastEventAt = try fields.optionalMoment("lastEventAt")
        metrics.lastChangeAt = try fields.optionalMoment("lastChangeAt")
        // As `StreamMetrics` computes it: the time from the last change to the snapshot.
        metrics.timeSinceLastChange = metrics.lastChangeAt.map { now - $0 }
        return metrics
    }

    private static func sizes(_ fields: StatusJSONReader) throws(StatusJSONError) -> SizeSummary {
        SizeSummary(
            count: try fields.int64("count"), last: try fields.int("last"), mean: try fields.double("mean"),
            median: try fields.int("median"), p95: try fields.int("p95"), max: try fields.int("max"))
    }
}
