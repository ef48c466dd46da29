/// One stream's recent past at one moment, for sparklines: counters per minute and whether
/// each change window saw a change. Built on request (see `StreamMetrics.history(at:)`).
public struct StreamHistory: Sendable, Equatable {
    public var at: Moment
    /// Per-minute counters of the last 120 minutes, oldest first (zero where nothing came).
    public var minutes: [TimeBuckets.Counters]
    /// The last (up to 120) change windows, oldest first: true where the document changed.
    public var changeWindows: [Bool]

    public init(at: Moment, minutes: [TimeBuckets.Counters], changeWindows: [Bool]) {
        self.at = at
        self.minutes = minutes
        self.changeWindows = changeWindows
    }
}
