/// Everything measured about one stream: sizes, counts, rates, change frequency and savings.
///
/// A value type owned by the stream's serial queue: the engine records into it as events,
/// polls and errors happen, and publishes `snapshot(at:)` for the UI and `status.json`. Time
/// always comes in as an argument, so tests drive it with a manual clock. Memory is bounded
/// (rings and sample windows of fixed size; well under 64 KiB), however long the stream runs.
///
/// Call `advance(to:documentHash:)` before recording an event that may change the document,
/// so that a change window closing then compares the document as it was at the window's end.
public struct StreamMetrics: Sendable {
    public let startedAt: Moment

    public private(set) var wireBytes: Int64 = 0
    public private(set) var payloadBytes: Int64 = 0
    public private(set) var events: Int64 = 0
    public private(set) var snapshots: Int64 = 0
    public private(set) var patches: Int64 = 0
    public private(set) var patchOperations: Int64 = 0
    public private(set) var polls: Int64 = 0
    public private(set) var notModified: Int64 = 0
    /// Poll ticks skipped because the previous request was still in flight.
    public private(set) var pollsSkipped: Int64 = 0
    public private(set) var errors: Int64 = 0
    public private(set) var reconnects: Int64 = 0
    /// When the last event (or poll response) arrived.
    public private(set) var lastEventAt: Moment?
    /// Time spent open (receiving, or polling on schedule) and since when it is open now.
    private var openTime: Duration = .zero
    private var openSince: Moment?
    /// Time the stream was meant to run (started, not stopped), and since when it runs now.
    private var runningTime: Duration = .zero
    private var runningSince: Moment?
    private var runningSpans = RunningSpans()
    private var trouble = RecentTrouble()

    public private(set) var snapshotSizes = SizeStatistics()
    public private(set) var patchSizes = SizeStatistics()
    public private(set) var pollBodySizes = SizeStatistics()

    /// For pollers: what a streaming proxy would have sent (the diffs) against what polling got.
    public private(set) var wouldBePatchBytes: Int64 = 0
    public private(set) var pollBodyBytes: Int64 = 0

    public private(set) var changes: ChangeWindows
    private var seconds = TimeBuckets(slotLength: .seconds(1), slotCount: 60)
    private var minutes = TimeBuckets(slotLength: .seconds(60), slotCount: 120)

    public init(start: Moment, changeWindow: Duration = .seconds(60)) {
        startedAt = start
        changes = ChangeWindows(length: changeWindow, start: start)
    }

    private mutating func add(_ counters: TimeBuckets.Counters, at moment: Moment) {
        seconds.add(counters, at: moment)
        minutes.add(counters, at: moment)
    }

    /// Bytes that crossed the socket (compressed, with headers).
    public mutating func recordWire(bytes: Int, at moment: Moment) {
        wireBytes += Int64(bytes)
        add(TimeBuckets.Counters(wireBytes: Int64(bytes)), at: moment)
    }

    /// A stream event the document accepted.
    public mutating func record(_ observation: Observation, at moment: Moment) {
        events += 1
        lastEventAt = moment
        payloadBytes += Int64(observation.payloadBytes)
        switch observation.kind {
        case .snapshot:
            snapshots += 1
            snapshotSizes.record(observation.payloadBytes)
        case .patch:
            patches += 1
            patchOperations += Int64(observation.operations)
            patchSizes.record(observation.payloadBytes)
        case .text:
            break
        }
        changes.observe(changed: observation.changed, at: moment)
        add(TimeBuckets.Counters(
            payloadBytes: Int64(observation.payloadBytes), events: 1,
            patches: observation.kind == .patch ? 1 : 0, changes: observation.changed ? 1 : 0), at: moment)
    }

    /// A poll that returned a body; `patchBytes` is the size of the diff against the previous
    /// body (what a streaming proxy would have sent instead).
    public mutating func recordPoll(bodyBytes: Int, patchBytes: Int, changed: Bool, at moment: Moment) {
        polls += 1
        events += 1
        lastEventAt = moment
        payloadBytes += Int64(bodyBytes)
        pollBodySizes.record(bodyBytes)
        pollBodyBytes += Int64(bodyBytes)
        wouldBePatchBytes += Int64(patchBytes)
        changes.observe(changed: changed, at: moment)
        add(TimeBuckets.Counters(payloadBytes: Int64(bodyBytes), events: 1, changes: changed ? 1 : 0), at: moment)
    }

    /// A poll answered 304 Not Modified: no body, no change (its wire bytes are recorded apart);
    /// `patchBytes` is what a streaming proxy would have sent for it (an empty patch, `[]`).
    public mutating func recordNotModified(patchBytes: Int = 2, at moment: Moment) {
        polls += 1
        notModified += 1
        wouldBePatchBytes += Int64(patchBytes)
        lastEventAt = moment
        changes.observe(changed: false, at: moment)
    }

    /// The stream's state changed: open or not, running (started, not stopped) or not. Uptime
    /// is the share of running time spent open.
    public mutating func stateChanged(open: Bool, running: Bool, at moment: Moment) {
        if let since = openSince, !open { openTime += moment - since; openSince = nil }
        if open, openSince == nil { openSince = moment }
        if let since = runningSince, !running { runningTime += moment - since; runningSince = nil }
        if running, runningSince == nil { runningSince = moment }
        runningSpans.update(running: running, at: moment)
    }

    /// Poll ticks that found the previous request still in flight.
    public mutating func recordSkippedPolls(_ count: Int) { pollsSkipped += Int64(count) }

    /// The time the stream spent open, up to `now` (what the archive's counters call uptime).
    public func openTime(at now: Moment) -> Duration {
        openTime + (openSince.map { now - $0 } ?? .zero)
    }

    /// Share of the running time spent open (nil before the stream first ran).
    public func uptimeShare(at now: Moment) -> Double? {
        let open = openTime(at: now)
        let running = runningTime + (runningSince.map { now - $0 } ?? .zero)
        return running > .zero ? min(1, open.seconds / running.seconds) : nil
    }

    public mutating func recordError(at moment: Moment) {
        errors += 1
        trouble.recordError(at: moment)
    }

    public mutating func recordReconnect(at moment: Moment) {
        reconnects += 1
        trouble.recordReconnect(at: moment)
    }

    /// Closes the change windows that ended by `now` (see the type's note on ordering).
    public mutating func advance(to now: Moment, documentHash: () -> Int?) {
        changes.advance(to: now, documentHash: documentHash)
    }

    /// The first document of the stream arrived: change windows compare against it from now on.
    public mutating func documentAppeared(hash: Int) {
        changes.setInitialHash(hash)
    }

    /// An immutable summary at `now`, for publishing after events: counters, rates, sizes and
    /// change figures, all current. The per-minute history is apart (`history(at:)`): it is
    /// asked for by whoever draws sparklines, for one stream at a time, and copying it into
    /// every snapshot of thousands of streams would cost more memory than the rest together.
    public func snapshot(at now: Moment) -> MetricsSnapshot {
        let lastMinute = seconds.total(over: .seconds(60), at: now)
        let lastQuarter = minutes.total(over: .seconds(15 * 60), at: now)
        // Rates are over the time the stream actually ran within each span (at least a second).
        let minuteSpan = max(runningSpans.within(.seconds(60), at: now), .seconds(1)).seconds
        let quarterSpan = max(runningSpans.within(.seconds(15 * 60), at: now), .seconds(1)).seconds
        let recent = trouble.counts(at: now)
        return MetricsSnapshot(
            at: now, uptime: now - startedAt, uptimeShare: uptimeShare(at: now),
            runningBefore: runningTime, runningSince: runningSince,
            recentErrors: recent.errors, recentReconnects: recent.reconnects,
            wireBytes: wireBytes, payloadBytes: payloadBytes, events: events, snapshots: snapshots,
            patches: patches, patchOperations: patchOperations, polls: polls, notModified: notModified,
            pollsSkipped: pollsSkipped, errors: errors, reconnects: reconnects, changes: changes.changeEvents,
            wireBytesPerSecond: Rate(oneMinute: Double(lastMinute.wireBytes) / minuteSpan, fifteenMinutes: Double(lastQuarter.wireBytes) / quarterSpan),
            eventsPerSecond: Rate(oneMinute: Double(lastMinute.events) / minuteSpan, fifteenMinutes: Double(lastQuarter.events) / quarterSpan),
            patchesPerMinute: Rate(oneMinute: Double(lastMinute.patches) / minuteSpan * 60, fifteenMinutes: Double(lastQuarter.patches) / quarterSpan * 60),
            snapshotSizes: SizeSummary(snapshotSizes), patchSizes: SizeSummary(patchSizes), pollBodySizes: SizeSummary(pollBodySizes),
            changeFrequency: changes.changeFrequency, changesPerHour: changes.changesPerHour(elapsed: now - startedAt),
            timeSinceLastChange: changes.timeSinceLastChange(at: now), lastEventAt: lastEventAt, lastChangeAt: changes.lastChange,
            wouldBePatchBytes: wouldBePatchBytes, pollBodyBytes: pollBodyBytes)
    }

    /// The per-minute counters of the last 120 minutes and the outcomes of the last 120 change
    /// windows, oldest first: the data of a stream's sparklines.
    public func history(at now: Moment) -> StreamHistory {
        StreamHistory(at: now, minutes: minutes.series(at: now), changeWindows: Array(changes.recent.suffix(120)))
    }
}
