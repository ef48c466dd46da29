/// What streaming saves against polling, with one meaning wherever it is shown (the monitor's
/// header, rows, group view and detail, `status`, status.json, `/metrics`):
///
///     savings = 1 − streamed bytes / polled bytes
///
/// over the same running time (time a stream was stopped is not counted). For a stream and a
/// poller of the same API (a group) the bytes are each one's wire bytes per second of running
/// time; for a lone poller, the bytes a streaming proxy would have sent it (the first body,
/// then the diffs) against the bodies it polled. Nothing is said (nil, shown as "—") until
/// both sides have run for `minimumRunning`: the first seconds of a stream are its snapshot
/// alone, and gave figures like −12,000 %.
public enum Savings {
    public static let minimumRunning: Duration = .seconds(60)

    /// Two byte rates (or byte counts over the same time): streamed against polled.
    public struct Pair: Sendable, Equatable {
        public var streamed: Double
        public var polled: Double

        public init(streamed: Double, polled: Double) {
            self.streamed = streamed
            self.polled = polled
        }

        public var savings: Double? { polled > 0 ? 1 - streamed / polled : nil }
    }

    /// A group's streamed and polled wire bytes per second of running time; nil until both
    /// have run for a minute and something was polled.
    public static func groupPair(streamed: MetricsSnapshot, polled: MetricsSnapshot) -> Pair? {
        groupPair(
            streamedBytes: streamed.wireBytes, streamedTime: streamed.runningTime,
            polledBytes: polled.wireBytes, polledTime: polled.runningTime)
    }

    /// `groupPair` from totals: the wire bytes each side moved over its running time (the
    /// monitor's since a stream started, the archive report's within a period).
    public static func groupPair(
        streamedBytes: Int64, streamedTime: Duration, polledBytes: Int64, polledTime: Duration
    ) -> Pair? {
        guard streamedTime >= minimumRunning, polledTime >= minimumRunning, polledBytes > 0 else { return nil }
        return Pair(
            streamed: Double(streamedBytes) / streamedTime.seconds,
            polled: Double(polledBytes) / polledTime.seconds)
    }

    /// A lone poller's would-be streamed bytes against its polled body bytes, each per second
    /// of running time; nil until it has run for a minute and a body arrived.
    public static func pollerPair(_ metrics: MetricsSnapshot) -> Pair? {
        pollerPair(
            wouldBePatchBytes: metrics.wouldBePatchBytes, pollBodyBytes: metrics.pollBodyBytes,
            time: metrics.runningTime)
    }

    /// `pollerPair` from totals over a running time.
    public static func pollerPair(wouldBePatchBytes: Int64, pollBodyBytes: Int64, time: Duration) -> Pair? {
        guard time >= minimumRunning, pollBodyBytes > 0 else { return nil }
        return Pair(
            streamed: Double(wouldBePatchBytes) / time.seconds,
            polled: Double(pollBodyBytes) / time.seconds)
    }

    /// A count per hour of running time; nil before `minimumRunning` of it.
    public static func perHour(_ count: Double, running time: Duration) -> Double? {
        time >= minimumRunning ? count / time.seconds * 3600 : nil
    }

    /// Changes a group's poller missed an hour: the stream saw more changes an hour (of its
    /// running time) than the poller's responses showed (of its own: several changes between
    /// two polls look like one); nil until both ran a minute.
    public static func missedPerHour(
        streamedChanges: Int64, streamedTime: Duration, polledChanges: Int64, polledTime: Duration
    ) -> Double? {
        guard let seen = perHour(Double(streamedChanges), running: streamedTime),
              let polled = perHour(Double(polledChanges), running: polledTime) else { return nil }
        return max(0, seen - polled)
    }

    public static func group(streamed: MetricsSnapshot, polled: MetricsSnapshot) -> Double? {
        groupPair(streamed: streamed, polled: polled)?.savings
    }

    public static func poller(_ metrics: MetricsSnapshot) -> Double? { pollerPair(metrics)?.savings }

    /// Several pairs together, as one: 1 − Σ streamed / Σ polled, bytes per second each.
    public static func combined(_ pairs: [Pair]) -> Double? {
        Pair(streamed: pairs.reduce(0) { $0 + $1.streamed }, polled: pairs.reduce(0) { $0 + $1.polled }).savings
    }
}
