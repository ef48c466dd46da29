import StreamCore
import StreamEngine

/// A `/v1/streams` body kept in pieces, as `/v1/events` holds it between ticks: each stream's
/// snapshot and STATUS, the groups and the disk. The patch between two bodies compares, leaf by
/// leaf, only the STATUS of streams whose snapshot changed: the same operations in the same
/// order as a diff of the two whole bodies.
package struct StatusParts: Sendable {
    package var version: Int
    package var snapshots: [StreamSnapshot]
    package var statuses: [StatusText]
    package var groups: JSONValue
    package var disk: JSONValue?
    /// Which streams' snapshots changed since the body of version `since` (which lists the same
    /// streams in the same order); nil when not known.
    package var rebuilt: Rebuilt?

    package struct Rebuilt: Sendable {
        package var since: Int
        package var indices: [Int]
    }

    package init(
        version: Int, snapshots: [StreamSnapshot], statuses: [StatusText], groups: JSONValue, disk: JSONValue?,
        rebuilt: Rebuilt? = nil
    ) {
        self.version = version
        self.snapshots = snapshots
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
        guard self.snapshots.count == snapshots.count else { return false }
        for index in snapshots.indices where !self.snapshots[index].id.scalarsEqual(snapshots[index].id) {
            return false
        }
        return true
    }

    /// The text of the patch from `old` to `new`: the bytes of
    /// `JSONWriter.data(JSONDiff.diff(from: old.json, to: new.json).json)`, found stream by
    /// stream when both list the same streams in the same order and both have a disk or
    /// neither (what a diff of the whole bodies does then: `version`, each changed stream's
    /// members in order, `groups`, `disk`); by that diff otherwise.
    package static func patch(from old: StatusParts, to new: StatusParts) -> [UInt8] {
        var text = PatchText()
        guard old.lists(sameStreamsAs: new.snapshots), (old.disk == nil) == (new.disk == nil) else {
            for operation in JSONDiff.diff(from: old.json, to: new.json).operations {
                text.append(operation, under: "")
            }
            return text.finish()
        }
        if old.version != new.version { text.replace(path: "/version", value: .number(JSONNumber(new.version))) }
        let changed = new.rebuilt.flatMap { $0.since == old.version ? $0.indices : nil }
            ?? new.snapshots.indices.filter { !StatusCache.same(old.snapshots[$0], new.snapshots[$0]) }
        for index in changed {
            let (before, after) = (old.statuses[index], new.statuses[index])
            for leaf in 0..<StatusText.leafCount where !before.sameValue(leaf, as: after) {
                text.replace(stream: index, leaf: leaf, value: after.value(leaf))
            }
        }
        diff(old.groups, new.groups, at: "/groups", into: &text)
        if let oldDisk = old.disk, let newDisk = new.disk { diff(oldDisk, newDisk, at: "/disk", into: &text) }
        return text.finish()
    }

    /// `JSONDiff.diff(from: a, to: b)` with each path under `path` (pointer text).
    private static func diff(_ a: JSONValue, _ b: JSONValue, at path: String, into text: inout PatchText) {
        for operation in JSONDiff.diff(from: a, to: b).operations { text.append(operation, under: path) }
    }
}
