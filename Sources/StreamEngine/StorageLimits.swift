import StreamCore

/// How much a state directory's logs and archive may hold: a budget for the whole directory,
/// and each stream's own caps. Tests make them small.
package struct StorageLimits: Sendable {
    /// The whole state directory's (nil: the smaller of 10 GiB and 10 % of its file system).
    package var diskBudget: Int?
    /// Each stream's archive.
    package var archiveBytes = 1 << 30
    /// Each archive part (nil: `StreamArchive`'s default, an eighth of `archiveBytes`).
    package var archivePartBytes: Int?
    /// How long an archive segment lasts (`--archive-segment`): a closed segment is
    /// compressed, and sent to S3 when the archive goes there.
    package var archiveSegmentSeconds = 3600
    /// Closed segments wait for S3: the per-stream cap never removes one that was not uploaded
    /// (the disk budget may, as a last resort, and says so). Set by the engine.
    package var archiveWaitsForUpload = false
    /// Each log file, before it rotates.
    package var logFileBytes = 10 << 20
    /// The least a file being written may grow to however tight the budget (see
    /// `DiskLedger.activeFileLimit`).
    package var minimumActiveBytes = 1 << 20
    /// Seconds without removing a file for the budget before pruning is said to have stopped.
    package var quietPeriod: Double = 3600
    /// Seconds between full scans of the directory (between them, the writers' running total).
    package var rescanInterval: Double = 60

    package init(diskBudget: Int? = nil) {
        self.diskBudget = diskBudget
    }
}

/// The state directory's disk use, as status.json, `streamtop status` and the monitor show it
/// (public: the monitor's `MonitorLink` conveys it).
public struct DiskStatus: Sendable, Equatable {
    public var budget: Int
    public var used: Int
    /// Whether the budget removed files within the last quiet period (an hour).
    public var pruning = false
    /// Everything written after this is kept: the last write to the newest file the budget
    /// removed (nil: none was).
    public var keptSince: UTCTime?
    /// Files and bytes the budget removed since the engine started.
    public var removedFiles = 0
    public var removedBytes = 0
    /// The archive's uploads to S3 (nil: the archive stays local).
    public var upload: UploadStatus?

    package init(budget: Int, used: Int) {
        self.budget = budget
        self.used = used
    }
}
