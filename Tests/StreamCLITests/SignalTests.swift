import Foundation
import TestSupport
import XCTest
@testable import LocalServer
@testable import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// `run --headless` as a service meets signals and pipes: the real binary.
final class SignalTests: XCTestCase {
    var home: String!
    var server: LocalServer!

    override func setUpWithError() throws {
        server = try LocalServer(configuration: .init(apis: [.init(name: "quotes", kind: "quotes", period: .milliseconds(50))]))
        home = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-signals-\(UUID().uuidString)").path
        var registry = Registry()
        try registry.add(StreamSpec(id: "quotes", name: "Quotes", url: server.baseURL + "/sse/quotes", autostart: true))
        try RegistryFile(path: home + "/streams.json").save(registry)
    }

    override func tearDownWithError() throws {
        server.stop()
        try? FileManager.default.removeItem(atPath: home)
    }

    func headless(stdout: Any) throws -> Process {
        let process = Process()
        process.executableURL = StreamtopBinaryTests.executable
        process.arguments = ["run", "--headless", "--config", home + "/streams.json", "--state-dir", home + "/state"]
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func streamIDs() -> [String] {
        let bytes = (try? Data(contentsOf: URL(fileURLWithPath: home + "/state/status.json"))) ?? Data()
        let status = try? JSONParser.parse(Array(bytes))
        return status?["streams"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
    }

    func add(_ id: String) throws {
        let add = Process()
        add.executableURL = StreamtopBinaryTests.executable
        add.arguments = ["add", server.baseURL + "/sse/quotes", "--name", id, "--config", home + "/streams.json"]
        add.standardOutput = FileHandle.nullDevice
        try add.run()
        add.waitUntilExit()
        XCTAssertEqual(add.terminationStatus, 0)
    }

    /// Ends on SIGTERM within the wait's bound, or fails the test (and is killed).
    func terminate(_ process: Process, file: StaticString = #filePath, line: UInt = #line) {
        process.terminate()
        if !waitUntil("streamtop to end after SIGTERM", timeout: 20, file: file, line: line, { !process.isRunning }) {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, file: file, line: line)
        XCTAssertEqual(process.terminationStatus, 0, file: file, line: line)
    }

    /// `run --headless | head -1`, then the reader is gone: the service neither dies of
    /// SIGPIPE nor stops following its registry, and still stops cleanly on SIGTERM.
    func testAClosedStdoutNeverKillsTheService() throws {
        let pipe = Pipe()
        let process = try headless(stdout: pipe)
        let first = pipe.fileHandleForReading.availableData
        XCTAssertTrue(String(decoding: first, as: UTF8.self).hasPrefix("running 1 of 1 stream"))
        try pipe.fileHandleForReading.close()
        try pipe.fileHandleForWriting.close()
        try add("scores")  // its "registry changed" line meets the closed pipe
        waitUntil("the added stream in status.json") { streamIDs().contains("scores") }
        kill(process.processIdentifier, SIGHUP)  // another line for the closed pipe
        try add("weather")
        waitUntil("the second added stream in status.json") { streamIDs().contains("weather") }
        XCTAssertTrue(process.isRunning)
        terminate(process)
    }

    /// A stdout that nobody drains (a full pipe) must not hold up SIGTERM.
    func testAStuckStdoutNeverBlocksShutdown() throws {
        let pipe = Pipe()
        let writeEnd = pipe.fileHandleForWriting.fileDescriptor
        let size = fcntl(writeEnd, 1031 /* F_SETPIPE_SZ */, 4096)
        XCTAssertGreaterThan(size, 0)
        let filler = [UInt8](repeating: 0x2E, count: Int(size))
        XCTAssertEqual(filler.withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }, Int(size), "the pipe is full")
        let process = try headless(stdout: pipe)
        waitUntil("the streams to run") { streamIDs().contains("quotes") }
        terminate(process)
    }

    /// SIGHUP reads the registry again and reopens the logs (the daemon convention, what
    /// logrotate expects) instead of ending the service.
    func testSIGHUPReadsTheRegistryAgainAndReopensTheLogs() throws {
        FileManager.default.createFile(atPath: home + "/out.txt", contents: nil)
        let process = try headless(stdout: try FileHandle(forWritingTo: URL(fileURLWithPath: home + "/out.txt")))
        func said() -> String { (try? String(contentsOfFile: home + "/out.txt", encoding: .utf8)) ?? "" }
        let log = home + "/state/logs/quotes.jsonl"
        waitUntil("the start line and the first logged event") {
            said().hasPrefix("running 1 of 1 stream") && ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains(#""kind":"event""#)
        }
        XCTAssertEqual(rename(log, log + ".moved"), 0)  // what logrotate does
        kill(process.processIdentifier, SIGHUP)
        waitUntil("the reload said") { said().contains("\nregistry read again (SIGHUP): nothing changed\n") }
        waitUntil("a new log with events") {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains(#""kind":"event""#)
        }
        XCTAssertTrue(process.isRunning)
        terminate(process)
    }
}
