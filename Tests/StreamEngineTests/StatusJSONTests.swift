import XCTest
@testable import StreamCore
@testable import StreamEngine

/// STATUS, the per-stream JSON of status.json and the control API: encoded and decoded back in
/// another process's clock, it is the snapshot the monitor showed; bad fields are named.
final class StatusJSONTests: XCTestCase {
    /// The encoder's monotonic clock and the receiver's: far apart, as two processes' are.
    let base = Moment(nanoseconds: 1_000_000_000_000_000)
    let receiver = Moment(nanoseconds: 7_500_000_123)

    /// Metrics of a stream that lived: events of every kind, polls, errors, closed change windows.
    func measured(poller: Bool) -> MetricsSnapshot {
        var metrics = StreamMetrics(start: base, changeWindow: .seconds(10))
        metrics.stateChanged(open: true, running: true, at: base)
        var moment = base + .milliseconds(1_234)
        var hash = 1
        for step in 0..<40 {
            moment = moment + .milliseconds(987)
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
            if step == 17 { metrics.recordError(); metrics.recordReconnect(); metrics.recordSkippedPolls(2) }
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
            let text = JSONWriter.data(snapshot.statusJSON)
            let decoded = try StreamSnapshot(statusJSON: try JSONParser.parse(text), now: receiver)
            let shift = receiver - snapshot.metrics.at
            let label = "\(snapshot.id) (\(snapshot.status.state.name))"
            XCTAssertEqual(differences(snapshot, decoded, shift: shift), [], label)
            // The same clock: every moment back as it was, within a millisecond.
            let same = try StreamSnapshot(statusJSON: snapshot.statusJSON, now: snapshot.metrics.at)
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

    /// The keys `streamtop status` and scripts read keep their names and meanings.
    func testTheKeysScriptsReadKeepTheirMeaning() throws {
        let snapshot = snapshots()[5]
        let json = snapshot.statusJSON
        let metrics = snapshot.metrics
        XCTAssertNotNil(metrics.pollSavings)
        XCTAssertEqual(json["state"], "stalled")
        XCTAssertEqual(json["sinceSeconds"]?.numberValue?.doubleValue, 4.326)
        XCTAssertEqual(json["incidentSeconds"]?.numberValue?.doubleValue, 61)
        XCTAssertEqual(json["wireBytes"]?.numberValue?.intValue, Int(metrics.wireBytes))
        XCTAssertEqual(json["wireBytesPerSecond"]?.numberValue?.doubleValue, metrics.wireBytesPerSecond.oneMinute)
        XCTAssertEqual(json["patchesPerMinute"]?.numberValue?.doubleValue, metrics.patchesPerMinute.oneMinute)
        XCTAssertEqual(json["changeFrequency"]?.numberValue?.doubleValue, metrics.changeFrequency)
        XCTAssertEqual(json["pollSavings"]?.numberValue?.doubleValue, metrics.pollSavings)
        XCTAssertEqual(json["lastError"], .string(snapshot.status.lastError!))
        XCTAssertEqual(json["group"], .null)
        XCTAssertEqual(json["version"], 15)
        XCTAssertEqual(snapshots()[0].statusJSON["group"], "quotes")
        XCTAssertEqual(snapshots()[0].statusJSON["pollSavings"], .null)
        XCTAssertEqual(snapshots()[6].statusJSON["nextAttemptSeconds"]?.numberValue?.doubleValue, -0.25)
        XCTAssertEqual(snapshots()[6].statusJSON["attempt"], 12)
        XCTAssertEqual(snapshots()[0].statusJSON["attempt"], .null)
    }

    func testBadFieldsAreNamed() throws {
        let good = snapshots()[6].statusJSON
        func decode(_ edit: (inout JSONObject) -> Void) -> StatusJSONError? {
            var object = good.objectValue!
            edit(&object)
            do {
                _ = try StreamSnapshot(statusJSON: .object(object), now: receiver)
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
            ("next", { $0["nextAttemptSeconds"] = nil },
             .init(field: "nextAttemptSeconds", .invalid("must be a number in state \"failed\", not null"))),
            ("nested", { $0["snapshotSizes"] = sizes("p95", "x") },
             .init(field: "snapshotSizes.p95", .wrongType(expected: "an integer", found: "a string"))),
            ("object", { $0["patchSizes"] = [] },
             .init(field: "patchSizes", .wrongType(expected: "an object", found: "an array"))),
            ("range", { $0["sinceSeconds"] = 1e300 },
             .init(field: "sinceSeconds", .invalid("is out of range: 1e+300 seconds"))),
            ("optional", { $0["lastError"] = 5 },
             .init(field: "lastError", .wrongType(expected: "a string or null", found: "a number"))),
        ]
        for (name, edit, expected) in cases {
            XCTAssertEqual(decode(edit), expected, name)
        }
        XCTAssertThrowsError(try StreamSnapshot(statusJSON: [1], now: receiver)) { error in
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
