import Foundation
import LocalServer
import StreamCore
import StreamEngine
import StreamService
import TestSupport
import XCTest

/// The streaming proxy read by the real `streamtop tail URL/sse --jsonl --document`: after
/// every poll, the document it prints equals the upstream's. Upstream and polls move only when
/// the test moves their manual clocks.
final class ServedTailTests: XCTestCase {
    func testTailOfAServedStreamEqualsTheUpstreamAfterEveryPoll() throws {
        let clock = ManualTimeSource()
        let time = ManualScheduler()
        let upstream = try LocalServer(
            configuration: .init(apis: [.init(name: "market", kind: "market", period: .seconds(1))]), time: clock)
        defer { upstream.stop() }
        let directory = "/tmp/st-served-tail-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spec = StreamSpec(
            id: "market", name: "Market", url: upstream.baseURL + "/poll/market", mode: .poll, interval: 1,
            autostart: true, serve: true)
        let engine = try Engine(specs: [spec], stateDirectory: directory, time: time)
        defer { engine.shutdown() }
        var options = ControlService.Options(stateDirectory: directory)
        options.serveListen = [ListenAddress(host: "127.0.0.1", port: 0)]
        let service = try ControlService(engine: engine, options: options)
        defer { service.stop() }
        let port = try XCTUnwrap(service.servedPorts.first)
        let feed = try XCTUnwrap(engine.servedFeed(id: "market"))
        engine.startAutostart()
        _ = engine.settledSnapshot(id: "market")
        func poll() {
            let before = feed.snapshot.polls
            time.advance(by: .seconds(1))
            waitUntil("the poll reached the feed") { feed.snapshot.polls > before }
        }
        poll()

        let process = Process()
        process.executableURL = StreamtopBinaryTests.executable
        process.arguments = ["tail", "http://127.0.0.1:\(port)/v1/streams/market/sse", "--jsonl", "--document"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var reader = JSONLinesReader(output.fileHandleForReading)
        for round in 0..<6 {
            if round > 0 {
                upstream.advance(clock, by: .seconds(1 + round * 7))
                poll()
            }
            let version = String(feed.snapshot.version)
            let record = try XCTUnwrap(reader.next { $0["id"]?.stringValue == version }, "round \(round)")
            XCTAssertEqual(record["type"]?.stringValue, round == 0 ? "data" : "patch")
            XCTAssertEqual(record["document"], engine.document(id: "market"), "round \(round)")
        }
    }
}

/// Reads JSON lines from a pipe, blocking, until one matches.
private struct JSONLinesReader {
    let handle: FileHandle
    var buffer: [UInt8] = []

    init(_ handle: FileHandle) {
        self.handle = handle
    }

    mutating func next(where match: (JSONValue) -> Bool) -> JSONValue? {
        while true {
            while let newline = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.removeFirst(newline + 1)
                if let value = try? JSONParser.parse(line), match(value) { return value }
            }
            let data = handle.availableData
            if data.isEmpty { return nil }
            buffer += data
        }
    }
}
