import Foundation
import TestSupport
import XCTest
@testable import LocalServer
@testable import StreamCore
@testable import StreamEngine

#if canImport(Glibc)
import Glibc
#endif

/// `streamtop run --headless` and `streamtop status` as a person runs them: the real binary,
/// a registry, a LocalServer, SIGTERM.
final class RunCommandTests: XCTestCase {
    func testHeadlessRunWritesStatusAndStopsOnSIGTERM() throws {
        let server = try LocalServer(configuration: .init(apis: [.init(name: "quotes", kind: "quotes", period: .milliseconds(50))], retryMilliseconds: 50))
        defer { server.stop() }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        var registry = Registry()
        try registry.add(StreamSpec(id: "quotes", name: "Quotes", url: server.baseURL + "/sse/quotes", autostart: true))
        try registry.add(StreamSpec(id: "later", name: "Later", url: server.baseURL + "/sse/quotes"))
        try RegistryFile(path: home + "/streams.json").save(registry)

        let process = Process()
        process.executableURL = StreamtopBinaryTests.executable
        process.arguments = ["run", "--headless", "--config", home + "/streams.json", "--state-dir", home + "/state"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // Wait for the status file to show events (what a script would do).
        let statusPath = home + "/state/status.json"
        func events(_ id: String) -> Int {
            let streams = (try? StatusFile.read(path: statusPath))?["streams"]?.arrayValue ?? []
            return streams.first { $0["id"] == .string(id) }?["events"]?.numberValue?.intValue ?? 0
        }
        waitUntil("status.json to show five events of quotes") { events("quotes") >= 5 }

        // A script adds a stream meanwhile: the running engine takes it in and starts it.
        let add = Process()
        add.executableURL = StreamtopBinaryTests.executable
        add.arguments = ["add", server.baseURL + "/sse/quotes", "--name", "Scores", "--start", "--config", home + "/streams.json"]
        add.standardOutput = FileHandle.nullDevice
        try add.run()
        add.waitUntilExit()
        XCTAssertEqual(add.terminationStatus, 0)
        waitUntil("status.json to show an event of the added stream: it runs without a restart") {
            events("scores") >= 1
        }
        process.terminate()  // SIGTERM
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(said.hasPrefix("running 1 of 2 streams; status in \(home)/state/status.json; "
            + "API on \(home)/state/streamtop.sock; Ctrl-C to stop\n"), said)
        XCTAssertTrue(said.hasSuffix("stopped\n"), said)
        XCTAssertTrue(said.contains("\nregistry changed: added scores\n"), said)

        let status = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: statusPath))))
        let byID = Dictionary(uniqueKeysWithValues: (status["streams"]?.arrayValue ?? []).map { ($0["id"]!.stringValue!, $0) })
        XCTAssertEqual(byID["quotes"]?["state"], "stopped")
        XCTAssertEqual(byID["later"]?["state"], "idle")

        let (text, shown) = try StreamtopBinaryTests.run(["status", "--state-dir", home + "/state"])
        XCTAssertEqual(shown, 0)
        let lines = text.split(separator: "\n")
        XCTAssertTrue(lines[1].hasPrefix("ID "), text)
        XCTAssertTrue(lines[2].hasPrefix("later ") && lines[2].contains(" idle "), text)
        XCTAssertTrue(lines[3].hasPrefix("quotes ") && lines[3].contains(" stopped "), text)
    }

    /// `--disk-budget` reaches the engine: status.json and `streamtop status` show it.
    func testHeadlessRunKeepsTheDiskBudgetItIsGiven() throws {
        let home = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamtop-budget-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try Data(#"{"streams":[]}"#.utf8).write(to: URL(fileURLWithPath: home + "/streams.json"))
        let process = Process()
        process.executableURL = StreamtopBinaryTests.executable
        process.arguments = [
            "run", "--headless", "--config", home + "/streams.json", "--state-dir", home + "/state",
            "--disk-budget", "500M",
        ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var disk: JSONValue?
        waitUntil("status.json to show the disk") {
            disk = (try? StatusFile.read(path: home + "/state/status.json"))?["disk"]
            return disk != nil
        }
        process.terminate()
        process.waitUntilExit()
        XCTAssertEqual(disk?["budget"], 524_288_000)
        XCTAssertEqual(disk?["pruning"], false)

        let (text, shown) = try StreamtopBinaryTests.run(["status", "--state-dir", home + "/state"])
        XCTAssertTrue(text.hasSuffix(" of 500.0 MiB budget\n"), text)
    }

    /// Without a terminal (CI, a pipe) the monitor and the demo say so and end instead of
    /// waiting for keys that cannot come.
    func testMonitorAndDemoWithoutATerminalSayWhy() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-notty-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        for (arguments, expected) in [
            (["run", "--config", home + "/streams.json"], "streamtop: the monitor needs a terminal (standard input and output are not a TTY here); use 'streamtop run --headless'\n"),
            (["demo"], "streamtop: the demo is a full-screen monitor and needs a terminal (standard input and output "
                + "are not a TTY here); try it in a terminal, or 'streamtop tail URL' for a stream's events as plain "
                + "output\n"),
        ] {
            let process = Process()
            process.executableURL = StreamtopBinaryTests.executable
            process.arguments = arguments
            process.environment = ["CI": "true", "HOME": home]
            let errors = Pipe()
            process.standardError = errors
            process.standardInput = Pipe()
            process.standardOutput = Pipe()
            try process.run()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 1, "\(arguments)")
            XCTAssertEqual(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self), expected)
        }
    }

    /// Kill -9 the engine while it archives a fast stream: reading the archive back loses at
    /// most the one line being written, with a warning; everything before it is intact.
    func testArchiveSurvivesKillNineMidWrite() throws {
        let server = try LocalServer(configuration: .init(apis: [.init(name: "quotes", kind: "quotes", period: .milliseconds(5))], retryMilliseconds: 50))
        defer { server.stop() }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-crash-archive-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        var registry = Registry()
        try registry.add(StreamSpec(id: "quotes", name: "Quotes", url: server.baseURL + "/sse/quotes", autostart: true))
        try RegistryFile(path: home + "/streams.json").save(registry)
        var random = SplitMix64(seed: 4)
        for round in 0..<3 {
            let process = Process()
            process.executableURL = StreamtopBinaryTests.executable
            process.arguments = ["run", "--headless", "--config", home + "/streams.json", "--state-dir", home + "/state"]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            // Let it archive for a while (its files grow; this waits on them, not on a timer).
            let directory = home + "/state/archive/quotes"
            let target = 20_000 * (round + 1) + Int.random(in: 0..<5_000, using: &random)
            waitUntil("the archive to reach \(target) bytes") {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
                let size = names.reduce(0) { total, name in
                    total + (((try? FileManager.default.attributesOfItem(atPath: directory + "/" + name))?[.size] as? Int) ?? 0)
                }
                return size >= target
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let directory = home + "/state/archive/quotes"
        var records = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let result = try JSONLinesReader.readFile(path: directory + "/" + name)
            records += result.records.count
            for record in result.records {
                XCTAssertNotNil(record["t"]?.stringValue)
                XCTAssertTrue(["event", "counters"].contains(record["kind"]?.stringValue), "\(record)")
            }
            // At most one torn line per kill, and only ever as an incomplete line.
            XCTAssertLessThanOrEqual(result.warnings.count, 3, "\(result.warnings)")
            for warning in result.warnings { XCTAssertTrue(warning.contains("is incomplete") || warning.contains("is not JSON"), warning) }
        }
        XCTAssertGreaterThan(records, 50)
    }
}

/// Many streams under a low open-file limit, as on a login shell (soft limit 1,024): `run`
/// raises the soft limit to the hard one; when even the hard limit is too low it says so at
/// start.
final class OpenFileLimitRunTests: XCTestCase {
    var server: LocalServer!
    var home: String!

    override func setUpWithError() throws {
        server = try LocalServer(configuration: .init(apis: [.init(name: "quotes", kind: "quotes", period: .milliseconds(50))], retryMilliseconds: 50))
        home = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-nofile-\(UUID().uuidString)").path
        var registry = Registry()
        for index in 0..<20 {
            try registry.add(StreamSpec(id: "s\(index)", name: "s\(index)", url: server.baseURL + "/sse/quotes", autostart: true))
        }
        try RegistryFile(path: home + "/streams.json").save(registry)
    }

    override func tearDownWithError() throws {
        server.stop()
        try? FileManager.default.removeItem(atPath: home)
    }

    /// Runs `streamtop run --headless` under `ulimit` (a shell's, as a person would) until
    /// `done` holds for status.json; returns its streams and what it said on stderr.
    func runUnderLimit(
        _ ulimit: String, until what: String, line: UInt = #line, _ done: (JSONValue) -> Bool
    ) throws -> (streams: [JSONValue], errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let command = [StreamtopBinaryTests.executable.path, "run", "--headless", "--config", home + "/streams.json", "--state-dir", home + "/state"]
        process.arguments = ["-c", "ulimit \(ulimit) && exec \"$@\"", "sh"] + command
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        var streams: [JSONValue] = []
        waitUntil(what, line: line) {
            guard let status = try? StatusFile.read(path: home + "/state/status.json") else { return false }
            streams = status["streams"]?.arrayValue ?? []
            return done(status)
        }
        process.terminate()
        process.waitUntilExit()
        return (streams, String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    func testALowSoftLimitIsRaisedAndEveryStreamRuns() throws {
        // 20 streams need about 124 files; only the soft limit is low.
        let (streams, errors) = try runUnderLimit("-S -n 64", until: "events from all 20 streams") { status in
            let streams = status["streams"]?.arrayValue ?? []
            return streams.count == 20 && streams.allSatisfy { ($0["events"]?.numberValue?.intValue ?? 0) > 0 }
        }
        XCTAssertEqual(streams.filter { ($0["events"]?.numberValue?.intValue ?? 0) > 0 }.count, 20)
        XCTAssertTrue(streams.allSatisfy { $0["lastError"] == nil || $0["lastError"] == .null }, "\(streams.compactMap { $0["lastError"] })")
        XCTAssertEqual(errors, "")
    }

    /// When streams take every descriptor a hard limit allows, status.json, which says what is
    /// wrong, is still written: descriptors are set aside for it.
    func testStatusIsWrittenWhenStreamsTakeEveryDescriptor() throws {
        let file = RegistryFile(path: home + "/streams.json")
        var registry = try file.load()
        for index in 20..<100 {
            let url = server.baseURL + "/sse/quotes"
            try registry.add(StreamSpec(id: "s\(index)", name: "s\(index)", url: url, autostart: true))
        }
        try file.save(registry)
        // 100 streams need about 364 files. status.json is written, and again as streams fail.
        func saysWhy(_ stream: JSONValue) -> Bool {
            stream["lastError"]?.stringValue?.contains("too many open files") == true
        }
        let (streams, _) = try runUnderLimit("-n 64", until: "100 streams, one saying it ran out of files") { status in
            let streams = status["streams"]?.arrayValue ?? []
            return streams.count == 100 && streams.contains(where: saysWhy)
        }
        XCTAssertEqual(streams.count, 100, "status.json was written")
        XCTAssertTrue(streams.contains(where: saysWhy), "\(streams.compactMap { $0["lastError"] })")
    }

    func testAHardLimitTooLowIsSaidOnceAtStart() throws {
        // Run until status.json has been written three times (a rewrite per second while
        // streams fail), then stop.
        var written: Set<String> = []
        let (_, errors) = try runUnderLimit("-n 64", until: "status.json to be written three times") { status in
            if let updated = status["updatedAt"]?.stringValue { written.insert(updated) }
            return written.count >= 3
        }
        XCTAssertTrue(errors.hasPrefix("streamtop: the open-file limit (64) is too low for 20 streams, which need about 124: raise it (ulimit -n, or LimitNOFILE= in a systemd unit) or run fewer streams\n"), errors)
        // A status.json that cannot be written is said once, not every second.
        XCTAssertLessThanOrEqual(errors.components(separatedBy: "status.json").count - 1, 1, errors)
    }
}

/// One engine per state directory: a second `run` on the same one says who holds it and ends,
/// and once the first has ended the directory is free again.
final class StateDirectoryLockTests: XCTestCase {
    func testASecondRunOnTheSameStateDirectoryIsRefused() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-lock-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try Data(#"{"streams":[]}"#.utf8).write(to: URL(fileURLWithPath: home + "/streams.json"))
        let arguments = ["run", "--headless", "--config", home + "/streams.json", "--state-dir", home + "/state"]
        func start() throws -> (Process, Pipe, Pipe) {
            let process = Process()
            process.executableURL = StreamtopBinaryTests.executable
            process.arguments = arguments
            let output = Pipe(), errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            return (process, output, errors)
        }
        let (first, firstOutput, _) = try start()
        // It holds the lock once it says it is running.
        var said = ""
        while !said.contains("Ctrl-C to stop") {
            let data = firstOutput.fileHandleForReading.availableData
            if data.isEmpty { break }
            said += String(decoding: data, as: UTF8.self)
        }
        let (second, _, secondErrors) = try start()
        second.waitUntilExit()
        XCTAssertEqual(second.terminationStatus, 1)
        XCTAssertEqual(String(decoding: secondErrors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                       "streamtop: another streamtop (pid \(first.processIdentifier)) is already running the streams "
                        + "of \(home)/state; 'streamtop status' shows them, and 'streamtop run' without --headless "
                        + "attaches a monitor to it\n")
        first.terminate()
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0)

        let (third, thirdOutput, _) = try start()
        said = ""
        while !said.contains("Ctrl-C to stop") {
            let data = thirdOutput.fileHandleForReading.availableData
            if data.isEmpty { break }
            said += String(decoding: data, as: UTF8.self)
        }
        XCTAssertTrue(said.contains("running 0 of 0 streams"), said)
        third.terminate()
        third.waitUntilExit()
        XCTAssertEqual(third.terminationStatus, 0)
    }
}

/// `run --headless` says what the monitor's status line would: a stream broken past its
/// threshold and files that cannot be written on stderr, recoveries on stdout, each once.
final class HeadlessAlertTests: XCTestCase {
    func testBrokenStreamsAndUnwritableFilesAreSaidOnce() throws {
        let server = try LocalServer(configuration: .init(apis: [.init(name: "quotes", kind: "quotes", period: .milliseconds(50))], retryMilliseconds: 50))
        defer { server.stop() }
        let closed = try LocalServer(configuration: .init(apis: []))
        let closedPort = closed.port
        closed.stop()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-headless-alerts-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        var registry = Registry()
        try registry.add(StreamSpec(id: "dead", name: "Dead", url: "http://127.0.0.1:\(closedPort)/sse", notify: NotifySpec(command: ["/bin/true"], after: 0), autostart: true))
        try registry.add(StreamSpec(id: "quotes", name: "Quotes", url: server.baseURL + "/sse/quotes", autostart: true))
        try RegistryFile(path: home + "/streams.json").save(registry)
        try FileManager.default.createDirectory(atPath: home + "/state/logs/quotes.jsonl", withIntermediateDirectories: true)

        // Its output goes to files, read as they grow (a pipe read blocks with no deadline).
        FileManager.default.createFile(atPath: home + "/out.txt", contents: nil)
        FileManager.default.createFile(atPath: home + "/err.txt", contents: nil)
        let process = Process()
        process.executableURL = StreamtopBinaryTests.executable
        process.arguments = ["run", "--headless", "--config", home + "/streams.json", "--state-dir", home + "/state"]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: home + "/out.txt"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: home + "/err.txt"))
        try process.run()
        func text(_ name: String) -> String { (try? String(contentsOfFile: home + "/" + name, encoding: .utf8)) ?? "" }
        // Both problems on stderr; then the log is freed, and its recovery comes on stdout.
        waitUntil("both problems on stderr; it said: \(text("err.txt"))") {
            text("err.txt").contains("is failed since") && text("err.txt").contains("cannot be written")
        }
        try FileManager.default.removeItem(atPath: home + "/state/logs/quotes.jsonl")
        waitUntil("the log's recovery on stdout; it said: \(text("out.txt"))") {
            text("out.txt").contains("its log is written again")
        }
        process.terminate()
        process.waitUntilExit()
        let said = text("err.txt"), out = text("out.txt")
        let lines = said.split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.hasPrefix("streamtop: dead is failed since ") && $0.hasSuffix(": connection refused") }.count, 1, said)
        XCTAssertEqual(lines.filter { $0 == "streamtop: Quotes: its log cannot be written (cannot open \(home)/state/logs/quotes.jsonl: Is a directory); retrying" }.count, 1, said)
        XCTAssertTrue(out.contains("\nQuotes: its log is written again\n"), out)
    }
}
