import Foundation
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
        var events = 0
        let deadline = Date().addingTimeInterval(20)
        while events < 5 && Date() < deadline {
            if let status = try? JSONParser.parse(Array((try? Data(contentsOf: URL(fileURLWithPath: statusPath))) ?? Data())) {
                events = status["streams"]?.arrayValue?.first { $0["id"] == "quotes" }?["events"]?.numberValue?.intValue ?? 0
            }
            usleep(50_000)
        }
        XCTAssertGreaterThanOrEqual(events, 5)

        // A script adds a stream meanwhile: the running engine takes it in and starts it.
        let add = Process()
        add.executableURL = StreamtopBinaryTests.executable
        add.arguments = ["add", server.baseURL + "/sse/quotes", "--name", "Scores", "--start", "--config", home + "/streams.json"]
        add.standardOutput = FileHandle.nullDevice
        try add.run()
        add.waitUntilExit()
        XCTAssertEqual(add.terminationStatus, 0)
        var added = 0
        while added < 1 && Date() < deadline.addingTimeInterval(20) {
            if let status = try? JSONParser.parse(Array((try? Data(contentsOf: URL(fileURLWithPath: statusPath))) ?? Data())) {
                added = status["streams"]?.arrayValue?.first { $0["id"] == "scores" }?["events"]?.numberValue?.intValue ?? 0
            }
            usleep(50_000)
        }
        XCTAssertGreaterThanOrEqual(added, 1, "the added stream runs without a restart")
        process.terminate()  // SIGTERM
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(said.hasPrefix("running 1 of 2 streams; status in \(home)/state/status.json; Ctrl-C to stop\n"), said)
        XCTAssertTrue(said.hasSuffix("stopped\n"), said)
        XCTAssertTrue(said.contains("\nregistry changed: added scores\n"), said)

        let status = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: statusPath))))
        let byID = Dictionary(uniqueKeysWithValues: (status["streams"]?.arrayValue ?? []).map { ($0["id"]!.stringValue!, $0) })
        XCTAssertEqual(byID["quotes"]?["state"], "stopped")
        XCTAssertEqual(byID["later"]?["state"], "idle")

        let show = Process()
        show.executableURL = StreamtopBinaryTests.executable
        show.arguments = ["status", "--state-dir", home + "/state"]
        let table = Pipe()
        show.standardOutput = table
        try show.run()
        show.waitUntilExit()
        let text = String(decoding: table.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(show.terminationStatus, 0)
        let lines = text.split(separator: "\n")
        XCTAssertTrue(lines[1].hasPrefix("ID "), text)
        XCTAssertTrue(lines[2].hasPrefix("later ") && lines[2].contains(" idle "), text)
        XCTAssertTrue(lines[3].hasPrefix("quotes ") && lines[3].contains(" stopped "), text)
    }

    /// Without a terminal (CI, a pipe) the monitor and the demo say so and end instead of
    /// waiting for keys that cannot come.
    func testMonitorAndDemoWithoutATerminalSayWhy() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-notty-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        for (arguments, expected) in [
            (["run", "--config", home + "/streams.json"], "streamtop: the monitor needs a terminal (standard input and output are not a TTY here); use 'streamtop run --headless'\n"),
            (["demo"], "streamtop: the demo is a full-screen monitor and needs a terminal (standard input and output are not a TTY here); try it in a terminal, or 'streamtop tail Tests/Fixtures/streams/quotes.sse' for plain output\n"),
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
            let deadline = Date().addingTimeInterval(20)
            let target = 20_000 * (round + 1) + Int.random(in: 0..<5_000, using: &random)
            while Date() < deadline {
                let size = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).reduce(0) { total, name in
                    total + (((try? FileManager.default.attributesOfItem(atPath: directory + "/" + name))?[.size] as? Int) ?? 0)
                }
                if size >= target { break }
                usleep(2_000)
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
                XCTAssertEqual(record["kind"], "event")
            }
            // At most one torn line per kill, and only ever as an incomplete line.
            XCTAssertLessThanOrEqual(result.warnings.count, 3, "\(result.warnings)")
            for warning in result.warnings { XCTAssertTrue(warning.contains("is incomplete") || warning.contains("is not JSON"), warning) }
        }
        XCTAssertGreaterThan(records, 50)
    }
}
