import StreamCore
import StreamEngine

/// The bodies of `GET /v1/streams` and `GET /v1/streams/{id}`: each stream's STATUS (what
/// status.json holds for it) with `updatedAt`, the wall time of its snapshot in seconds since
/// the epoch, so that a client in another process can place every "seconds ago" it holds.
/// Built only from published snapshots: a stream that did not publish gives the same bytes,
/// and `/v1/events` sends no patch for it.
package struct StatusBody: Sendable {
    /// Each stream's STATUS text: the engine's (`Engine.statusTexts`), shared with status.json
    /// and by the copies of this body (the routes' and `/v1/events`').
    private let cache: StatusCache
    /// The engine's moments as wall time (its `wallTime`): a snapshot's times must not move
    /// between two builds.
    package var wall: WallTime { cache.wall }

    package init(texts: StatusCache) {
        cache = texts
    }

    package init(time: any TimeSource, wall: any WallClock) {
        self.init(texts: StatusCache(wall: WallTime(time: time, wall: wall)))
    }

    /// One stream's STATUS.
    package func text(_ snapshot: StreamSnapshot) -> StatusText {
        cache.text(for: snapshot)
    }

    /// One stream's STATUS as a value.
    package func stream(_ snapshot: StreamSnapshot) -> JSONValue {
        snapshot.statusJSON(wall: wall)
    }

    /// `{"version": N, "streams": [STATUS…], "groups": […], "disk": {…}}` as a value.
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
        let texts = cache.texts(for: snapshots)
        return StatusBody.data(
            version: version, texts: texts, groups: StatusFile.groups(snapshots), disk: disk.map(StatusFile.json))
    }

    /// `parts.json` as JSON text.
    package func data(_ parts: StatusParts) -> [UInt8] {
        StatusBody.data(version: parts.version, texts: parts.statuses, groups: parts.groups, disk: parts.disk)
    }

    /// What `JSONWriter` writes for `streams(version:statuses:groups:disk:)`, with each STATUS
    /// already written.
    private static func data(version: Int, texts: [StatusText], groups: JSONValue, disk: JSONValue?) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 64)
        writer.write(groups)
        if let disk {
            writer.appendRaw(",\"disk\":")
            writer.write(disk)
        }
        writer.appendRaw("}")
        let tail = writer.bytes
        // Written into one array of the right size (a body of 5,000 streams is 5 MB): the
        // answer's newline fits without copying it again.
        var body: [UInt8] = []
        body.reserveCapacity(64 + texts.reduce(0) { $0 + $1.bytes.count + 1 } + tail.count + 1)
        body.append(contentsOf: "{\"version\":\(version),\"streams\":[".utf8)
        for (index, text) in texts.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: text.bytes)
        }
        body.append(contentsOf: "],\"groups\":".utf8)
        body.append(contentsOf: tail)
        return body
    }

    /// The body's pieces, with the STATUS texts from the cache, and which streams' STATUS may
    /// have changed since `previous`: those whose text is not the one `previous` holds (the
    /// cache gives the same text again while a snapshot stays the same), found without
    /// comparing (or copying) snapshots.
    package func parts(
        version: Int, snapshots: [StreamSnapshot], disk: DiskStatus?, reusing previous: StatusParts?
    ) -> StatusParts {
        let statuses = cache.texts(for: snapshots)
        var rebuilt: StatusParts.Rebuilt?
        let ids: [String]
        if let previous, previous.lists(sameStreamsAs: snapshots) {
            ids = previous.ids
            var indices: [Int] = []
            for index in statuses.indices where !statuses[index].isSameText(as: previous.statuses[index]) {
                indices.append(index)
            }
            rebuilt = StatusParts.Rebuilt(since: previous.version, indices: indices)
        } else {
            ids = snapshots.map(\.id)
        }
        return StatusParts(
            version: version, ids: ids, statuses: statuses, groups: StatusFile.groups(snapshots),
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
