/// When to reconnect an SSE stream after its connection ended.
///
/// After a clean close the delay is the server's `retry` value when it sent one, otherwise
/// 1 s. After consecutive failures it grows exponentially (×2 a failure) with full jitter
/// (a random delay between half the step and the step), capped at 30 s. A connection that
/// stayed healthy for 60 s resets the count. No delay is shorter than 10 ms, whatever the
/// server's `retry`: with `retry: 0`, failures would otherwise never back off (0 doubled is
/// 0) and the stream would reconnect in a tight loop. Small positive values are honoured; large
/// ones are capped at `maximumServerRetry` (10 minutes by default): `retry: 99999999999` would
/// otherwise silence a stream for 1,157 days.
public struct ReconnectPolicy: Sendable {
    public var baseDelay: Duration = .seconds(1)
    public var maximumDelay: Duration = .seconds(30)
    public var minimumDelay: Duration = .milliseconds(10)
    public var healthyAfter: Duration = .seconds(60)

    /// Consecutive failures so far (0 after a healthy period).
    public private(set) var failures = 0
    public var maximumServerRetry: Duration = .seconds(600)
    /// The server's reconnection time (`retry:`), when it sent one, capped at `maximumServerRetry`.
    public var serverRetry: Duration? {
        get { askedRetry.map { min($0, maximumServerRetry) } }
        set { askedRetry = newValue }
    }
    private var askedRetry: Duration?
    private var openedAt: Moment?
    private var random: SplitMix64

    public init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    /// The connection is open and receiving.
    public mutating func connectionOpened(at moment: Moment) {
        openedAt = moment
    }

    /// The connection ended. `failed` is true for errors (refused, HTTP error, stall, wrong
    /// content type); false when the server closed a healthy stream. Returns the delay before
    /// the next attempt.
    public mutating func connectionEnded(at moment: Moment, failed: Bool) -> Duration {
        if let openedAt, moment - openedAt >= healthyAfter { failures = 0 }
        openedAt = nil
        let base = max(serverRetry ?? baseDelay, minimumDelay)
        if !failed {
            failures = 0
            return base
        }
        failures += 1
        var step = base
        for _ in 1..<failures {
            step = step * 2
            if step >= maximumDelay { break }
        }
        step = min(step, maximumDelay)
        // Full jitter over the upper half of the step: spreads reconnection storms.
        let half = step.nanoseconds / 2
        let jitter = half > 0 ? Int64.random(in: 0...half, using: &random) : 0
        return max(.nanoseconds(half + jitter), minimumDelay)
    }
}
