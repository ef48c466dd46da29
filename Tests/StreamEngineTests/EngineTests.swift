import Foundation
import TestSupport
import XCTest
@testable import LocalServer
@testable import StreamCore
@testable import StreamEngine

/// The engine running registered streams against LocalServer: states, metrics, snapshots,
/// status.json, logs and the archive.
final class EngineTests: XCTestCase {
    var server: LocalServer!
    var directory: String!

    override func setUpWithError() throws {
        server = try LocalServer(configuration: .init(apis: [
            .init(name: "quotes", kind: "quotes", period: .milliseconds(50)),
            .init(name: "weather", kind: "weather", period: .milliseconds(50)),
        ], retryMilliseconds: 50))
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-engine-\(UUID().uuidString)").path
    }

    override func tearDownWithError() throws {
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Waits (polling the store, which is what the UI does) until `condition` holds; returns
    /// the snapshots that met it. A thin wrapper of the shared `waitUntil`.
    func waitFor(
        _ engine: Engine, _ what: String = "the engine's snapshots to reach the condition",
        file: StaticString = #filePath, line: UInt = #line, _ condition: ([String: StreamSnapshot]) -> Bool
    ) -> [String: StreamSnapshot] {
        var seen: [String: StreamSnapshot] = [:]
        let reached = waitUntil("\(what); last seen: \(describe(seen))", timeout: 20, file: file, line: line) {
            seen = Dictionary(uniqueKeysWithValues: engine.store.latest().snapshots.map { ($0.id, $0) })
            return condition(seen)
        }
        return reached ? seen : [:]
    }

    /// Each stream's state, for a failure message.
    func describe(_ snapshots: [String: StreamSnapshot]) -> String {
        snapshots.keys.sorted().map { "\($0): \(snapshots[$0]!.status.state)" }.joined(separator: ", ")
    }

    func testStreamsAndPollersRunPublishAndRecord() throws {
        let specs = [
            StreamSpec(id: "quotes", name: "Quotes", url: server.baseURL + "/sse/quotes?token=secret", group: "q", autostart: true),
            StreamSpec(id: "weather", name: "Weather", url: server.baseURL + "/poll/weather", mode: .poll, interval: 1, autostart: true),
            StreamSpec(id: "quotes-polled", name: "Quotes polled", url: server.baseURL + "/poll/quotes", mode: .poll, interval: 1, group: "q", autostart: true),
            StreamSpec(id: "idle", name: "Idle", url: server.baseURL + "/sse/quotes"),
        ]
        let engine = try Engine(specs: specs, stateDirectory: directory)
        let initial = engine.store.latest().snapshots
        XCTAssertEqual(initial.map(\.status.state), [.idle, .idle, .idle, .idle], "every stream is published from the start")
        engine.startAutostart()
        let running = waitFor(engine, "five patches, two polls of weather and one of quotes-polled") { snapshots in
            (snapshots["quotes"]?.metrics.patches ?? 0) >= 5 && (snapshots["weather"]?.metrics.polls ?? 0) >= 2
                && (snapshots["quotes-polled"]?.metrics.polls ?? 0) >= 1
        }
        let quotes = running["quotes"]!
        XCTAssertEqual(quotes.status.state, .open)
        XCTAssertEqual(quotes.url, server.baseURL + "/sse/quotes?token=REDACTED")
        XCTAssertEqual(quotes.metrics.snapshots, 1)
        XCTAssertGreaterThan(quotes.metrics.wireBytes, quotes.metrics.payloadBytes / 2)
        XCTAssertGreaterThan(quotes.metrics.patchSizes.median, 0)
        let weather = running["weather"]!
        XCTAssertEqual(weather.status.state, .open)
        XCTAssertGreaterThan(weather.metrics.wouldBePatchBytes, 0, "each poll knows the patch a stream would have sent")
        XCTAssertGreaterThan(weather.metrics.pollBodyBytes, 0)
        XCTAssertNil(weather.metrics.pollSavings, "said after a minute of running (SavingsTests), not before")
        XCTAssertEqual(running["idle"]?.status.state, .idle)
        // Sparkline data is asked for per stream: the current minute holds what came so far.
        let history = try XCTUnwrap(engine.history(id: "quotes"))
        XCTAssertEqual(history.minutes.count, 120)
        XCTAssertGreaterThanOrEqual(history.minutes.reduce(0) { $0 + $1.patches }, 5)
        XCTAssertGreaterThan(history.minutes.reduce(0) { $0 + $1.wireBytes }, 0)
        XCTAssertNil(engine.history(id: "no-such-stream"))

        try engine.writeStatus(at: UTCTime(secondsSinceEpoch: 0))
        let status = try StatusFile.read(path: directory + "/status.json")
        XCTAssertEqual(status["streams"]?.arrayValue?.map { $0["id"] }, ["idle", "quotes", "quotes-polled", "weather"])
        XCTAssertEqual(status["groups"]?[0]?["streamed"], "quotes")
        XCTAssertEqual(status["groups"]?[0]?["polled"], "quotes-polled")
        // Bytes streamed against bytes polled over the same running time: null for its first minute.
        XCTAssertEqual(status["groups"]?[0]?["savings"], .null)
        XCTAssertEqual(status["streams"]?[1]?["state"], "open")

        engine.stop(id: "quotes")
        _ = waitFor(engine, "quotes to stop") { $0["quotes"]?.status.state == .stopped }
        engine.shutdown()

        let log = try JSONLinesReader.readFile(path: directory + "/logs/quotes.jsonl")
        XCTAssertTrue(log.warnings.isEmpty)
        let kinds = Set(log.records.compactMap { $0["kind"]?.stringValue })
        XCTAssertTrue(kinds.isSuperset(of: ["connect", "response", "event", "state", "close"]), "\(kinds)")
        XCTAssertFalse(try String(contentsOfFile: directory + "/logs/quotes.jsonl", encoding: .utf8).contains("secret"), "credentials stay out of logs")
        let response = log.records.first { $0["kind"] == "response" }
        XCTAssertEqual(response?["status"], 200)
        XCTAssertEqual(response?["headers"]?["content-type"], "text/event-stream")
        XCTAssertNotNil(response?["milliseconds"]?.numberValue)
        let archived = try FileManager.default.contentsOfDirectory(atPath: directory + "/archive/quotes")
        XCTAssertEqual(archived.count, 1)
        let records = try JSONLinesReader.readFile(path: directory + "/archive/quotes/" + archived[0]).records
        XCTAssertEqual(records.first?["kind"], "counters", "a run begins with its counters at zero")
        XCTAssertEqual(records.first?["events"], 0)
        XCTAssertEqual(records.first { $0["kind"] == "event" }?["type"], "data")
        XCTAssertEqual(records.last?["kind"], "counters", "and ends with them")
        XCTAssertGreaterThan(records.count, 5)
    }

    func testFailingStreamsShowTheirStateAndError() throws {
        let specs = [
            StreamSpec(id: "broken", name: "Broken", url: server.baseURL + "/sse/quotes?fault=500", autostart: true),
            StreamSpec(id: "gone", name: "Gone", url: server.baseURL + "/sse/quotes?fault=204", autostart: true),
            StreamSpec(id: "bad-patch", name: "Bad patch", url: server.baseURL + "/sse/quotes?fault=malformed-patch", autostart: true),
        ]
        let engine = try Engine(specs: specs, stateDirectory: nil)
        engine.startAutostart()
        let seen = waitFor(engine, "broken failed, gone stopped by the server, bad-patch reconnected") { snapshots in
            if case .failed = snapshots["broken"]?.status.state {} else { return false }
            return snapshots["gone"]?.status.state == .stoppedByServer && (snapshots["bad-patch"]?.metrics.reconnects ?? 0) >= 1
        }
        XCTAssertEqual(seen["broken"]?.status.lastError, "HTTP 500: simulated failure")
        XCTAssertGreaterThan(seen["broken"]?.metrics.errors ?? 0, 0)
        XCTAssertTrue(seen["bad-patch"]?.status.lastError?.hasPrefix("patch failed") == true)
        engine.shutdown()
    }

    func testStalledAndDroppedStreamsGoThroughTheirStatesAndComeBack() throws {
        let specs = [
            StreamSpec(id: "stuck", name: "Stuck", url: server.baseURL + "/sse/quotes?fault=stall", autostart: true, stall: 1),
            StreamSpec(id: "dropped", name: "Dropped", url: server.baseURL + "/sse/quotes?fault=drop", autostart: true),
        ]
        let engine = try Engine(specs: specs, stateDirectory: directory)
        engine.startAutostart()
        let seen = waitFor(engine, "stuck to reconnect after its stall and dropped to reconnect twice") { snapshots in
            // The stalled stream has reconnected (connecting again after its stall), not just
            // scheduled it: the log below must show the whole cycle.
            guard let stuck = snapshots["stuck"], stuck.metrics.reconnects >= 1 else { return false }
            if case .stalled = stuck.status.state { return false }
            return (snapshots["dropped"]?.metrics.reconnects ?? 0) >= 2
        }
        XCTAssertEqual(seen["stuck"]?.status.lastError, "stalled: no data for 1 s")
        engine.shutdown()

        func states(_ id: String) throws -> [String] {
            try JSONLinesReader.readFile(path: directory + "/logs/\(id).jsonl").records
                .filter { $0["kind"] == "state" }.compactMap { $0["state"]?.stringValue }
        }
        let stuck = try states("stuck")
        XCTAssertEqual(Array(stuck.prefix(4)), ["connecting", "open", "stalled", "connecting"], "\(stuck)")
        let dropped = try states("dropped")
        XCTAssertEqual(Array(dropped.prefix(4)), ["connecting", "open", "reconnecting", "connecting"], "\(dropped)")
        XCTAssertEqual(dropped.last, "stopped")
    }

    func testStreamsAPersonStartedResumeOnTheNextStart() throws {
        let registryFile = RegistryFile(path: directory + "/streams.json")
        var registry = Registry()
        try registry.add(StreamSpec(id: "quotes", name: "Quotes", url: server.baseURL + "/sse/quotes", autostart: true))
        try registry.add(StreamSpec(id: "weather", name: "Weather", url: server.baseURL + "/poll/weather", mode: .poll, interval: 1))
        try registryFile.save(registry)

        let engine = try Engine(specs: registry.streams, stateDirectory: directory, registryFile: registryFile)
        engine.startAutostart()
        XCTAssertNil(engine.start(id: "weather"))
        XCTAssertNil(engine.stop(id: "quotes"))
        _ = waitFor(engine, "quotes stopped and weather open") {
            $0["quotes"]?.status.state == .stopped && $0["weather"]?.status.state == .open
        }
        XCTAssertEqual(try registryFile.load().streams.map(\.autostart), [false, true], "each choice is written at once")
        engine.shutdown()
        XCTAssertEqual(try registryFile.load().streams.map(\.autostart), [false, true], "ending streamtop is not a choice to stop them")

        let again = try Engine(specs: try registryFile.load().streams, stateDirectory: directory, registryFile: registryFile)
        again.startAutostart()
        let resumed = waitFor(again, "weather open again") { $0["weather"]?.status.state == .open }
        XCTAssertEqual(resumed["quotes"]?.status.state, .idle)
        again.shutdown()

        // A registry that has become invalid is never overwritten; the stream starts anyway.
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: registryFile.path))
        let broken = try Engine(specs: registry.streams, stateDirectory: directory, registryFile: registryFile)
        let problem = broken.start(id: "quotes")
        XCTAssertTrue(problem?.description.contains("streams.json") == true, "\(String(describing: problem))")
        _ = waitFor(broken, "quotes open") { $0["quotes"]?.status.state == .open }
        broken.shutdown()
        XCTAssertEqual(try String(contentsOfFile: registryFile.path, encoding: .utf8), "{ not json")
    }

    /// What the monitor's keys do while everything runs: register, edit, restart and delete
    /// streams, each saved to the registry at once; a refused change saves nothing.
    func testStreamsAreAddedEditedRestartedAndRemovedWhileRunning() throws {
        let registryFile = RegistryFile(path: directory + "/streams.json")
        try registryFile.save(Registry())
        let engine = try Engine(specs: [], stateDirectory: directory, registryFile: registryFile)
        defer { engine.shutdown() }

        try engine.add(StreamSpec(id: "quotes", name: "Quotes", url: server.baseURL + "/sse/quotes", autostart: true))
        try engine.add(StreamSpec(id: "weather", name: "Weather", url: server.baseURL + "/poll/weather", mode: .poll, interval: 1))
        var seen = waitFor(engine, "two patches of quotes") { ($0["quotes"]?.metrics.patches ?? 0) >= 2 }
        XCTAssertEqual(seen["weather"]?.status.state, .idle, "added without autostart: registered, not started")
        XCTAssertEqual(try registryFile.load().streams.map(\.id), ["quotes", "weather"])
        XCTAssertThrowsError(try engine.add(StreamSpec(id: "quotes", name: "Again", url: server.baseURL + "/sse/quotes"))) { error in
            XCTAssertTrue("\(error)".contains("\"quotes\" is already registered"), "\(error)")
        }
        XCTAssertEqual(try registryFile.load().streams.count, 2)

        // Restart: a new connection and a fresh snapshot.
        let snapshotsBefore = seen["quotes"]!.metrics.snapshots
        engine.restart(id: "quotes")
        seen = waitFor(engine, "a fresh snapshot of the restarted quotes") {
            ($0["quotes"]?.metrics.snapshots ?? 0) > snapshotsBefore && $0["quotes"]?.status.state == .open
        }
        XCTAssertEqual(seen["quotes"]?.metrics.snapshots, snapshotsBefore + 1)

        // Edit: the running stream moves to its new URL and keeps running.
        var edited = try XCTUnwrap(engine.specs.first { $0.id == "quotes" })
        edited.url = server.baseURL + "/sse/weather"
        edited.name = "Weather stream"
        let versionBefore = try XCTUnwrap(engine.store.snapshot(id: "quotes")).version
        try engine.update(edited)
        seen = waitFor(engine, "the edited quotes open at its new URL") {
            $0["quotes"]?.name == "Weather stream" && ($0["quotes"]?.metrics.snapshots ?? 0) >= 1
                && $0["quotes"]?.status.state == .open
        }
        XCTAssertEqual(seen["quotes"]?.url, server.baseURL + "/sse/weather")
        XCTAssertGreaterThan(seen["quotes"]?.version ?? 0, versionBefore, "versions carry on through an edit")
        XCTAssertEqual(try registryFile.load().spec(id: "quotes")?.url, server.baseURL + "/sse/weather")
        var invalid = edited
        invalid.url = "ftp://nope"
        XCTAssertThrowsError(try engine.update(invalid))
        XCTAssertEqual(try registryFile.load().spec(id: "quotes")?.url, server.baseURL + "/sse/weather", "a refused edit saves nothing")

        // The log pane's entries: the last ones, read back from the log, oldest first.
        let log = engine.recentLog(id: "quotes")
        XCTAssertTrue(log.contains { $0.kind == "connect" })
        XCTAssertTrue(log.contains { $0.kind == "event" })
        XCTAssertEqual(engine.document(id: "quotes").map { _ in true }, true, "the detail view's document")

        // Remove: stopped, gone from the snapshots and the registry; its log stays.
        try engine.remove(id: "quotes")
        XCTAssertNil(engine.store.snapshot(id: "quotes"), "gone as soon as remove returns")
        // Its connection ends afterwards (the log says so): that must not bring the row back.
        let logPath = directory + "/logs/quotes.jsonl"
        waitUntil("the removed stream's log to end with its stop") {
            (try? JSONLinesReader.readFile(path: logPath).records.last?["state"]) == "stopped"
        }
        seen = waitFor(engine, "the current snapshots") { _ in true }
        XCTAssertEqual(Array(seen.keys), ["weather"])
        XCTAssertEqual(try registryFile.load().streams.map(\.id), ["weather"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/logs/quotes.jsonl"))
        XCTAssertTrue(engine.recentLog(id: "quotes").isEmpty, "a removed stream has no log in memory")
    }

    /// A stream is broken while errors keep coming, whatever its state: one that connects and
    /// closes at once, one whose first patch always fails, and one told to wait longer than
    /// its threshold all alert; one the server closes after events and that resumes never does.
    /// The incident's start stays put while the state flips.
    func testEveryBrokenStreamIsToldAndAHealthyFlapperNever() throws {
        let patient = try LocalServer(configuration: .init(apis: [.init(name: "quotes", kind: "quotes", period: .milliseconds(50))],
                                                           retryMilliseconds: 99_999_999_999))
        defer { patient.stop() }
        let notify = NotifySpec(command: ["/bin/true"], after: 1)
        let engine = try Engine(specs: [
            StreamSpec(id: "empty", name: "Empty", url: server.baseURL + "/sse/quotes?fault=empty", notify: notify, autostart: true),
            StreamSpec(id: "patchy", name: "Patchy", url: server.baseURL + "/sse/quotes?fault=malformed-patch", notify: notify, autostart: true),
            StreamSpec(id: "waits", name: "Waits", url: patient.baseURL + "/sse/quotes?fault=drop", notify: notify, autostart: true,
                       maxRetry: 300),
            StreamSpec(id: "cycled", name: "Cycled", url: server.baseURL + "/sse/quotes?fault=cycle", notify: notify, autostart: true),
        ], stateDirectory: directory)
        defer { engine.shutdown() }
        engine.startAutostart()
        func alerted() -> Set<String> { Set(engine.store.alerts(after: 0).filter { !$0.recovered }.map(\.stream)) }
        waitUntil("alerts for every broken stream, not \(alerted())") { alerted().isSuperset(of: ["empty", "patchy", "waits"]) }
        let seen = waitFor(engine, "cycled to reconnect three times and empty twice") {
            ($0["cycled"]?.metrics.reconnects ?? 0) >= 3 && ($0["empty"]?.metrics.reconnects ?? 0) >= 2
        }
        XCTAssertFalse(alerted().contains("cycled"), "closed after events, resumed: healthy")
        XCTAssertNil(seen["cycled"]?.status.incidentSince)
        XCTAssertEqual(seen["cycled"]?.metrics.errors, 0)
        let empty = try XCTUnwrap(seen["empty"])
        let since = try XCTUnwrap(empty.status.incidentSince)
        XCTAssertLessThan(since, empty.status.since, "the incident began before the current state")
        XCTAssertEqual(empty.status.lastError, "the server closed the stream before sending any event")
        // The server's retry of 3 years is capped at the stream's maxRetry.
        XCTAssertEqual(seen["waits"]?.status.lastError, "the server asked to wait 300 s before reconnecting")
        let message = try XCTUnwrap(engine.store.alerts(after: 0).first { $0.stream == "patchy" }?.message)
        XCTAssertTrue(message.contains("patch failed"), message)
    }

    /// A poller whose response is slower than its interval, restarted and then stopped (`r`,
    /// then Space): one request in flight at a time, and a late completion of the old poller
    /// never revives it. The engine runs on a manual clock: every tick is one the test made.
    func testASlowPollerRestartedThenStoppedStaysStopped() throws {
        let time = ManualScheduler()
        let engine = try Engine(specs: [
            StreamSpec(id: "slow", name: "Slow", url: server.baseURL + "/poll/quotes?fault=hold", mode: .poll, interval: 1, autostart: true),
        ], stateDirectory: directory, time: time)
        defer { engine.shutdown() }
        engine.startAutostart()
        func requests() -> Int { server.requestCount(path: "/poll/quotes") }
        // The first poll comes within its interval (spread by the stream's id).
        waitUntil("the first request") {
            time.advance(by: .milliseconds(100))
            return requests() == 1
        }
        time.advance(by: .seconds(3))
        XCTAssertEqual(requests(), 1, "one request in flight")
        engine.restart(id: "slow")
        waitUntil("the restarted poller's first request") {
            time.advance(by: .milliseconds(100))
            return requests() == 2
        }
        XCTAssertNil(engine.stop(id: "slow"))
        waitUntil("the stream to stop") {
            time.advance(by: .milliseconds(100))
            return engine.store.snapshot(id: "slow")?.status.state == .stopped
        }
        server.releaseHeldPolls()
        time.advance(by: .seconds(5))
        XCTAssertEqual(time.pendingCount, 0, "no poller is left ticking")
        XCTAssertEqual(requests(), 2)
        XCTAssertEqual(engine.store.snapshot(id: "slow")?.status.state, .stopped)
    }

    /// Another process (`streamtop add`, `remove`, an edit by hand) changes the registry while
    /// the engine runs: the follower takes the changes in; the engine's own saves and a
    /// changed `autostart` alone change nothing; a broken file is reported once and the
    /// streams carry on; a missing file stops nothing.
    func testTheEngineFollowsChangesOtherProcessesMakeToTheRegistry() throws {
        let path = directory + "/streams.json"
        let quotes = StreamSpec(id: "quotes", name: "Quotes", url: server.baseURL + "/sse/quotes", autostart: true)
        let weather = StreamSpec(id: "weather", name: "Weather", url: server.baseURL + "/poll/weather", mode: .poll, interval: 1, autostart: true)
        try RegistryFile(path: path).save(try Registry(streams: [quotes, weather]))
        let engine = try Engine(specs: [quotes, weather], stateDirectory: directory, registryFile: RegistryFile(path: path))
        defer { engine.shutdown() }
        let follower = RegistryFollower(file: RegistryFile(path: path), engine: engine)
        engine.startAutostart()
        _ = waitFor(engine, "quotes open") { $0["quotes"]?.status.state == .open }
        XCTAssertNil(follower.check(), "nothing changed yet")

        // The engine's own saves (a person stops a stream) are nothing to follow.
        engine.stop(id: "weather")
        XCTAssertNil(follower.check())

        // Another process adds one stream, removes one and edits one.
        let other = RegistryFile(path: path)  // as `streamtop add` would
        let scores = StreamSpec(id: "scores", name: "Scores", url: server.baseURL + "/sse/weather", autostart: true)
        try other.change { (registry: inout Registry) throws(SpecError) in
            try registry.add(scores)
            _ = registry.remove(id: "weather")
            var edited = quotes
            edited.name = "Quotes, renamed"
            try registry.update(edited)
        }
        XCTAssertEqual(follower.check(), .followed(.init(added: ["scores"], removed: ["weather"], edited: ["quotes"])))
        XCTAssertEqual(follower.check(), nil, "followed once")
        let seen = waitFor(engine, "scores open and quotes renamed and open") {
            $0["scores"]?.status.state == .open && $0["quotes"]?.name == "Quotes, renamed"
                && $0["quotes"]?.status.state == .open
        }
        XCTAssertEqual(Set(seen.keys), ["quotes", "scores"])
        XCTAssertEqual(engine.specs.map(\.id), ["quotes", "scores"])

        // autostart alone: whether a stream runs is the engine's to decide.
        try other.setAutostart(id: "quotes", false)
        XCTAssertNil(follower.check())
        XCTAssertTrue(engine.store.snapshot(id: "quotes")?.status.state.isRunning == true)

        // A broken edit is reported once; the streams carry on; the fix is followed.
        let good = try String(contentsOfFile: path, encoding: .utf8)
        try "{ broken".write(toFile: path, atomically: true, encoding: .utf8)
        guard case .invalid(let problem)? = follower.check() else { return XCTFail("a broken registry is reported") }
        XCTAssertTrue(problem.description.contains("streams.json"), problem.description)
        try "{ broken ".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertNil(follower.check(), "the same problem is reported once")
        XCTAssertEqual(engine.specs.map(\.id), ["quotes", "scores"])
        // Put back as it was: nothing changes, but the file is said to be good again.
        try good.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(follower.check()?.message, "registry valid again; no stream changed")
        try "{ broken".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertNotNil(follower.check(), "broken again: reported again")
        try good.replacingOccurrences(of: "Quotes, renamed", with: "Quotes again").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(follower.check(), .followed(.init(edited: ["quotes"])))

        // A missing file is not an empty registry.
        try FileManager.default.moveItem(atPath: path, toPath: path + ".away")
        XCTAssertNil(follower.check())
        XCTAssertEqual(engine.specs.map(\.id), ["quotes", "scores"])
        try FileManager.default.moveItem(atPath: path + ".away", toPath: path)
        XCTAssertNil(follower.check(), "back as it was: nothing to do")
    }

    func testWhatFollowingChangedIsSaidInOneShortLine() {
        let many = (1...300).map { "s\($0)" }
        XCTAssertEqual(RegistryFollower.Outcome.followed(.init(added: ["a"], removed: ["b", "c"], edited: [])).message,
                       "registry changed: added a; removed b, c")
        XCTAssertEqual(RegistryFollower.Outcome.followed(.init(added: many, edited: ["x"])).message,
                       "registry changed: added s1, s2, s3, s4, s5 and 295 more; edited x")
        let problem = RegistryError(file: "streams.json", location: "line 1, column 3", reason: "invalid JSON")
        XCTAssertTrue(RegistryFollower.Outcome.invalid(problem).isProblem)
        XCTAssertTrue(RegistryFollower.Outcome.invalid(problem).message.hasPrefix("registry not followed: "))
        let hostile = RegistryError(file: "streams.json", location: nil, reason: "unexpected '\u{1B}]0;pwned\u{07}'")
        XCTAssertFalse(RegistryFollower.Outcome.invalid(hostile).message.unicodeScalars.contains { $0.value < 0x20 }, "no control reaches a terminal")
    }

    /// status.json is rewritten when a stream published, and every 10 s to show the engine is
    /// alive; thousands of idle streams cost no writes in between.
    func testStatusIsWrittenWhenSomethingMovedAndEveryTenSeconds() throws {
        let engine = try Engine(specs: [StreamSpec(id: "idle", name: "Idle", url: server.baseURL + "/sse/quotes")], stateDirectory: directory)
        defer { engine.shutdown() }
        XCTAssertTrue(try engine.writeStatusIfMoved(at: UTCTime(secondsSinceEpoch: 100)))
        XCTAssertFalse(try engine.writeStatusIfMoved(at: UTCTime(secondsSinceEpoch: 101)), "nothing moved")
        XCTAssertFalse(try engine.writeStatusIfMoved(at: UTCTime(secondsSinceEpoch: 109.9)))
        XCTAssertTrue(try engine.writeStatusIfMoved(at: UTCTime(secondsSinceEpoch: 110)), "every 10 s regardless")
        XCTAssertEqual(try StatusFile.read(path: directory + "/status.json")["updatedAt"], .string(UTCTime(secondsSinceEpoch: 110).iso8601))
        engine.start(id: "idle")
        _ = waitFor(engine, "idle open") { $0["idle"]?.status.state == .open }
        XCTAssertTrue(try engine.writeStatusIfMoved(at: UTCTime(secondsSinceEpoch: 111)), "a stream published")
        XCTAssertEqual(try StatusFile.read(path: directory + "/status.json")["streams"]?[0]?["state"], "open")
    }
}
