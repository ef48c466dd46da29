import XCTest
@testable import StreamCore
@testable import StreamEngine

/// STATUS, the per-stream JSON of status.json and the control API: encoded and decoded back in
/// another process's clock, it is the snapshot the monitor showed; bad fields are named.
final class StatusJSONTests: XCTestCase {
    /// The encoder's monotonic clock and the receiver's: far apart, as two processes' are.
    let base = Moment(nanoseconds: 1_000_000_000_000_000)
    /// Each one's offset to the wall clock (the encoder's moments are in 2026).
    let sender = WallTime(offset: 1_789_000_000)
    let receiving = WallTime(offset: 2_788_992.5)
    /// Where the receiver sees the encoder's moments.
    var shift: Duration { .nanoseconds(Int64(((sender.offset - receiving.offset) * 1e9).rounded())) }

    func decode(_ json: JSONValue, _ wall: WallTime? = nil) throws -> StreamSnapshot {
        try StreamSnapshot(statusJSON: json, wall: wall ?? receiving)
    }

    /// Metrics of a stream that lived: events of every kind, polls, errors, closed change windows.
    func measured(poller: Bool) -> MetricsSnapshot {
        var metrics = StreamMetrics(start: base, changeWindow: .seconds(10))
        metrics.stateChanged(open: true, running: true, at: base)
        var moment = base + .milliseconds(1_234)
        var hash = 1
        for step in 0..<40 {
            moment = moment + .milliseconds(1_987)  // past the minute savings need
            metrics.advance(to: moment) { hash }
            metrics.recordWire(bytes: 300 + step * 7, at: moment)
            if poller {
                if step % 3 == 0 {
                    metrics.recordNotModified(at: moment)
                } else {
                    hash += step % 2
                    metrics.recordPoll(
                        bodyBytes: 2_000 + step, patchBytes: 90 + step, changed: step % 2 == 1, at: moment)
                }
            } else {
                let kind: Observation.Kind = step == 0 ? .snapshot : (step % 5 == 0 ? .text : .patch)
                hash += step % 2
                metrics.record(Observation(
                    kind: kind, payloadBytes: 100 + step * 3, operations: kind == .patch ? 1 + step % 4 : 0,
                    changed: step % 2 == 1, document: nil), at: moment)
            }
            if step == 17 {
                metrics.recordError(at: moment)
                metrics.recordReconnect(at: moment)
                metrics.recordSkippedPolls(2)
            }
        }
        metrics.stateChanged(open: false, running: true, at: moment + .milliseconds(500))
        return metrics.snapshot(at: moment + .milliseconds(2_345))
    }

    /// Every state, each with its moments; with and without group, errors and savings.
    func snapshots() -> [StreamSnapshot] {
        let lived = measured(poller: false)
        let polled = measured(poller: true)
        let fresh = MetricsSnapshot(nothingAt: base + .seconds(3))
        let at = lived.at
        let states: [StreamState] = [
            .idle, .waiting(firstPoll: at + .milliseconds(1_500)), .connecting(attempt: 3), .open,
            .reconnecting(nextAttempt: at + .seconds(2), attempt: 2),
            .stalled(nextAttempt: at + .milliseconds(7), attempt: 1),
            .failed(nextAttempt: at - .milliseconds(250), attempt: 12), .stopped, .stoppedByServer,
        ]
        var result: [StreamSnapshot] = []
        for (index, state) in states.enumerated() {
            let poller = index % 2 == 1
            var status = StreamStatus(state: state, since: at - .milliseconds(4_321 + Int64(index)))
            if index % 3 != 0 {
                status.lastError = "HTTP 503 \"Service Unavailable\" — retry ✓"
                status.incidentSince = at - .seconds(61)
            }
            if index % 4 == 1 { status.storageError = "log: No space left on device" }
            result.append(StreamSnapshot(
                id: "stream-\(index)", name: "Stream \(index)", url: "https://example.test/\(index)?token=REDACTED",
                mode: poller ? .poll : .sse, group: index % 2 == 0 ? "quotes" : nil, status: status,
                metrics: poller ? polled : lived, version: 10 + index))
        }
        var served = result[1]
        served.id = "served"
        served.served = ServedCounters()
        served.served?.clients = 3
        served.served?.sentBytes = 12_345
        served.served?.pollBytes = 99_999
        served.served?.version = 1_796_306_417_033
        result.append(served)
        var empty = result[0]
        empty.id = "fresh"
        empty.metrics = fresh
        empty.status = StreamStatus(state: .idle, since: fresh.at)
        result.append(empty)
        return result
    }

    func testEveryStateRoundTripsInTheReceiversClock() throws {
        let all = snapshots()
        XCTAssertNotNil(all[1].metrics.pollSavings, "a poller with savings")
        XCTAssertNil(all[0].metrics.pollSavings, "a stream without")
        XCTAssertNotNil(all[0].metrics.changeFrequency, "change windows closed")
        XCTAssertGreaterThan(all[0].metrics.changes, 0)
        for snapshot in all {
            // Through text, as it crosses a socket or a file.
            let text = snapshot.statusText(wall: sender).bytes
            let decoded = try decode(try JSONParser.parse(text))
            let label = "\(snapshot.id) (\(snapshot.status.state.name))"
            XCTAssertEqual(differences(snapshot, decoded, shift: shift), [], label)
            // The same clock: every moment back as it was, within a millisecond.
            let same = try decode(snapshot.statusJSON(wall: sender), sender)
            XCTAssertEqual(differences(snapshot, same), [], snapshot.id)
        }
    }

    func testTheComparisonNamesTheFieldThatDiffers() {
        let original = snapshots()[6]
        var changed = original
        changed.metrics.patchSizes.p95 += 1
        changed.status.state = .failed(nextAttempt: original.status.state.nextAttempt! + .milliseconds(2), attempt: 12)
        changed.metrics.lastEventAt = original.metrics.lastEventAt! + .microseconds(900)
        XCTAssertEqual(differences(original, changed).map { String($0.prefix { $0 != ":" }) }, [
            "snapshot.status.state.failed.nextAttempt", "snapshot.metrics.patchSizes.p95",
        ])
    }

    /// The keys `streamtop status` and scripts read keep their names and meanings: times in
    /// seconds since the epoch, measured numbers to four significant digits.
    func testTheKeysScriptsReadKeepTheirMeaning() throws {
        let snapshot = snapshots()[5]
        let json = snapshot.statusJSON(wall: sender)
        let metrics = snapshot.metrics
        func number(_ json: JSONValue, _ key: String) -> Double? { json[key]?.numberValue?.doubleValue }
        let updatedAt = 1_789_000_000 + Double(metrics.at.nanoseconds) / 1e9
        XCTAssertNotNil(metrics.pollSavings)
        XCTAssertEqual(json["state"], "stalled")
        XCTAssertEqual(number(json, "updatedAt")!, updatedAt, accuracy: 1e-6)
        XCTAssertEqual(number(json, "since")!, updatedAt - 4.326, accuracy: 1e-6)
        XCTAssertEqual(number(json, "incidentSince")!, updatedAt - 61, accuracy: 1e-6)
        XCTAssertEqual(number(json, "startedAt")!, updatedAt - metrics.uptime.seconds, accuracy: 1e-6)
        XCTAssertEqual(number(json, "nextAttemptAt")!, updatedAt + 0.007, accuracy: 1e-6)
        XCTAssertEqual(json["wireBytes"]?.numberValue?.intValue, Int(metrics.wireBytes))
        XCTAssertEqual(number(json, "wireBytesPerSecond"), StatusText.measured(metrics.wireBytesPerSecond.oneMinute))
        XCTAssertEqual(number(json, "patchesPerMinute"), StatusText.measured(metrics.patchesPerMinute.oneMinute))
        XCTAssertEqual(number(json, "changeFrequency"), metrics.changeFrequency.map(StatusText.measured))
        XCTAssertEqual(number(json, "pollSavings"), metrics.pollSavings.map(StatusText.measured))
        XCTAssertEqual(json["lastError"], .string(snapshot.status.lastError!))
        XCTAssertEqual(json["group"], .null)
        XCTAssertEqual(json["version"], 15)
        let first = snapshots()[0].statusJSON(wall: sender)
        XCTAssertEqual(first["group"], "quotes")
        XCTAssertEqual(first["pollSavings"], .null)
        XCTAssertEqual(first["nextAttemptAt"], .null)
        XCTAssertEqual(first["attempt"], .null)
        let failed = snapshots()[6].statusJSON(wall: sender)
        XCTAssertEqual(number(failed, "nextAttemptAt")!, number(failed, "updatedAt")! - 0.25, accuracy: 1e-6)
        XCTAssertEqual(failed["attempt"], 12)
    }

    func testMeasuredNumbersKeepFourSignificantDigits() {
        let cases: [(Double, Double)] = [
            (1234.5678, 1235), (0.012345678, 0.01235), (123_456_789, 123_500_000), (-0.98765, -0.9877),
            (1, 1), (0, 0), (59.0 / 60, 0.9833), (1e-9 / 3, 3.333e-10), (.infinity, .infinity),
        ]
        for (value, expected) in cases {
            XCTAssertEqual(StatusText.measured(value), expected, "\(value)")
        }
        // Written as the shortest text: no 1234.0000000001.
        let snapshot = snapshots()[0]
        var metrics = snapshot.metrics
        metrics.wireBytesPerSecond = Rate(oneMinute: 10.0 / 3, fifteenMinutes: 2e7 / 3)
        var measured = snapshot
        measured.metrics = metrics
        let text = String(decoding: measured.statusText(wall: sender).bytes, as: UTF8.self)
        XCTAssertTrue(text.contains("\"wireBytesPerSecond\":3.333,\"wireBytesPerSecond15m\":6667000,"), text)
    }

    /// Every STATUS has the same leaves in the same order, whatever its state: what lets two be
    /// compared leaf by leaf. Each leaf's bounds hold its value's text.
    func testEveryStatusHasTheSameLeaves() throws {
        XCTAssertEqual(StatusText.leafPaths.count, 64)
        XCTAssertEqual(StatusText.leafPaths.first, "/id")
        XCTAssertTrue(StatusText.leafPaths.contains("/patchSizes/p95"))
        for path in StatusText.leafPaths {
            XCTAssertTrue(path.allSatisfy { $0.isLetter || $0.isNumber || $0 == "/" }, path)
        }
        for snapshot in snapshots() {
            let text = snapshot.statusText(wall: sender)
            let json = try JSONParser.parse(text.bytes)
            for (leaf, path) in StatusText.leafPaths.enumerated() {
                let value = try JSONParser.parse(Array(text.value(leaf)))
                XCTAssertEqual(try json.value(at: JSONPointer(path)), value, "\(snapshot.id) \(path)")
            }
        }
    }

    /// An attached monitor sets the leaves that a patch replaces on the snapshot it decoded
    /// before: for two STATUS of a stream, that gives what decoding the second one gives. Only
    /// the state (with its attempt and next attempt) and the mode need a whole decode.
    func testSettingTheLeavesThatDifferGivesTheSecondStatus() throws {
        let all = snapshots()
        var pairs: [(StreamSnapshot, StreamSnapshot)] = []
        for (index, first) in all.enumerated() {
            for other in all {
                // The same stream later: other numbers, errors and names, the same state or not.
                var later = first
                later.metrics = other.metrics
                later.status.lastError = other.status.lastError
                later.status.incidentSince = other.status.incidentSince
                later.status.storageError = other.status.storageError
                later.name = other.name
                later.group = other.group
                later.version = other.version
                if index % 3 == 0 { later.status.state = other.status.state }
                pairs.append((first, later))
            }
        }
        var wholeDecodes = 0
        for (first, second) in pairs {
            let (a, b) = (first.statusText(wall: sender), second.statusText(wall: sender))
            var snapshot = try decode(try JSONParser.parse(a.bytes))
            var whole = false
            // The leaves that differ, as the patches of `/v1/events` find them: the same as leaf
            // by leaf, with the same values.
            var changed: [(Int, [UInt8])] = []
            b.forEachChangedLeaf(since: a) { leaf, value in changed.append((leaf, Array(value))) }
            let expectedChanges = (0..<StatusText.leafCount).filter { !a.sameValue($0, as: b) }
            XCTAssertEqual(changed.map(\.0), expectedChanges, "\(first.id) → \(second.id)")
            XCTAssertEqual(changed.map(\.1), expectedChanges.map { Array(b.value($0)) })
            XCTAssertFalse(b.isSameText(as: a) && !expectedChanges.isEmpty)
            for leaf in 0..<StatusText.leafCount where !a.sameValue(leaf, as: b) {
                let value = try JSONParser.parse(Array(b.value(leaf)))
                if !snapshot.setLeaf(leaf, to: value, wall: receiving) { whole = true }
            }
            let expected = try decode(try JSONParser.parse(b.bytes))
            if whole {
                wholeDecodes += 1
                XCTAssertNotEqual(first.status.state, second.status.state, "only the state needs a whole decode")
                continue
            }
            XCTAssertEqual(differences(expected, snapshot), [], "\(first.id) → \(second.id)")
            XCTAssertEqual(snapshot, expected)
        }
        XCTAssertGreaterThan(pairs.count - wholeDecodes, 60)
        // A value of the wrong type changes nothing and says so.
        var snapshot = try decode(all[0].statusJSON(wall: sender))
        let before = snapshot
        let wireBytes = StatusText.leafPaths.firstIndex(of: "/wireBytes")!
        XCTAssertFalse(snapshot.setLeaf(wireBytes, to: "12", wall: receiving))
        XCTAssertFalse(snapshot.setLeaf(StatusText.leafPaths.firstIndex(of: "/state")!, to: "open", wall: receiving))
        XCTAssertFalse(snapshot.setLeaf(-1, to: 1, wall: receiving))
        XCTAssertEqual(snapshot, before)
    }

    func testBadFieldsAreNamed() throws {
        let good = snapshots()[6].statusJSON(wall: sender)
        func decode(_ edit: (inout JSONObject) -> Void) -> StatusJSONError? {
            var object = good.objectValue!
            edit(&object)
            do {
                _ = try StreamSnapshot(statusJSON: .object(object), wall: receiving)
                return nil
            } catch {
                return error
            }
        }
        func sizes(_ key: String, _ value: JSONValue) -> JSONValue {
            var sizes = good["snapshotSizes"]!.objectValue!
            sizes[key] = value
            return .object(sizes)
        }
        let cases: [(String, (inout JSONObject) -> Void, StatusJSONError)] = [
            ("missing", { $0["events"] = nil }, .init(field: "events", .missing)),
            ("type", { $0["wireBytes"] = "12" },
             .init(field: "wireBytes", .wrongType(expected: "an integer", found: "a string"))),
            ("fraction", { $0["errors"] = 1.5 }, .init(field: "errors", .invalid("must be an integer, not 1.5"))),
            ("state", { $0["state"] = "asleep" }, .init(field: "state", .invalid("is not a state: \"asleep\""))),
            ("mode", { $0["mode"] = "pigeon" }, .init(field: "mode", .invalid("is not a mode: \"pigeon\""))),
            ("attempt", { $0["attempt"] = .null },
             .init(field: "attempt", .invalid("must be an integer in state \"failed\", not null"))),
            ("next", { $0["nextAttemptAt"] = nil },
             .init(field: "nextAttemptAt", .invalid("must be a number in state \"failed\", not null"))),
            ("nested", { $0["snapshotSizes"] = sizes("p95", "x") },
             .init(field: "snapshotSizes.p95", .wrongType(expected: "an integer", found: "a string"))),
            ("object", { $0["patchSizes"] = [] },
             .init(field: "patchSizes", .wrongType(expected: "an object", found: "an array"))),
            ("range", { $0["since"] = 1e300 },
             .init(field: "since", .invalid("is out of range: 1e+300 seconds since the epoch"))),
            ("time", { $0["updatedAt"] = "now" },
             .init(field: "updatedAt", .wrongType(expected: "a number", found: "a string"))),
            ("optional", { $0["lastError"] = 5 },
             .init(field: "lastError", .wrongType(expected: "a string or null", found: "a number"))),
        ]
        for (name, edit, expected) in cases {
            XCTAssertEqual(decode(edit), expected, name)
        }
        XCTAssertThrowsError(try StreamSnapshot(statusJSON: [1], wall: receiving)) { error in
            let expected = StatusJSONError(field: "(status)", .wrongType(expected: "an object", found: "an array"))
            XCTAssertEqual(error as? StatusJSONError, expected)
        }
        XCTAssertEqual(
            StatusJSONError(field: "snapshotSizes.p95", .wrongType(expected: "an integer", found: "a string"))
                .description,
            "status field \"snapshotSizes.p95\" must be an integer, not a string")
    }

    func testAlertsAndDiskRoundTrip() throws {
        let alert = AlertEvent(
            sequence: 42, stream: "quotes", message: "quotes is failed since 12:00 \"x\"", recovered: true)
        XCTAssertEqual(try AlertEvent(json: try JSONParser.parse(JSONWriter.data(alert.json))), alert)
        var broken = alert.json.objectValue!
        broken["recovered"] = nil
        XCTAssertThrowsError(try AlertEvent(json: .object(broken))) { error in
            XCTAssertEqual(error as? StatusJSONError, .init(field: "alert.recovered", .missing))
        }
        var disk = DiskStatus(budget: 10 << 30, used: 9 << 30)
        XCTAssertEqual(try DiskStatus(statusJSON: disk.statusJSON), disk)
        disk.pruning = true
        disk.keptSince = UTCTime(secondsSinceEpoch: 1_790_000_000.123)
        disk.removedFiles = 42
        disk.removedBytes = 1 << 30
        XCTAssertEqual(try DiskStatus(statusJSON: try JSONParser.parse(JSONWriter.data(disk.statusJSON))), disk)
        var bad = disk.statusJSON.objectValue!
        bad["keptSince"] = "yesterday"
        XCTAssertThrowsError(try DiskStatus(statusJSON: .object(bad))) { error in
            let reason = "is not an ISO 8601 time: \"yesterday\""
            XCTAssertEqual(error as? StatusJSONError, .init(field: "disk.keptSince", .invalid(reason)))
        }
    }
}
