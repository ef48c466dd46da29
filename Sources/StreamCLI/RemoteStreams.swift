import StreamCore
import StreamEngine

/// The `/v1/streams` body, as an attached monitor keeps it from `/v1/events`, read into what
/// the monitor draws.
///
/// The usual patch replaces leaves of some streams' STATUS (`/streams/N/wireBytes`): each is
/// set on the stream's STATUS where it is (its place in a STATUS is fixed) and on its decoded
/// snapshot (`StreamSnapshot.setLeaf`), so a patch costs what it changes, not a decoding of
/// every STATUS it touches. Any other patch (streams added, removed, moved) is applied to the
/// whole body, which is then read as a new one: each STATUS carries its stream's publication
/// `version` and `updatedAt`, and a stream whose pair did not move keeps the snapshot decoded
/// before. (The version alone is not enough: a stream edited gets a new runner, which counts
/// its versions from 1 again.)
struct RemoteStreams {
    private(set) var snapshots: [StreamSnapshot] = []
    /// Each stream's STATUS as the engine sent it, in the same order.
    private var statuses: [JSONValue] = []
    /// The body without its streams: `version`, `groups`, `disk`.
    private var rest = JSONObject()
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
        self.statuses = statuses
        let members = (body.objectValue ?? JSONObject()).members.filter { $0.key != "streams" }
        rest = JSONObject(members.map { ($0.key, $0.value) })
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

    /// Applies a `/v1/events` patch; returns whether anything the monitor shows changed. A patch
    /// that does not apply throws, changing nothing.
    mutating func apply(_ patch: JSONPatch, wall: WallTime) throws(PatchError) -> Bool {
        if unreadable.isEmpty, let moved = applyLeaves(patch, wall: wall) { return moved }
        var body = self.body
        _ = try body.apply(patch)
        return update(from: body, fresh: false, wall: wall)
    }

    /// The whole body, as the engine sent it.
    var body: JSONValue {
        var object = JSONObject()
        for member in rest.members where member.key == "version" { object[member.key] = member.value }
        object["streams"] = .array(statuses)
        for member in rest.members where member.key != "version" { object[member.key] = member.value }
        return .object(object)
    }

    /// A patch of leaves (and of the version, groups and disk), applied where each leaf is;
    /// nil, changing nothing, when the patch is anything else.
    private mutating func applyLeaves(_ patch: JSONPatch, wall: WallTime) -> Bool? {
        var leaves: [(stream: Int, leaf: Int, value: JSONValue)] = []
        var others: [PatchOperation] = []
        leaves.reserveCapacity(patch.operations.count)
        for operation in patch.operations {
            let tokens = operation.path.tokens
            if let first = tokens.first, first == "version" || first == "groups" || first == "disk" {
                others.append(operation)
                continue
            }
            guard case .replace(let path, let value) = operation, path.tokens.count >= 3, path.tokens[0] == "streams",
                  let stream = Int(path.tokens[1]), stream >= 0, stream < statuses.count,
                  let leaf = RemoteStreams.leaf(path.tokens), leaf != RemoteStreams.idLeaf else { return nil }
            leaves.append((stream, leaf, value))
        }
        // Nothing changes until all of it is known to apply.
        var places: [(Int, Int?)] = []
        places.reserveCapacity(leaves.count)
        for (stream, leaf, _) in leaves {
            guard let place = RemoteStreams.position(of: leaf, in: statuses[stream]) else { return nil }
            places.append(place)
        }
        if !others.isEmpty {
            var rest = JSONValue.object(self.rest)
            guard (try? rest.apply(JSONPatch(others))) != nil, case .object(let object) = rest else { return nil }
            self.rest = object
        }
        var decode: Set<Int> = []
        for ((stream, leaf, value), place) in zip(leaves, places) {
            RemoteStreams.replace(at: place, with: value, in: &statuses[stream])
            if !snapshots[stream].setLeaf(leaf, to: value, wall: wall) { decode.insert(stream) }
        }
        for stream in decode {
            guard let snapshot = try? StreamSnapshot(statusJSON: statuses[stream], wall: wall) else {
                return update(from: body, fresh: false, wall: wall)  // said as unreadable
            }
            snapshots[stream] = snapshot
        }
        let nextDisk = rest["disk"].flatMap(RemoteStreams.disk(json:))
        let diskMoved = nextDisk != disk
        disk = nextDisk
        return !leaves.isEmpty || diskMoved
    }

    /// The leaf a STATUS pointer's tokens (after `streams`, N) name.
    private static func leaf(_ tokens: [String]) -> Int? {
        guard let place = places[tokens[2]] else { return nil }
        switch (tokens.count, place) {
        case (3, .leaf(let leaf, _)): return leaf
        case (4, .object(_, let members)): return members[tokens[3]]?.leaf
        default: return nil
        }
    }

    /// A stream's id does not change in place (another stream there is a new body).
    private static let idLeaf = StatusText.leafPaths.firstIndex(of: "/id")

    /// Each leaf's keys (its member, and its member within that one), in leaf order.
    private static let leafKeys: [(String, String?)] = StatusText.leafPaths.map { path in
        let keys = path.split(separator: "/").map(String.init)
        return (keys[0], keys.count > 1 ? keys[1] : nil)
    }

    /// Where each member of a STATUS is: a leaf (its index, its position in the object), or an
    /// object of leaves (its position, its members').
    private enum Place {
        case leaf(Int, position: Int)
        case object(position: Int, members: [String: (leaf: Int, position: Int)])
    }

    private static let places: [String: Place] = {
        var places: [String: Place] = [:]
        var order: [String] = []
        for (leaf, path) in StatusText.leafPaths.enumerated() {
            let keys = path.split(separator: "/").map(String.init)
            if !order.contains(keys[0]) { order.append(keys[0]) }
            let position = order.firstIndex(of: keys[0])!
            if keys.count == 1 {
                places[keys[0]] = .leaf(leaf, position: position)
            } else if case .object(_, var members)? = places[keys[0]] {
                members[keys[1]] = (leaf, members.count)
                places[keys[0]] = .object(position: position, members: members)
            } else {
                places[keys[0]] = .object(position: position, members: [keys[1]: (leaf, 0)])
            }
        }
        return places
    }()

    /// Where each leaf is in a STATUS: its member's position, and its position within that
    /// member (the sizes' objects), in leaf order.
    private static let leafPlaces: [(Int, Int?)] = StatusText.leafPaths.indices.map { leaf in
        switch places[leafKeys[leaf].0] {
        case .leaf(_, let position)?: return (position, nil)
        case .object(let position, let members)?: return (position, leafKeys[leaf].1.flatMap { members[$0]?.position })
        case nil: return (-1, nil)
        }
    }

    /// Where leaf `leaf` is in `status`; nil when it is not where a STATUS has it (an engine
    /// whose STATUS has other members).
    private static func position(of leaf: Int, in status: JSONValue) -> (Int, Int?)? {
        let (key, innerKey) = leafKeys[leaf]
        let (position, inner) = leafPlaces[leaf]
        guard case .object(let object) = status, position >= 0, position < object.count,
              object.members[position].key == key else { return nil }
        guard let innerKey else { return (position, nil) }
        guard let inner, case .object(let nested) = object.members[position].value, inner < nested.count,
              nested.members[inner].key == innerKey else { return nil }
        return (position, inner)
    }

    /// Sets the leaf at `place` (found by `position(of:in:)`) of `status`, changing the
    /// object's storage in place rather than copying its members.
    private static func replace(at place: (Int, Int?), with value: JSONValue, in status: inout JSONValue) {
        guard case .object(var object) = status else { return }
        let (position, inner) = place
        status = .null  // the object's storage, held once, is changed where it is
        defer { status = .object(object) }
        guard let inner, case .object(var nested) = object.members[position].value else {
            return object.setValue(value, atPosition: position)
        }
        object.setValue(.null, atPosition: position)
        nested.setValue(value, atPosition: inner)
        object.setValue(.object(nested), atPosition: position)
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
        disk.upload = json["upload"].flatMap { try? UploadStatus(statusJSON: $0) }
        return disk
    }
}
