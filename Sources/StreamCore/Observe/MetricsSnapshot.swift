/// A rate over the last minute and the last 15 minutes.
public struct Rate: Sendable, Equatable {
    public var oneMinute: Double
    public var fifteenMinutes: Double

    package init(oneMinute: Double, fifteenMinutes: Double) {
        self.oneMinute = oneMinute
        self.fifteenMinutes = fifteenMinutes
    }
}

/// The summary of a `SizeStatistics`.
public struct SizeSummary: Sendable, Equatable {
    public var count: Int64
    public var last: Int
    public var mean: Double
    public var median: Int
    public var p95: Int
    public var max: Int

    init(_ statistics: SizeStatistics) {
        count = statistics.count
        last = statistics.last
        mean = statistics.mean
        median = statistics.median
        p95 = statistics.p95
        max = statistics.max
    }

    package init(count: Int64, last: Int, mean: Double, median: Int, p95: Int, max: Int) {
        self.count = count
        self.last = last
        self.mean = mean
        self.median = median
        self.p95 = p95
        self.max = max
    }
}

/// An immutable view of one stream's metrics at one moment: what the UI draws and
/// `status.json` stores.
public struct MetricsSnapshot: Sendable, Equatable {
    public var at: Moment
    public var uptime: Duration
    /// Share of the time the stream was meant to run that it was open (nil: never ran).
    public var uptimeShare: Double?
    /// The time the stream was meant to run (started, not stopped) before its current run,
    /// and when its current run began (nil: stopped). See `runningTime`.
    public var runningBefore: Duration
    public var runningSince: Moment?
    /// Errors and reconnects in the last fifteen minutes (whole minutes).
    public var recentErrors: Int64
    public var recentReconnects: Int64

    public var wireBytes: Int64
    public var payloadBytes: Int64
    public var events: Int64
    public var snapshots: Int64
    public var patches: Int64
    public var patchOperations: Int64
    public var polls: Int64
    public var notModified: Int64
    public var pollsSkipped: Int64
    public var errors: Int64
    public var reconnects: Int64
    /// Observations that changed the document (events or poll bodies), over the stream's life.
    public var changes: Int64

    public var wireBytesPerSecond: Rate
    public var eventsPerSecond: Rate
    public var patchesPerMinute: Rate

    public var snapshotSizes: SizeSummary
    public var patchSizes: SizeSummary
    public var pollBodySizes: SizeSummary

    /// Share of change windows in which the document changed; nil before one has closed.
    public var changeFrequency: Double?
    public var changesPerHour: Double
    public var timeSinceLastChange: Duration?
    /// When the last event or poll response arrived, and when the document last changed (on
    /// the engine's monotonic clock: a view adds the time passed since, between publications).
    public var lastEventAt: Moment?
    public var lastChangeAt: Moment?

    public var wouldBePatchBytes: Int64
    public var pollBodyBytes: Int64

    /// The time the stream was meant to run, up to `at`: what savings compare over (time
    /// stopped is not counted).
    public var runningTime: Duration {
        runningBefore + (runningSince.map { max(.zero, at - $0) } ?? .zero)
    }

    /// For a poller: `Savings.poller`.
    public var pollSavings: Double? { Savings.poller(self) }
}

extension MetricsSnapshot {
    /// Nothing measured yet, at `at`: what a decoder starts from and fills in. (In an
    /// extension: the memberwise initializer stays.)
    package init(nothingAt at: Moment) {
        self = StreamMetrics(start: at).snapshot(at: at)
    }
}

