import StreamCore

/// STATUS: one stream as status.json holds it and the control API serves it, with everything
/// the monitor shows, so that a monitor in another process can rebuild the `StreamSnapshot`
/// (`init(statusJSON:wall:)`).
///
/// Times are wall-clock seconds since the epoch, to the millisecond (each process has its own
/// monotonic clock, and a time stays the same while nothing happens, so an idle stream's STATUS
/// does not change): `updatedAt` (when its numbers were taken), `since` (its state's start),
/// `nextAttemptAt` (a waiting poller's first poll, or a retry), `incidentSince` (the first
/// error since it was last healthy, whatever its state now), `startedAt` (when its metrics
/// began), `runningSince` (when its current run began; null when stopped), `lastEventAt`,
/// `lastChangeAt`. Measured numbers (rates, means, shares) have four
/// significant digits (`StatusText.measured`); counters and sizes are whole. Keys keep their
/// meaning across versions: `streamtop status` and scripts read them.
extension StreamSnapshot {
    /// STATUS as text, in `wall`'s time; with `measured`, those numbers instead of this
    /// snapshot's own (see `StatusCache.measuredBeat`).
    package func statusText(wall: WallTime, measured: StatusText.Measured? = nil) -> StatusText {
        var writer = StatusText.Writer()
        writeStatus(into: &writer, wall: wall, measured: measured)
        return writer.finish()
    }

    /// STATUS as a value (the text parsed: one writer for both).
    package func statusJSON(wall: WallTime) -> JSONValue {
        (try? JSONParser.parse(statusText(wall: wall).bytes)) ?? .null
    }

    func writeStatus(into writer: inout StatusText.Writer, wall: WallTime, measured: StatusText.Measured? = nil) {
        let metrics = self.metrics
        let numbers = measured ?? StatusText.Measured(metrics)
        func time(_ moment: Moment?) -> Double? { moment.map(wall.seconds) }
        writer.string("id", id)
        writer.string("name", name)
        writer.string("url", url)
        writer.string("mode", mode.rawValue)
        writer.string("group", group)
        writer.integer("version", version)
        writer.double("updatedAt", time(metrics.at))
        writer.string("state", status.state.name)
        writer.double("since", time(status.since))
        writer.integer("attempt", status.state.attempt)
        writer.double("nextAttemptAt", time(status.state.nextAttempt))
        writer.double("incidentSince", time(status.incidentSince))
        writer.string("lastError", status.lastError)
        writer.string("storageError", status.storageError)
        writer.double("startedAt", time(metrics.at - metrics.uptime))
        writer.double("uptimeShare", numbers.uptimeShare)
        // Running time (started, not stopped) as a time and a sum, so that it does not move
        // while nothing happens: before the current run, and when that run began.
        writer.double("runningSince", time(metrics.runningSince))
        writer.double("runningSecondsBefore", (metrics.runningBefore.seconds * 1000).rounded() / 1000)
        writer.double("lastEventAt", time(metrics.lastEventAt))
        writer.double("lastChangeAt", time(metrics.lastChangeAt))
        writer.integer("wireBytes", Int(metrics.wireBytes))
        writer.integer("payloadBytes", Int(metrics.payloadBytes))
        writer.integer("events", Int(metrics.events))
        writer.integer("snapshots", Int(metrics.snapshots))
        writer.integer("patches", Int(metrics.patches))
        writer.integer("patchOperations", Int(metrics.patchOperations))
        writer.integer("polls", Int(metrics.polls))
        writer.integer("notModified", Int(metrics.notModified))
        writer.integer("pollsSkipped", Int(metrics.pollsSkipped))
        writer.integer("errors", Int(metrics.errors))
        writer.integer("reconnects", Int(metrics.reconnects))
        writer.integer("errors15m", Int(metrics.recentErrors))
        writer.integer("reconnects15m", Int(metrics.recentReconnects))
        writer.integer("changes", Int(metrics.changes))
        writer.integer("wouldBePatchBytes", Int(metrics.wouldBePatchBytes))
        writer.integer("pollBodyBytes", Int(metrics.pollBodyBytes))
        // The one-minute rates keep their first names; the fifteen-minute ones say so.
        writer.double("wireBytesPerSecond", numbers.wireBytesPerSecond.oneMinute)
        writer.double("wireBytesPerSecond15m", numbers.wireBytesPerSecond.fifteenMinutes)
        writer.double("eventsPerSecond", numbers.eventsPerSecond.oneMinute)
        writer.double("eventsPerSecond15m", numbers.eventsPerSecond.fifteenMinutes)
        writer.double("patchesPerMinute", numbers.patchesPerMinute.oneMinute)
        writer.double("patchesPerMinute15m", numbers.patchesPerMinute.fifteenMinutes)
        writer.object("snapshotSizes") { $0.sizes(metrics.snapshotSizes, numbers.snapshotSizes) }
        writer.object("patchSizes") { $0.sizes(metrics.patchSizes, numbers.patchSizes) }
        writer.object("pollBodySizes") { $0.sizes(metrics.pollBodySizes, numbers.pollBodySizes) }
        writer.double("changeFrequency", numbers.changeFrequency)
        writer.double("changesPerHour", numbers.changesPerHour)
        // Derived from the two byte counts above (read back from them); for scripts.
        writer.double("pollSavings", numbers.pollSavings)
        writer.served(served)
    }
}

extension StatusText.Writer {
    /// `{"count", "last", "mean", "median", "p95", "max"}`: the count, last and max as they
    /// are, the mean, median and p95 as measured.
    mutating func sizes(_ sizes: SizeSummary, _ measured: StatusText.Measured.Sizes) {
        integer("count", Int(sizes.count))
        integer("last", sizes.last)
        double("mean", measured.mean)
        integer("median", measured.median)
        integer("p95", measured.p95)
        integer("max", sizes.max)
    }
}

extension StatusText.Writer {
    /// `"served"`: one leaf, null for a stream that is not served, else `{"clients",
    /// "connections", "dropped", "sentBytes", "pollBytes", "polls", "version", "savings"}` (see
    /// `ServedCounters`): a served stream's counters change together, and the others' STATUS
    /// stays short.
    mutating func served(_ served: ServedCounters?) {
        value("served") { json in
            guard let served else { return json.appendRaw("null") }
            json.appendRaw("{")
            let integers: [(StaticString, Int64)] = [
                ("clients", Int64(served.clients)), ("connections", served.connections), ("dropped", served.dropped),
                ("sentBytes", served.sentBytes), ("pollBytes", served.pollBytes), ("polls", served.polls),
                ("version", Int64(served.version)),
            ]
            for (index, (key, number)) in integers.enumerated() {
                json.writeKey(key, first: index == 0)
                json.writeInteger(Int(number))
            }
            json.writeKey("savings", first: false)
            if let savings = served.savings { json.writeDouble(StatusText.measured(savings)) } else {
                json.appendRaw("null")
            }
            json.appendRaw("}")
        }
    }
}

extension StatusText {
    /// The numbers of a STATUS that are measured over time rather than counted (rates, shares,
    /// means and percentiles), four significant digits each: what a STATUS may take from an
    /// earlier publication (see `StatusCache.measuredBeat`).
    package struct Measured: Sendable, Equatable {
        package struct Sizes: Sendable, Equatable {
            var mean: Double
            var median: Int
            var p95: Int
        }

        var uptimeShare: Double?
        var wireBytesPerSecond: Rate
        var eventsPerSecond: Rate
        var patchesPerMinute: Rate
        var snapshotSizes: Sizes
        var patchSizes: Sizes
        var pollBodySizes: Sizes
        var changeFrequency: Double?
        var changesPerHour: Double
        var pollSavings: Double?

        package init(_ metrics: MetricsSnapshot) {
            func measured(_ value: Double?) -> Double? { value.map(StatusText.measured) }
            uptimeShare = measured(metrics.uptimeShare)
            func rate(_ rate: Rate) -> Rate {
                Rate(
                    oneMinute: StatusText.measured(rate.oneMinute),
                    fifteenMinutes: StatusText.measured(rate.fifteenMinutes))
            }
            func sizes(_ sizes: SizeSummary) -> Sizes {
                Sizes(mean: StatusText.measured(sizes.mean), median: sizes.median, p95: sizes.p95)
            }
            wireBytesPerSecond = rate(metrics.wireBytesPerSecond)
            eventsPerSecond = rate(metrics.eventsPerSecond)
            patchesPerMinute = rate(metrics.patchesPerMinute)
            snapshotSizes = sizes(metrics.snapshotSizes)
            patchSizes = sizes(metrics.patchSizes)
            pollBodySizes = sizes(metrics.pollBodySizes)
            changeFrequency = measured(metrics.changeFrequency)
            changesPerHour = StatusText.measured(metrics.changesPerHour)
            pollSavings = measured(metrics.pollSavings)
        }
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
