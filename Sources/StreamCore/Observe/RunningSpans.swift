/// When a stream was running (started and not stopped) lately: rates over the last minute or
/// the last 15 minutes divide by the running time inside that span, so a stream started 10 s
/// ago at 2 events a second shows 120 a minute, and the minutes it was stopped count for nothing.
///
/// Keeps the runs that ended within the longest span asked for, and at most `limit` of them
/// (an operator does not start and stop a stream 64 times in 15 minutes; if one did, the oldest
/// runs are forgotten and the rates slightly overstated, never divided by zero).
struct RunningSpans: Sendable {
    private var runs: [(start: Moment, end: Moment)] = []
    private var since: Moment?
    private let keep: Duration
    private let limit: Int

    init(keep: Duration = .seconds(15 * 60), limit: Int = 64) {
        self.keep = keep
        self.limit = limit
    }

    mutating func update(running: Bool, at moment: Moment) {
        if running, since == nil { since = moment }
        if !running, let start = since {
            since = nil
            runs.removeAll { moment - $0.end > keep }
            if runs.count == limit { runs.removeFirst() }
            runs.append((start, moment))
        }
    }

    /// The running time within `[now − span, now]`.
    func within(_ span: Duration, at now: Moment) -> Duration {
        let from = now - span
        var total: Duration = .zero
        for run in runs where run.end > from { total += run.end - max(run.start, from) }
        if let since { total += now - max(since, from) }
        return total
    }
}
