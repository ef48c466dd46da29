import Foundation
import XCTest
@testable import StreamCLI
@testable import StreamCore

/// `streamtop replay` prints archived events exactly as `tail --jsonl` prints the same events
/// read from a capture, and archived polls as `tail --poll --jsonl` shows a poll.
final class ReplayCommandTests: TemporaryHomeTestCase {
    var state: String { home + "/state" }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try ArchiveFixture.write(stateDirectory: state)
    }

    func replay(_ id: String, _ extra: [String] = []) -> (status: Int32, out: String, err: String) {
        run(["replay", id, "--state-dir", state, "--since", ArchiveFixture.since, "--until", ArchiveFixture.until]
            + extra)
    }

    /// What `tail --jsonl` prints for the fixture's quotes events, read from a capture of them.
    func tailLines(_ flags: [String]) throws -> [String] {
        let capture = home + "/quotes.sse"
        let text = ArchiveFixture.quotesEvents.map { "event: \($0.type)\nid: \($0.id)\ndata: \($0.data)\n\n" }.joined()
        try Data(text.utf8).write(to: URL(fileURLWithPath: capture))
        let output = MemorySink()
        XCTAssertEqual(try TailCommand(arguments: flags + [capture]).run(output: output), 0)
        return output.text.split(separator: "\n").map(String.init)
    }

    func testEventsAreTailsLinesWithAndWithoutDocument() throws {
        for flags in [["--jsonl"], ["--jsonl", "--document"]] {
            let replayed = replay("quotes", flags.contains("--document") ? ["--document"] : [])
            XCTAssertEqual(replayed.status, 0, replayed.err)
            let lines = replayed.out.split(separator: "\n").map(String.init)
            let tail = try tailLines(flags)
            // Every line but the summary (whose bytes are the capture's size for tail) is the same.
            XCTAssertEqual(Array(lines.dropLast()), Array(tail.dropLast()), "\(flags)")
            XCTAssertEqual(lines.count, 6 + 1)
            let summary = try JSONParser.parse(lines.last!)
            XCTAssertEqual(summary["kind"], "summary")
            XCTAssertEqual(summary["events"], 6)
            XCTAssertEqual(summary["lastEventId"], "6")
            XCTAssertEqual(summary["bytes"], .number(JSONNumber(ArchiveFixture.quotesEvents.map { $0.data.utf8.count }
                .reduce(0, +))))
        }
        // The compressed part's event before the period, and the next day's, are not replayed;
        // the torn line is a warning.
        let all = replay("quotes")
        XCTAssertFalse(all.out.contains(#""id":"0""#))
        XCTAssertTrue(all.err.contains("is incomplete"), all.err)
    }

    func testPollsAreTailPollLines() throws {
        let replayed = replay("quotes-polled", ["--document"])
        XCTAssertEqual(replayed.status, 0, replayed.err)
        let lines = replayed.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4 + 1)
        // The first body: a streaming proxy's snapshot, one add at the root (33 bytes + the 13 of the body).
        XCTAssertEqual(lines[0], #"{"kind":"poll","status":200,"wireBytes":300,"bytes":13,"changed":true,"#
            + #""patch":[{"op":"add","path":"","value":{"p":[1,2,3]}}],"patchBytes":46,"skipped":0,"#
            + #""document":{"p":[1,2,3]}}"#)
        XCTAssertEqual(lines[1], #"{"kind":"poll","status":304,"wireBytes":100,"bytes":0,"changed":false,"#
            + #""patch":[],"patchBytes":2,"skipped":0,"document":{"p":[1,2,3]}}"#)
        XCTAssertEqual(lines[2], #"{"kind":"poll","status":200,"wireBytes":300,"bytes":13,"changed":true,"#
            + #""patch":[{"op":"replace","path":"/p/2","value":4}],"patchBytes":42,"skipped":0,"#
            + #""document":{"p":[1,2,4]}}"#)
        // The same renderer tail --poll uses, for the same poll.
        var renderer = TailRenderer(jsonl: true, includeDocument: true, quiet: false)
        let body: JSONValue = ["p": [1, 2, 3, 4]]
        let patch = JSONDiff.diff(from: ["p": [1, 2, 4]], to: body)
        renderer.poll(TailPoll(
            status: 200, wireBytes: 302, bodyBytes: 15, changed: true, patch: patch, patchBytes: patch.encodedSize,
            document: body))
        XCTAssertEqual(lines[3] + "\n", String(decoding: renderer.take(), as: UTF8.self))
        let summary = try JSONParser.parse(lines[4])
        XCTAssertEqual(summary["events"], 4)
        XCTAssertEqual(summary["bytes"], 1002)
    }

    func testUnknownStreamListsTheArchivedOnes() {
        let result = replay("nope")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.contains("no archive of stream 'nope'"), result.err)
        XCTAssertTrue(result.err.contains("(archived: quotes, quotes-polled, weather)"), result.err)
        XCTAssertEqual(run(["replay"]).status, 2)
        XCTAssertEqual(run(["replay", "quotes", "--since", "soon"]).status, 2)
        XCTAssertEqual(run(["replay", "a", "b"]).status, 2)
    }

    func testWithoutSinceEverythingArchivedUpToUntil() {
        let result = run(["replay", "quotes", "--state-dir", state, "--until", ArchiveFixture.until])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.hasPrefix(#"{"kind":"event","type":"data","id":"0","#), result.out)
    }
}
