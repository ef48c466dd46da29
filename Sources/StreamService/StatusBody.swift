import StreamCore
import StreamEngine

/// The bodies of `GET /v1/streams` and `GET /v1/streams/{id}`: each stream's STATUS (what
/// status.json holds for it) with `updatedAt`, the wall time of its snapshot in seconds since
/// the epoch, so that a client in another process can place every "seconds ago" it holds.
/// Built only from published snapshots: a stream that did not publish gives the same bytes,
/// and `/v1/events` sends no patch for it.
package struct StatusBody: Sendable {
    /// Wall seconds minus monotonic seconds, taken once: a snapshot's `updatedAt` must not move
    /// between two builds.
    private let wallOffset: Double
    /// Shared by the copies of this body (the routes' and `/v1/events`'), which write the same
    /// text for the same snapshot.
    private let cache = StatusCache()

    package init(time: any TimeSource, wall: any WallClock) {
        wallOffset = wall.now().secondsSinceEpoch - Double(time.now().nanoseconds) / 1e9
    }

    /// One stream's STATUS.
    package func stream(_ snapshot: StreamSnapshot) -> JSONValue {
        guard case .object(var object) = StatusFile.json(snapshot) else { return .null }
        let seconds = Double(snapshot.metrics.at.nanoseconds) / 1e9 + wallOffset
        object["updatedAt"] = .number(JSONNumber((seconds * 1000).rounded() / 1000) ?? JSONNumber(0))
        object["version"] = .number(JSONNumber(snapshot.version))
        return .object(object)
    }

    /// `{"version": N, "streams": [STATUS…], "groups": […], "disk": {…}}`.
    package func streams(version: Int, snapshots: [StreamSnapshot], disk: DiskStatus?) -> JSONValue {
        StatusBody.streams(
            version: version, statuses: snapshots.map(stream), groups: StatusFile.groups(snapshots),
            disk: disk.map(StatusFile.json))
    }

    /// The body from its pieces.
    package static func streams(version: Int, statuses: [JSONValue], groups: JSONValue, disk: JSONValue?) -> JSONValue {
        var body: JSONObject = ["version": .number(JSONNumber(version)), "streams": .array(statuses), "groups": groups]
        if let disk { body["disk"] = disk }
        return .object(body)
    }

    /// `streams(version:snapshots:disk:)` as JSON text, the body of `GET /v1/streams`: the same
    /// bytes, with the STATUS of each stream that did not publish since the last body taken
    /// from the cache.
    package func data(version: Int, snapshots: [StreamSnapshot], disk: DiskStatus?) -> [UInt8] {
        let texts = cache.texts(for: snapshots) { stream(snapshots[$0]) }
        return StatusBody.data(
            version: version, texts: texts, groups: StatusFile.groups(snapshots), disk: disk.map(StatusFile.json))
    }

    /// `parts.json` as JSON text, through the cache (the STATUS it lacks are in `parts`).
    package func data(_ parts: StatusParts) -> [UInt8] {
        let texts = cache.texts(for: parts.snapshots) { parts.statuses[$0] }
        return StatusBody.data(version: parts.version, texts: texts, groups: parts.groups, disk: parts.disk)
    }

    /// What `JSONWriter` writes for `streams(version:statuses:groups:disk:)`, with each STATUS
    /// already written.
    private static func data(version: Int, texts: [[UInt8]], groups: JSONValue, disk: JSONValue?) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 256)
        writer.appendRaw("{\"version\":")
        writer.write(.number(JSONNumber(version)))
        writer.appendRaw(",\"streams\":[")
        let head = writer.bytes
        writer.removeAll()
        writer.appendRaw("],\"groups\":")
        writer.write(groups)
        if let disk {
            writer.appendRaw(",\"disk\":")
            writer.write(disk)
        }
        writer.appendRaw("}")
        let tail = writer.bytes
        var body: [UInt8] = []
        body.reserveCapacity(head.count + texts.reduce(0) { $0 + $1.count + 1 } + tail.count)
        body += head
        for (index, text) in texts.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += text
        }
        body += tail
        return body
    }

    /// The body's pieces, building STATUS only for the streams whose snapshot is not the same
    /// as in `previous` (the rest are taken from it).
    package func parts(
        version: Int, snapshots: [StreamSnapshot], disk: DiskStatus?, reusing previous: StatusParts?
    ) -> StatusParts {
        var statuses: [JSONValue] = []
        statuses.reserveCapacity(snapshots.count)
        var rebuilt: StatusParts.Rebuilt?
        if let previous, previous.lists(sameStreamsAs: snapshots) {
            var indices: [Int] = []
            previous.snapshots.withUnsafeBufferPointer { old in
                snapshots.withUnsafeBufferPointer { new in
                    for index in new.indices {
                        if StatusCache.same(old[index], new[index]) {
                            statuses.append(previous.statuses[index])
                        } else {
                            statuses.append(stream(new[index]))
                            indices.append(index)
                        }
                    }
                }
            }
            rebuilt = StatusParts.Rebuilt(since: previous.version, indices: indices)
        } else {
            var earlier: [String: Int] = [:]
            for (index, snapshot) in (previous?.snapshots ?? []).enumerated() { earlier[snapshot.id] = index }
            for index in snapshots.indices {
                if let previous, let at = earlier[snapshots[index].id],
                   StatusCache.same(previous.snapshots[at], snapshots[index]) {
                    statuses.append(previous.statuses[at])
                } else {
                    statuses.append(stream(snapshots[index]))
                }
            }
        }
        return StatusParts(
            version: version, snapshots: snapshots, statuses: statuses, groups: StatusFile.groups(snapshots),
            disk: disk.map(StatusFile.json), rebuilt: rebuilt)
    }

    /// The per-minute series behind a stream's sparklines: `{"minutes": [{"wireBytes", …}],
    /// "changeWindows": [true, false, …]}`, oldest first, the last minute being the current one.
    package static func history(_ history: StreamHistory) -> JSONValue {
        [
            "minutes": .array(history.minutes.map { minute in
                [
                    "wireBytes": .number(JSONNumber(Int(minute.wireBytes))),
                    "payloadBytes": .number(JSONNumber(Int(minute.payloadBytes))),
                    "events": .number(JSONNumber(Int(minute.events))),
                    "patches": .number(JSONNumber(Int(minute.patches))),
                    "changes": .number(JSONNumber(Int(minute.changes))),
                ]
            }),
            "changeWindows": .array(history.changeWindows.map { .bool($0) }),
        ]
    }

    /// `history(_:)` read back (a monitor attached over the API); nil when it is not one.
    package static func history(json: JSONValue, at: Moment) -> StreamHistory? {
        guard let minutes = json["minutes"]?.arrayValue, let windows = json["changeWindows"]?.arrayValue else {
            return nil
        }
        func count(_ value: JSONValue, _ key: String) -> Int64 {
            guard case .number(let number)? = value[key], let integer = number.intValue else { return 0 }
            return Int64(integer)
        }
        return StreamHistory(
            at: at,
            minutes: minutes.map { minute in
                TimeBuckets.Counters(
                    wireBytes: count(minute, "wireBytes"), payloadBytes: count(minute, "payloadBytes"),
                    events: count(minute, "events"), patches: count(minute, "patches"),
                    changes: count(minute, "changes"))
            },
            changeWindows: windows.map { $0 == .bool(true) })
    }
}
