import StreamCore
import Synchronization

/// What the UI and `status.json` know about one stream at one moment: an immutable value,
/// published by the stream's queue, read by anyone.
public struct StreamSnapshot: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The URL with credentials redacted (safe to show; still to be sanitized for a terminal).
    public var url: String
    public var mode: StreamSpec.Mode
    public var group: String?
    public var status: StreamStatus
    public var metrics: MetricsSnapshot
    /// Increases with every publication of this stream.
    public var version: Int
    /// A served stream's clients and what they were sent (nil: not served).
    package var served: ServedCounters?

    public init(id: String, name: String, url: String, mode: StreamSpec.Mode, group: String?, status: StreamStatus, metrics: MetricsSnapshot, version: Int) {
        self.id = id
        self.name = name
        self.url = url
        self.mode = mode
        self.group = group
        self.status = status
        self.metrics = metrics
        self.version = version
    }
}

/// A stream broke or recovered (past its alert threshold): for the UI's bell and status line.
public struct AlertEvent: Sendable, Equatable {
    public var sequence: Int
    /// The stream it concerns; empty for the engine as a whole (the registry file changed).
    public var stream: String
    public var message: String
    public var recovered: Bool

    package init(sequence: Int, stream: String, message: String, recovered: Bool) {
        self.sequence = sequence
        self.stream = stream
        self.message = message
        self.recovered = recovered
    }
}

/// The latest snapshot of every stream, behind a lock, with a version that moves whenever any
/// of them changes: readers compare versions and redraw only when something moved. Alerts are
/// kept too (the last 100), numbered, so a reader can ask for the ones it has not seen.
public final class SnapshotStore: Sendable {
    /// Every snapshot, in the order of ids once `sort()` ran, with where each id is:
    /// `latest()` hands out the array as it is (the next publication copies it once, if a
    /// reader still holds it), instead of copying and sorting thousands of large values for
    /// each reader. A new stream goes at the end (and a removed one's place is taken by the
    /// last), and the order is put right by the next `latest()`: registering thousands of
    /// streams costs one sort, not thousands of inserts.
    private struct Table {
        var version = 0
        var ordered: [StreamSnapshot] = []
        var positions: [String: Int] = [:]
        var sorted = true

        /// Puts `snapshot` in its place; returns the one it replaced.
        mutating func put(_ snapshot: StreamSnapshot) -> StreamSnapshot? {
            version += 1
            if let position = positions[snapshot.id] {
                let old = ordered[position]
                ordered[position] = snapshot
                return old
            }
            positions[snapshot.id] = ordered.count
            ordered.append(snapshot)
            sorted = false
            return nil
        }

        mutating func remove(id: String) -> StreamSnapshot? {
            guard let position = positions.removeValue(forKey: id) else { return nil }
            version += 1
            let last = ordered.count - 1
            if position != last {
                ordered.swapAt(position, last)
                positions[ordered[position].id] = position
                sorted = false
            }
            return ordered.removeLast()
        }

        /// Orders the snapshots by id: their positions sorted, then one copy in that order
        /// (sorting the large values themselves would move each many times).
        mutating func sort() {
            guard !sorted else { return }
            sorted = true
            let order = ordered.indices.sorted { ordered[$0].id < ordered[$1].id }
            ordered = order.map { ordered[$0] }
            for (position, snapshot) in ordered.enumerated() { positions[snapshot.id] = position }
        }
    }

    private let state = Mutex(Table())
    private let alertLog = Mutex<(next: Int, events: [AlertEvent])>((1, []))
    private let diskStatus = Mutex<DiskStatus?>(nil)
    private let uploadStatus = Mutex<UploadStatus?>(nil)

    public init() {}

    /// Alerts kept for readers that have not taken them yet: a mass outage of thousands of
    /// streams at once. A reader that falls further behind is told how many it missed by the
    /// gap in the sequence numbers.
    public static let alertLimit = 10_000
    /// The state directory's disk use, from the `DiskKeeper` (nil: no state directory). The
    /// version moves only when pruning begins or stops: a view shows little else of it, and
    /// thousands of idle streams should not be copied once a second for a byte count.
    package func publishDisk(_ status: DiskStatus) {
        let moved = diskStatus.withLock { old in
            defer { old = status }
            return (old?.pruning ?? false) != status.pruning
        }
        if moved { state.withLock { $0.version += 1 } }
    }

    /// The uploader's status (see `UploadStatus`): the version moves when a backlog begins or
    /// ends, and when uploads begin or stop failing.
    package func publishUpload(_ status: UploadStatus) {
        let moved = uploadStatus.withLock { old in
            defer { old = status }
            return (old?.waitingSegments == 0) != (status.waitingSegments == 0)
                || (old?.lastError == nil) != (status.lastError == nil)
        }
        if moved { state.withLock { $0.version += 1 } }
    }

    /// The disk's status, with the uploads' (nil: no state directory).
    package var disk: DiskStatus? {
        guard var disk = diskStatus.withLock({ $0 }) else { return nil }
        disk.upload = uploadStatus.withLock { $0 }
        return disk
    }

    public func publishAlert(stream: String, message: String, recovered: Bool) {
        alertLog.withLock { log in
            log.events.append(AlertEvent(sequence: log.next, stream: stream, message: message, recovered: recovered))
            log.next += 1
            let excess = log.events.count - SnapshotStore.alertLimit
            if excess > 0 { log.events.removeFirst(excess) }
        }
    }

    /// Alerts numbered after `sequence`, oldest first.
    public func alerts(after sequence: Int) -> [AlertEvent] {
        alertLog.withLock { $0.events.filter { $0.sequence > sequence } }
    }

    public func publish(_ snapshot: StreamSnapshot) {
        // The replaced snapshot is returned out of the lock and released there, not while
        // holding it.
        _ = state.withLock { $0.put(snapshot) }
    }

    public func remove(id: String) {
        _ = state.withLock { $0.remove(id: id) }
    }

    /// The store's version and every snapshot, ordered by id.
    public func latest() -> (version: Int, snapshots: [StreamSnapshot]) {
        state.withLock { table in
            table.sort()
            return (table.version, table.ordered)
        }
    }

    public var version: Int { state.withLock { $0.version } }

    /// How many streams there are, and how many run: without copying or sorting them (a
    /// health check asked often, of thousands of streams).
    package func counts() -> (streams: Int, running: Int) {
        state.withLock { state in
            (state.ordered.count, state.ordered.reduce(0) { $0 + ($1.status.state.isRunning ? 1 : 0) })
        }
    }

    /// The latest snapshot of one stream.
    public func snapshot(id: String) -> StreamSnapshot? {
        state.withLock { state in state.positions[id].map { state.ordered[$0] } }
    }
}
