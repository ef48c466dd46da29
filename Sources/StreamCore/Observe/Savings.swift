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
        let streamedTime = streamed.runningTime
        let polledTime = polled.runningTime
        guard streamedTime >= minimumRunning, polledTime >= minimumRunning, polled.wireBytes > 0 else { return nil }
        return Pair(
            streamed: Double(streamed.wireBytes) / streamedTime.seconds,
            polled: Double(polled.wireBytes) / polledTime.seconds)
    }

    /// A lone poller's would-be streamed bytes against its polled body bytes, each per second
    /// of running time; nil until it has run for a minute and a body arrived.
    public static func pollerPair(_ metrics: MetricsSnapshot) -> Pair? {
        let time = metrics.runningTime
        guard time >= minimumRunning, metrics.pollBodyBytes > 0 else { return nil }
        return Pair(
            streamed: Double(metrics.wouldBePatchBytes) / time.seconds,
            polled: Double(metrics.pollBodyBytes) / time.seconds)
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
