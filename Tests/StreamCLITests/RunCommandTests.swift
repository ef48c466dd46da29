import Foundation
import XCTest
@testable import LocalServer
@testable import StreamCore

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
        process.terminate()  // SIGTERM
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(said.hasPrefix("running 1 of 2 streams; status in \(home)/state/status.json; Ctrl-C to stop\n"), said)
        XCTAssertTrue(said.hasSuffix("stopped\n"), said)

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

    func testRunWithoutHeadlessSaysWhy() throws {
        let process = Process()
        process.executableURL = StreamtopBinaryTests.executable
        process.arguments = ["run"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 2)
        XCTAssertEqual(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                       "streamtop: the full-screen monitor is not built yet: use 'streamtop run --headless'\nRun 'streamtop run --help' for usage.\n")
    }
}
