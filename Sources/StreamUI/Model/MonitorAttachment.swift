import StreamCore

/// What a monitor attached to an engine in another process shows of it: where it is, which
/// process, since when, and whether the connection is lost (the rows then are stale). Moments
/// are on the monitor's own clock.
public struct MonitorAttachment: Sendable, Equatable {
    /// The socket or address attached to.
    public var target: String
    /// The engine's process (nil until its health was read).
    public var pid: Int?
    /// When the engine started (nil until its health was read).
    public var startedAt: Moment?
    /// When the connection was lost, and why; nil while it is live.
    public var lostAt: Moment?
    public var problem: String?

    public init(
        target: String, pid: Int? = nil, startedAt: Moment? = nil, lostAt: Moment? = nil, problem: String? = nil
    ) {
        self.target = target
        self.pid = pid
        self.startedAt = startedAt
        self.lostAt = lostAt
        self.problem = problem
    }

    /// Whether what the monitor shows is no longer live.
    public var isLost: Bool { lostAt != nil }
}
