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
        var body: JSONObject = [
            "version": .number(JSONNumber(version)),
            "streams": .array(snapshots.map(stream)),
            "groups": StatusFile.groups(snapshots),
        ]
        if let disk { body["disk"] = StatusFile.json(disk) }
        return .object(body)
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
        guard let minutes = json["minutes"]?.arrayValue, let windows = json["changeWindows"]?.arrayValue else { return nil }
        func count(_ value: JSONValue, _ key: String) -> Int64 {
            guard case .number(let number)? = value[key], let integer = number.intValue else { return 0 }
            return Int64(integer)
        }
        return StreamHistory(
            at: at,
            minutes: minutes.map { minute in
                TimeBuckets.Counters(
                    wireBytes: count(minute, "wireBytes"), payloadBytes: count(minute, "payloadBytes"),
                    events: count(minute, "events"), patches: count(minute, "patches"), changes: count(minute, "changes"))
            },
            changeWindows: windows.map { $0 == .bool(true) })
    }
}
