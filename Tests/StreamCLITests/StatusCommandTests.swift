import Foundation
import XCTest
@testable import StreamCLI
@testable import StreamCore
@testable import StreamEngine

/// `streamtop status` reading a status.json written by hand: the table, the streaming-versus-
/// polling line per group, and what it says when there is nothing to read.
final class StatusCommandTests: TemporaryHomeTestCase {
    func testGroupsSayHowMuchStreamingSaved() throws {
        // Written three days and an hour ago: the first line says how old it is.
        let updatedAt = UTCTime(secondsSinceEpoch: Date().timeIntervalSince1970 - 3 * 86_400 - 3600).iso8601
        let status: JSONValue = [
            "updatedAt": .string(updatedAt),
            "streams": [
                ["id": "quotes", "state": "open", "wireBytes": 2048, "wireBytesPerSecond": 10.0, "events": 7, "patchesPerMinute": 1.5, "errors": 0],
                ["id": "quotes-polled", "state": "open", "wireBytes": 40960, "wireBytesPerSecond": 200.0, "events": 0, "patchesPerMinute": 0, "errors": 1,
                 "lastError": "HTTP 500\u{1B}[2J"],
            ],
            "groups": [
                ["group": "q", "streamed": "quotes", "polled": "quotes-polled", "savings": 0.934],
                ["group": "w", "streamed": "weather", "polled": "weather-polled", "savings": -0.25],
                ["group": "x", "streamed": "a", "polled": "b", "savings": nil],
            ],
        ]
        try StatusFile.write(JSONWriter.data(status) + [0x0A], to: home + "/status.json")
        // Written by a streamtop that has ended: the first line says so.
        XCTAssertEqual(run(["status", "--state-dir", home]).out.split(separator: "\n").first.map(String.init),
                       "updated \(updatedAt) (3d ago; no streamtop is running these streams now: "
                        + "this is the last it wrote)")
        // Held by a streamtop that does not answer on its socket (hung): said, and the file shown.
        let running = try StateDirectoryLock(stateDirectory: home)  // as `run` holds it
        XCTAssertTrue(FileManager.default.createFile(atPath: home + "/streamtop.sock", contents: nil))
        let shown = run(["status", "--state-dir", home])
        withExtendedLifetime(running) {}
        XCTAssertEqual(shown.status, 0, shown.err)
        XCTAssertTrue(
            shown.err.contains("does not answer on \(home!)/streamtop.sock; showing the status.json"), shown.err)
        guard shown.out.split(separator: "\n").count > 3 else { return XCTFail(shown.out) }
        let lines = shown.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "updated \(updatedAt) (3d ago)")
        XCTAssertTrue(lines[3].hasPrefix("quotes-polled ") && lines[3].hasSuffix("HTTP 500\u{241B}[2J"), "escape sequences never reach the terminal: \(lines[3])")
        XCTAssertEqual(Array(lines.suffix(3)), [
            "group q: streaming (quotes) used 93% fewer bytes than polling (quotes-polled)",
            "group w: streaming (weather) used 25% more bytes than polling (weather-polled)",
            "group x: streaming (a) against polling (b): not measured yet (a minute of running)",
        ])
    }

    /// The disk budget: how much is used, and while pruning, since when data is kept.
    func testTheLastLineSaysHowMuchOfTheDiskBudgetIsUsed() throws {
        var status: JSONValue = [
            "updatedAt": "2026-11-29T03:00:00Z", "streams": [], "groups": [],
            "disk": ["budget": 10_737_418_240, "used": 1_288_490_189, "pruning": false, "keptSince": nil,
                     "removedFiles": 0, "removedBytes": 0],
        ]
        try StatusFile.write(JSONWriter.data(status) + [0x0A], to: home + "/status.json")
        XCTAssertEqual(run(["status", "--state-dir", home]).out.split(separator: "\n").last,
                       "disk: 1.2 GiB of 10.0 GiB budget")
        status = [
            "updatedAt": "2026-11-29T03:00:00Z", "streams": [], "groups": [],
            "disk": ["budget": 10_737_418_240, "used": 10_630_044_058, "pruning": true,
                     "keptSince": "2026-11-28T10:00:00.000Z\u{1B}[2J",
                     "removedFiles": 42, "removedBytes": 1_395_864_371],
        ]
        try StatusFile.write(JSONWriter.data(status) + [0x0A], to: home + "/status.json")
        XCTAssertEqual(run(["status", "--state-dir", home]).out.split(separator: "\n").last,
                       "disk: 9.9 GiB of 10.0 GiB budget; pruning: the oldest files go, kept since "
                        + "2026-11-28T10:00:00.000Z\u{241B}[2J (42 files, 1.3 GiB removed)")
    }

    func testDiskBudgetMistakesAreUsageErrors() {
        for (arguments, message) in [
            (["run", "--headless", "--disk-budget", "5X"],
             "streamtop: --disk-budget: '5X' is not a size; give one such as 500M or 2G\n"),
            (["run", "--disk-budget=1..5G"],
             "streamtop: --disk-budget: '1..5G' is not a size; give one such as 500M or 2G\n"),
            (["run", "--disk-budget", "0"], "streamtop: --disk-budget must be more than 0\n"),
            (["run", "--disk-budget"], "streamtop: option '--disk-budget' needs a value\n"),
        ] {
            let result = run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertEqual(result.err, message + "Run 'streamtop run --help' for usage.\n")
            XCTAssertEqual(result.out, "")
        }
        let help = run(["run", "--help"])
        XCTAssertTrue(help.out.contains("[--disk-budget SIZE]"), help.out)
        XCTAssertTrue(help.out.contains("  --disk-budget SIZE\n"), help.out)
    }

    func testMissingStatusSaysWhatToRun() {
        let shown = run(["status", "--state-dir", home + "/nowhere"])
        XCTAssertEqual(shown.status, 1)
        XCTAssertTrue(shown.err.contains("is 'streamtop run --headless' running?"), shown.err)
        XCTAssertTrue(shown.err.contains(home + "/nowhere/status.json does not exist"), shown.err)
    }

    /// A status.json that cannot be read, or is not what `run` writes, is named with the reason.
    func testAStatusThatCannotBeReadIsNamedWithTheReason() throws {
        let path = home + "/status.json"
        let torn = #"{"updatedAt": "2026-11-29T03:00:00Z", "streams": [{"id": "#
        try torn.write(toFile: path, atomically: false, encoding: .utf8)
        for arguments in [["status"], ["status", "--json"]] {
            let shown = run(arguments + ["--state-dir", home])
            XCTAssertEqual(shown.status, 1)
            XCTAssertEqual(shown.err, "streamtop: cannot show the status: \(path) is not a valid status file: "
                           + "invalid JSON at byte 57: unexpected end of input\n")
        }
        try "[]".write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertEqual(run(["status", "--state-dir", home]).err,
                       "streamtop: cannot show the status: \(path) is not a status file: it has no list of streams\n")
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        XCTAssertEqual(run(["status", "--state-dir", home]).err,
                       "streamtop: cannot show the status: cannot read \(path): Is a directory\n")
    }
}
