import StreamCore
import StreamEngine

/// A `/v1/streams` body kept in pieces, as `/v1/events` holds it between ticks: each stream's
/// id and STATUS, the groups and the disk. The patch between two bodies compares, leaf by
/// leaf, only the STATUS of streams whose text changed: the same operations in the same order
/// as a diff of the two whole bodies.
///
/// It keeps ids, not snapshots: the store hands out its array of snapshots as it is and copies
/// it at the next publication while a reader holds it, so a body kept between ticks that held
/// them made the engine copy (and release) thousands of large values after each patch.
package struct StatusParts: Sendable {
    package var version: Int
    /// Each stream's id, in the body's order.
    package var ids: [String]
    package var statuses: [StatusText]
    package var groups: JSONValue
    package var disk: JSONValue?
    /// Which streams' STATUS may differ from the body of version `since` (which lists the same
    /// streams in the same order): those whose text is not the very one it held; nil when not
    /// known.
    package var rebuilt: Rebuilt?

    package struct Rebuilt: Sendable {
        package var since: Int
        package var indices: [Int]
    }

    package init(
        version: Int, ids: [String], statuses: [StatusText], groups: JSONValue, disk: JSONValue?,
        rebuilt: Rebuilt? = nil
    ) {
        self.version = version
        self.ids = ids
        self.statuses = statuses
        self.groups = groups
        self.disk = disk
        self.rebuilt = rebuilt
    }

    /// The body as `StatusBody.streams` builds it.
    package var json: JSONValue {
        let values = statuses.map { (try? JSONParser.parse($0.bytes)) ?? .null }
        return StatusBody.streams(version: version, statuses: values, groups: groups, disk: disk)
    }

    /// Whether `snapshots` are of the same streams, in the same order, as this body's.
    package func lists(sameStreamsAs snapshots: [StreamSnapshot]) -> Bool {
        guard ids.count == snapshots.count else { return false }
        for index in snapshots.indices where !ids[index].scalarsEqual(snapshots[index].id) { return false }
        return true
    }

    /// Whether `other` lists the same streams, in the same order.
    package func lists(sameStreamsAs other: StatusParts) -> Bool {
        guard ids.count == other.ids.count else { return false }
        for index in ids.indices where !ids[index].scalarsEqual(other.ids[index]) { return false }
        return true
    }

    /// The text of the patch from `old` to `new`: the bytes of
    /// `JSONWriter.data(JSONDiff.diff(from: old.json, to: new.json).json)`, found stream by
    /// stream when both list the same streams in the same order and both have a disk or
    /// neither (what a diff of the whole bodies does then: `version`, each changed stream's
    /// members in order, `groups`, `disk`); by that diff otherwise. A stream whose STATUS is
    /// the same text (the cache's, unchanged) is not compared at all.
    package static func patch(from old: StatusParts, to new: StatusParts) -> [UInt8] {
        var text = PatchText()
        write(from: old, to: new, into: &text)
        return text.finish()
    }

    /// `SSEFrame.event(event, id: String(id), data: patch(from: old, to: new))`, written in
    /// place: the patch's text is not copied into a frame. `capacity`: the bytes to reserve.
    package static func patchFrame(
        from old: StatusParts, to new: StatusParts, event: StaticString, id: Int, reservingCapacity capacity: Int
    ) -> [UInt8] {
        var text = PatchText(event: event, id: id, reservingCapacity: capacity)
        write(from: old, to: new, into: &text)
        return text.finish()
    }

    private static func write(from old: StatusParts, to new: StatusParts, into text: inout PatchText) {
        guard old.lists(sameStreamsAs: new), (old.disk == nil) == (new.disk == nil) else {
            for operation in JSONDiff.diff(from: old.json, to: new.json).operations {
                text.append(operation, under: "")
            }
            return
        }
        if old.version != new.version { text.replace(path: "/version", value: .number(JSONNumber(new.version))) }
        let changed = new.rebuilt.flatMap { $0.since == old.version ? $0.indices : nil }
            ?? new.statuses.indices.filter { !new.statuses[$0].isSameText(as: old.statuses[$0]) }
        for index in changed {
            new.statuses[index].forEachChangedLeaf(since: old.statuses[index]) { leaf, value in
                text.replace(stream: index, leaf: leaf, value: value)
            }
        }
        diff(old.groups, new.groups, at: "/groups", into: &text)
        if let oldDisk = old.disk, let newDisk = new.disk { diff(oldDisk, newDisk, at: "/disk", into: &text) }
    }

    /// `JSONDiff.diff(from: a, to: b)` with each path under `path` (pointer text).
    private static func diff(_ a: JSONValue, _ b: JSONValue, at path: String, into text: inout PatchText) {
        for operation in JSONDiff.diff(from: a, to: b).operations { text.append(operation, under: path) }
    }
}
