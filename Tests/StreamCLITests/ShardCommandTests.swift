import Foundation
import TestSupport
import XCTest
@testable import LocalServer
@testable import StreamCLI
@testable import StreamCore
@testable import StreamEngine

/// `run --shard K/N`: the real binary runs only its shard's streams, in its own state directory.
final class ShardCommandTests: TemporaryHomeTestCase {
    func testHeadlessShardRunsOnlyItsStreams() throws {
        let server = try LocalServer(configuration: .init(
            apis: [.init(name: "quotes", kind: "quotes", period: .milliseconds(50))], retryMilliseconds: 50))
        defer { server.stop() }
        let ids = (0..<9).map { "quotes-\($0)" }
        let shard = try Shard(parsing: "1/3")
        let mine = ids.filter { shard.contains(id: $0) }
        XCTAssertTrue((1..<9).contains(mine.count), "\(mine)")
        try RegistryFile(path: home + "/streams.json").save(try Registry(streams: ids.map {
            StreamSpec(id: $0, name: $0, url: server.baseURL + "/sse/quotes", autostart: true)
        }))
        let process = Process()
        process.executableURL = StreamtopBinaryTests.executable
        process.arguments = ["run", "--headless", "--shard", "1/3", "--config", home + "/streams.json"]
        process.environment = ["HOME": home, "XDG_STATE_HOME": home + "/state"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // Its own state directory: N instances on one registry each hold their own lock.
        let statusPath = home + "/state/streamtop/shard-1-of-3/status.json"
        var streams: [JSONValue] = []
        waitUntil("status.json to show an event of each of \(mine)") {
            streams = (try? StatusFile.read(path: statusPath))?["streams"]?.arrayValue ?? []
            return streams.count == mine.count && streams.allSatisfy { ($0["events"]?.numberValue?.intValue ?? 0) > 0 }
        }
        XCTAssertEqual(streams.compactMap { $0["id"]?.stringValue }, mine)
        process.terminate()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let count = "\(mine.count) of \(mine.count) streams (shard 1/3 of 9 registered)"
        XCTAssertTrue(said.hasPrefix("running \(count); status in \(statusPath);"), said)
        XCTAssertFalse(FileManager.default.fileExists(atPath: home + "/state/streamtop/status.json"))
    }

    func testShardMistakesAreUsageErrorsNamingTheOption() {
        for (value, reason) in [
            ("3/3", "the shard must be from 0 to 2 (K counts from 0, below N), not 3"),
            ("0/2000", "the number of shards must be from 1 to 1024, not 2000"),
            ("1-3", "'1-3' is not a shard: give K/N, e.g. 0/3 for the first of three"),
        ] {
            let result = run(["run", "--headless", "--shard", value])
            XCTAssertEqual(result.status, 2, value)
            XCTAssertEqual(result.err, "streamtop: --shard: \(reason)\nRun 'streamtop run --help' for usage.\n")
            XCTAssertEqual(result.out, "")
        }
        XCTAssertEqual(
            run(["run", "--shard"]).err,
            "streamtop: option '--shard' needs a value\nRun 'streamtop run --help' for usage.\n")
        let help = run(["run", "--help"])
        XCTAssertTrue(help.out.contains("[--shard K/N]") && help.out.contains("  --shard K/N  "), help.out)
    }

    func testAShardsStateDirectoryIsItsOwnUnlessGiven() throws {
        let environment = ["HOME": "/home/x"]
        let shard = try Shard(parsing: "2/5")
        XCTAssertEqual(
            RunCommand.stateDirectory(override: nil, shard: shard, environment: environment),
            "/home/x/.local/state/streamtop/shard-2-of-5")
        XCTAssertEqual(RunCommand.stateDirectory(override: "/srv/s", shard: shard, environment: environment), "/srv/s")
        XCTAssertEqual(
            RunCommand.stateDirectory(override: nil, shard: .all, environment: environment),
            "/home/x/.local/state/streamtop")
    }
}
