import StreamCore
import StreamEngine

/// The `/v1/streams` body, as an attached monitor keeps it from `/v1/events`, read into what
/// the monitor draws. Each STATUS carries its stream's publication `version` and `updatedAt`:
/// a stream whose pair did not move keeps the snapshot decoded before, so a patch that touches
/// one stream decodes one stream, not thousands. (The version alone is not enough: a stream
/// edited gets a new runner, which counts its versions from 1 again.)
struct RemoteStreams {
    private(set) var snapshots: [StreamSnapshot] = []
    /// The `updatedAt` of each snapshot, in the same order.
    private var stamps: [Double?] = []
    private(set) var disk: DiskStatus?
    /// The ids whose STATUS could not be read, with why (kept out of the rows).
    private(set) var unreadable: [String: String] = [:]
    /// Where each stream's decoded snapshot is in `snapshots`.
    private var index: [String: Int] = [:]

    /// Reads `body`; `fresh` (a new `data` snapshot, perhaps from another engine) decodes every
    /// stream again. `wall` places a STATUS's times (wall seconds) on the monitor's
    /// clock. Returns whether anything the monitor shows changed.
    mutating func update(from body: JSONValue, fresh: Bool, wall: WallTime) -> Bool {
        let statuses = body["streams"]?.arrayValue ?? []
        let nextDisk = body["disk"].flatMap(RemoteStreams.disk(json:))
        // The usual patch: the same streams in the same order, a few of them published.
        if !fresh, unreadable.isEmpty, let moved = updateInPlace(statuses, wall: wall) {
            let diskMoved = nextDisk != disk
            disk = nextDisk
            return moved || diskMoved
        }
        var next: [StreamSnapshot] = []
        next.reserveCapacity(statuses.count)
        var nextStamps: [Double?] = []
        nextStamps.reserveCapacity(statuses.count)
        var nextIndex: [String: Int] = [:]
        var nextUnreadable: [String: String] = [:]
        var changed = fresh || statuses.count != snapshots.count
        for status in statuses {
            guard let id = status["id"]?.stringValue else { continue }
            let version = status["version"]?.numberValue?.intValue
            let updatedAt = status["updatedAt"]?.numberValue?.doubleValue
            if !fresh, let old = index[id], snapshots[old].version == version, stamps[old] == updatedAt {
                nextIndex[id] = next.count
                next.append(snapshots[old])
                nextStamps.append(updatedAt)
                continue
            }
            do {
                let snapshot = try StreamSnapshot(statusJSON: status, wall: wall)
                nextIndex[id] = next.count
                next.append(snapshot)
                nextStamps.append(updatedAt)
                changed = true
            } catch {
                nextUnreadable[id] = "\(error)"
            }
        }
        if nextDisk != disk || nextUnreadable != unreadable { changed = true }
        snapshots = next
        stamps = nextStamps
        index = nextIndex
        disk = nextDisk
        unreadable = nextUnreadable
        return changed
    }

    /// Decodes again, in place, the streams whose version moved, and says whether any did; nil,
    /// changing nothing, when the streams are not the same ones in the same order or one cannot
    /// be read (the whole body is read then).
    private mutating func updateInPlace(_ statuses: [JSONValue], wall: WallTime) -> Bool? {
        guard statuses.count == snapshots.count else { return nil }
        var moved: [(Int, StreamSnapshot, Double?)] = []
        for (position, status) in statuses.enumerated() {
            guard status["id"]?.stringValue == snapshots[position].id else { return nil }
            let updatedAt = status["updatedAt"]?.numberValue?.doubleValue
            let version = status["version"]?.numberValue?.intValue
            if version == snapshots[position].version && updatedAt == stamps[position] { continue }
            guard let snapshot = try? StreamSnapshot(statusJSON: status, wall: wall) else {
                return nil
            }
            moved.append((position, snapshot, updatedAt))
        }
        for (position, snapshot, updatedAt) in moved {
            snapshots[position] = snapshot
            stamps[position] = updatedAt
        }
        return !moved.isEmpty
    }

    /// The STATUS version of stream `id` (nil: no such stream).
    func version(of id: String) -> Int? {
        index[id].map { snapshots[$0].version }
    }

    /// `{"budget", "used", "pruning", "keptSince", "removedFiles", "removedBytes"}`.
    static func disk(json: JSONValue) -> DiskStatus? {
        guard let budget = json["budget"]?.numberValue?.intValue, let used = json["used"]?.numberValue?.intValue else {
            return nil
        }
        var disk = DiskStatus(budget: budget, used: used)
        disk.pruning = json["pruning"] == .bool(true)
        disk.keptSince = json["keptSince"]?.stringValue.flatMap(UTCTime.init(iso8601:))
        disk.removedFiles = json["removedFiles"]?.numberValue?.intValue ?? 0
        disk.removedBytes = json["removedBytes"]?.numberValue?.intValue ?? 0
        return disk
    }
}
