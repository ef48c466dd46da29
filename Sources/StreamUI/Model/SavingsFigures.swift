import StreamCore
import StreamEngine

/// A group (a stream and a poller registered for the same API) side by side: what the group
/// view shows, to answer "is streaming worth it for this API?" without arithmetic.
public struct GroupFigures: Sendable {
    public let group: String
    public let streamed: StreamSnapshot
    public let polled: StreamSnapshot
    /// `Savings.group`: nil until both ran a minute.
    public let savings: Double?

    /// Wire bytes per hour of running time (nil before a minute of it).
    public var streamedBytesPerHour: Double? { GroupFigures.perHour(Double(streamed.metrics.wireBytes), streamed) }
    public var polledBytesPerHour: Double? { GroupFigures.perHour(Double(polled.metrics.wireBytes), polled) }
    /// Changes of the document seen per hour of running time: each event that changed it for
    /// the stream, each poll whose body differed for the poller.
    public var streamedChangesPerHour: Double? { GroupFigures.perHour(Double(streamed.metrics.changes), streamed) }
    public var polledChangesPerHour: Double? { GroupFigures.perHour(Double(polled.metrics.changes), polled) }
    /// Changes the poller missed an hour: the stream saw more changes than the poller's
    /// responses showed (several changes between two polls look like one).
    public var missedPerHour: Double? {
        Savings.missedPerHour(
            streamedChanges: streamed.metrics.changes, streamedTime: streamed.metrics.runningTime,
            polledChanges: polled.metrics.changes, polledTime: polled.metrics.runningTime)
    }

    static func perHour(_ count: Double, _ snapshot: StreamSnapshot) -> Double? {
        Savings.perHour(count, running: snapshot.metrics.runningTime)
    }
}

/// Savings with one meaning everywhere (`Savings`), worked out once per refresh: each row's
/// (its group's for a member of one, its own for a lone poller), the groups', and the header's
/// over all of them together, said only once every running group and lone poller has its
/// minute (so that it does not swing from one group's figure to all of theirs as each comes of
/// age).
public struct SavingsFigures: Sendable {
    public private(set) var overall: Double?
    public private(set) var groups: [GroupFigures] = []
    private var byStream: [String: Double] = [:]
    private var grouped: Set<String> = []

    public init() {}

    public init(_ snapshots: [StreamSnapshot]) {
        var pairs: [Savings.Pair] = []
        var waiting = false
        // Coming of age: running, and not yet a minute of it.
        func young(_ snapshot: StreamSnapshot) -> Bool {
            snapshot.status.state.isRunning && snapshot.metrics.runningTime < Savings.minimumRunning
        }
        for (group, streamed, polled, pair) in Engine.groupPairs(snapshots) {
            if pair == nil, young(streamed) || young(polled) { waiting = true }
            groups.append(GroupFigures(group: group, streamed: streamed, polled: polled, savings: pair?.savings))
            grouped.insert(streamed.id)
            grouped.insert(polled.id)
            if let pair {
                pairs.append(pair)
                if let savings = pair.savings {
                    byStream[streamed.id] = savings
                    byStream[polled.id] = savings
                }
            }
        }
        for snapshot in snapshots where snapshot.mode == .poll && !grouped.contains(snapshot.id) {
            guard let pair = Savings.pollerPair(snapshot.metrics) else {
                if young(snapshot) { waiting = true }
                continue
            }
            pairs.append(pair)
            if let savings = pair.savings { byStream[snapshot.id] = savings }
        }
        overall = waiting ? nil : Savings.combined(pairs)
    }

    /// A row's savings: its group's, or a lone poller's own; nil for a lone stream or before a
    /// minute of running.
    public func savings(of snapshot: StreamSnapshot) -> Double? { byStream[snapshot.id] }
}
