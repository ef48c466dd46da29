import Foundation
import TestSupport
import XCTest
@testable import LocalServer
@testable import StreamCLI
@testable import StreamCore
@testable import StreamEngine

#if canImport(Glibc)
import Glibc
#endif

/// The commands with a streamtop running: a headless `run` in this process (the registry and
/// state directory of the test's home), its quotes stream on a LocalServer, and the commands
/// in-process or as the binary, through its control API.
final class ControlCommandLiveTests: TemporaryHomeTestCase {
    var server: LocalServer!
    var engine: InProcessEngine!
    var registryPath: String { home + "/config/streamtop/streams.json" }
    var stateDirectory: String { home + "/.local/state/streamtop" }
    var environment: [String: String] { ["HOME": home, "XDG_CONFIG_HOME": home + "/config"] }

    override func setUpWithError() throws {
        try super.setUpWithError()
        server = try LocalServer(configuration: .init(
            apis: [.init(name: "quotes", kind: "quotes", period: .milliseconds(50))], retryMilliseconds: 50))
        XCTAssertEqual(run(["add", server.baseURL + "/sse/quotes", "--name", "quotes", "--start"]).status, 0)
        XCTAssertEqual(run(["add", server.baseURL + "/sse/quotes", "--name", "later"]).status, 0)
        engine = InProcessEngine([], environment: environment)
        waitUntil("the engine to answer on its socket") {
            if let ended = engine.ended { XCTFail("run ended: \(ended)") }
            return engine.ended != nil || RunningEngine.find(stateDirectory: stateDirectory) != nil
        }
    }

    override func tearDownWithError() throws {
        engine?.stop()
        server?.stop()
        try super.tearDownWithError()
    }

    /// Stream `id`'s STATUS from the API (nil: not registered).
    func stream(_ id: String) throws -> JSONValue? {
        let engine = try XCTUnwrap(RunningEngine.find(stateDirectory: stateDirectory))
        let reply = try engine.client.request("GET", RunningEngine.path(id: id))
        return reply.status == 404 ? nil : reply.json
    }

    func events(_ id: String) throws -> Int {
        try stream(id)?["events"]?.numberValue?.intValue ?? 0
    }

    func autostart(_ id: String) throws -> Bool? {
        try RegistryFile(path: registryPath).load().spec(id: id)?.autostart
    }

    func testStartStopAndRestartActInTheEngineAtOnce() throws {
        let stopped = run(["stop", "quotes"])
        XCTAssertEqual(stopped.status, 0, stopped.err)
        XCTAssertEqual(stopped.out, "quotes is now stopped\n")
        XCTAssertEqual(try stream("quotes")?["state"], "stopped")
        XCTAssertEqual(try autostart("quotes"), false, "remembered for the next run")

        // An unknown id is named; the others are still done.
        let started = run(["start", "nope", "later"])
        XCTAssertEqual(started.status, 1)
        XCTAssertEqual(started.err, "streamtop: no stream 'nope' is registered (see 'streamtop list')\n")
        let state = started.out.dropFirst("later is now ".count).dropLast()
        XCTAssertTrue(started.out.hasPrefix("later is now ") && !["stopped", "idle"].contains(state), started.out)
        XCTAssertEqual(try autostart("later"), true)
        waitUntil("an event of the started stream") { (try? events("later")) ?? 0 > 0 }

        // restart starts a stopped stream (and reconnects a running one).
        let restarted = run(["restart", "quotes", "later"])
        XCTAssertEqual(restarted.status, 0, restarted.err)
        XCTAssertEqual(restarted.out.split(separator: "\n").count, 2, restarted.out)
        XCTAssertNotEqual(try stream("quotes")?["state"], "stopped")
        XCTAssertEqual(try autostart("quotes"), true)

        // The binary, with the paths given as options.
        let (said, status) = try StreamtopBinaryTests.run(
            ["stop", "later", "--config", registryPath, "--state-dir", stateDirectory])
        XCTAssertEqual(status, 0)
        XCTAssertEqual(said, "later is now stopped\n")
    }

    /// A command given another registry with `--config` works on that file, not on the engine
    /// of the state directory, which follows its own registry.
    func testAnotherRegistryIsNotTheEngines() throws {
        let other = home + "/other.json"
        XCTAssertEqual(run(["add", server.baseURL + "/sse/quotes", "--name", "elsewhere", "--config", other]).status, 0)
        XCTAssertNil(try stream("elsewhere"), "added to the other file, not to the running engine")
        let started = run(["start", "elsewhere", "--config", other])
        XCTAssertEqual(started.status, 0, started.err)
        XCTAssertTrue(try RegistryFile(path: other).load().spec(id: "elsewhere")?.autostart == true)
        XCTAssertNil(try RegistryFile(path: registryPath).load().spec(id: "elsewhere"))
        let health = try XCTUnwrap(RunningEngine.find(stateDirectory: stateDirectory)).health
        XCTAssertEqual(health.registry, registryPath)
    }

    func testLogsComeFromTheEngine() throws {
        waitUntil("three events of quotes") { (try? events("quotes")) ?? 0 >= 3 }
        let readable = run(["logs", "quotes", "-n", "3"])
        XCTAssertEqual(readable.status, 0, readable.err)
        let lines = readable.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, readable.out)
        let pattern = try NSRegularExpression(
            pattern: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info |warn |error) [a-z]+( |$)"#)
        for line in lines {
            XCTAssertNotNil(pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)), line)
        }
        let raw = run(["logs", "quotes", "-n", "4", "--jsonl"])
        let entries = try raw.out.split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
        XCTAssertEqual(entries.count, 4, raw.out)
        XCTAssertTrue(entries.allSatisfy { $0["kind"]?.stringValue != nil && $0["time"]?.stringValue != nil })

        let unknown = run(["logs", "nope"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.err, "streamtop: no stream 'nope' is registered (see 'streamtop list')\n")
        let unknownFollowed = run(["logs", "nope", "-f"])
        XCTAssertEqual(unknownFollowed.status, 1)
        XCTAssertEqual(unknownFollowed.err, unknown.err)
    }

    /// `logs -f -n 0` prints only entries written after it began; Ctrl-C ends it with status 0.
    func testLogsFollowPrintsANewEntry() throws {
        let process = Process()
        process.executableURL = StreamtopBinaryTests.executable
        process.arguments = ["logs", "quotes", "-f", "-n", "0", "--config", registryPath, "--state-dir", stateDirectory]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let collector = PipeCollector(output)
        waitUntil("a new event in the log") { collector.text.contains(" info  event ") }
        process.interrupt()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
    }

    /// The engine going away ends `logs -f` with status 1, saying so.
    func testLogsFollowSaysWhenTheEngineEnds() throws {
        let process = Process()
        process.executableURL = StreamtopBinaryTests.executable
        process.arguments = ["logs", "quotes", "-f", "--config", registryPath, "--state-dir", stateDirectory]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let collector = PipeCollector(output)
        waitUntil("an entry") { !collector.text.isEmpty }
        engine.stop()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1)
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(said.hasPrefix("streamtop: stopped following the log of 'quotes'"), said)
    }

    func testDocumentComesFromTheEngine() throws {
        waitUntil("a document") { (try? events("quotes")) ?? 0 >= 1 }
        let shown = run(["document", "quotes"])
        XCTAssertEqual(shown.status, 0, shown.err)
        XCTAssertEqual(shown.out.filter { $0 == "\n" }.count, 1, "one line")
        XCTAssertNoThrow(try JSONParser.parse(Array(shown.out.utf8)))
        let pretty = run(["document", "quotes", "--pretty"])
        XCTAssertTrue(pretty.out.contains("\n  "), pretty.out)
        XCTAssertNotNil(try? JSONParser.parse(Array(pretty.out.utf8)))

        let never = run(["document", "later"])
        XCTAssertEqual(never.status, 1)
        XCTAssertEqual(never.err, "streamtop: stream \"later\" has no JSON document yet\n")
        let unknown = run(["document", "nope"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.err, "streamtop: no stream 'nope' is registered (see 'streamtop list')\n")
    }

    /// `status` live from the API, in the table status.json gives; `--json` in status.json's
    /// shape, with each change's `version` (and each stream's `updatedAt`) besides.
    func testStatusIsLiveFromTheEngine() throws {
        let shown = run(["status"])
        XCTAssertEqual(shown.status, 0, shown.err)
        let lines = shown.out.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("live from the streamtop running since "), lines[0])
        XCTAssertTrue(lines[0].hasSuffix(" (pid \(getpid()))"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("ID "), shown.out)
        XCTAssertTrue(lines[2].hasPrefix("later ") && lines[2].contains(" idle "), shown.out)
        XCTAssertTrue(lines[3].hasPrefix("quotes "), shown.out)

        var file: JSONValue?
        waitUntil("status.json") {
            file = try? StatusFile.read(path: stateDirectory + "/status.json")
            return file?["streams"]?.arrayValue?.count == 2
        }
        let live = run(["status", "--json"])
        XCTAssertEqual(live.status, 0, live.err)
        let json = try JSONParser.parse(Array(live.out.utf8))
        func keys(_ value: JSONValue?) -> Set<String> {
            guard case .object(let object)? = value else { return [] }
            return Set(object.members.map(\.key))
        }
        XCTAssertEqual(keys(json), keys(file).union(["version"]))
        XCTAssertEqual(json["updatedAt"]?.stringValue.flatMap(UTCTime.init(iso8601:)) != nil, true)
        let liveStreams = json["streams"]?.arrayValue ?? []
        let fileStreams = file?["streams"]?.arrayValue ?? []
        XCTAssertEqual(liveStreams.compactMap { $0["id"]?.stringValue }, ["later", "quotes"])
        for (liveStream, fileStream) in zip(liveStreams, fileStreams) {
            XCTAssertEqual(keys(liveStream), keys(fileStream).union(["updatedAt", "version"]))
        }
        XCTAssertEqual(keys(json["disk"]), keys(file?["disk"]))
    }

    func testAddAndRemoveAreAppliedByTheEngineAtOnce() throws {
        let added = run(["add", server.baseURL + "/sse/quotes", "--name", "Scores", "--start"])
        XCTAssertEqual(added.status, 0, added.err)
        XCTAssertEqual(added.out, "added scores (sse) \(server.baseURL)/sse/quotes\n")
        // Taken in by the time the command returns, not when the registry is next read.
        XCTAssertEqual(try stream("scores")?["id"], "scores")
        XCTAssertEqual(try autostart("scores"), true)
        XCTAssertEqual(run(["add", server.baseURL + "/sse/quotes", "--name", "Scores"]).out,
                       "added scores-2 (sse) \(server.baseURL)/sse/quotes\n")

        let refused = run(["add", server.baseURL + "/sse/quotes", "--interval", "0"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertEqual(refused.err, "streamtop: interval: must be between 1 and 86400 seconds\n")

        XCTAssertEqual(run(["remove", "scores"]).out, "removed scores\n")
        XCTAssertNil(try stream("scores"))
        XCTAssertNil(try RegistryFile(path: registryPath).load().spec(id: "scores"))
        let missing = run(["remove", "scores"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.err, "streamtop: no stream 'scores' is registered (see 'streamtop list')\n")
    }
}
