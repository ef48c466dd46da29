import Foundation
import XCTest
@testable import StreamCLI
@testable import StreamCore

/// `streamtop tail` in-process: the JSONL contract, plain output, errors and exit statuses.
final class TailCommandTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-tail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func capture(_ text: String, name: String = "capture.sse") throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func run(_ arguments: [String]) -> (status: Int32, out: MemorySink, err: MemorySink) {
        let out = MemorySink()
        let err = MemorySink()
        let status = Streamtop.main(arguments, output: out, errors: err)
        return (status, out, err)
    }

    func records(_ sink: MemorySink) throws -> [JSONValue] {
        try sink.lines.map { try JSONParser.parse($0) }
    }

    static let streamdata = """
        retry: 2500
        : heartbeat
        event: data
        id: 1
        data: {"price":1,"name":"\\u001b[31mACME"}

        event: patch
        id: 2
        data: [{"op":"replace","path":"/price","value":2},{"op":"test","path":"/price","value":2}]

        event: patch
        id: 3
        data: [{"op":"remove","path":"/missing"}]

        event: patch
        id: 4
        data: [{"op":"replace","path":"/price","value":3}]

        data: not json \u{1B}[2J

        event: data
        id: 5
        data: {"price":10}

        event: data
        data: {"broken":

        data: [DONE]

        data: trailing event without its blank line
        """

    func testJSONLContract() throws {
        let path = try capture(Self.streamdata)
        let result = run(["tail", "--jsonl", path])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.err.text, "")
        let lines = result.out.lines
        XCTAssertEqual(lines, [
            #"{"kind":"retry","ms":2500}"#,
            #"{"kind":"event","type":"data","id":"1","data":"{\"price\":1,\"name\":\"\\u001b[31mACME\"}","bytes":35}"#,
            #"{"kind":"event","type":"patch","id":"2","data":"[{\"op\":\"replace\",\"path\":\"/price\",\"value\":2},{\"op\":\"test\",\"path\":\"/price\",\"value\":2}]","bytes":84}"#,
            #"{"kind":"event","type":"patch","id":"3","data":"[{\"op\":\"remove\",\"path\":\"/missing\"}]","bytes":35}"#,
            #"{"kind":"error","message":"patch failed: operation 0 (remove \"/missing\"): member \"missing\" does not exist","event":"patch","id":"3"}"#,
            #"{"kind":"event","type":"patch","id":"4","data":"[{\"op\":\"replace\",\"path\":\"/price\",\"value\":3}]","bytes":44}"#,
            #"{"kind":"error","message":"patch not applied: the document is stale (patch failed: operation 0 (remove \"/missing\"): member \"missing\" does not exist); waiting for a new snapshot","event":"patch","id":"4"}"#,
            #"{"kind":"event","type":"message","id":"4","data":"not json \u001b[2J","bytes":13}"#,
            #"{"kind":"event","type":"data","id":"5","data":"{\"price\":10}","bytes":12}"#,
            #"{"kind":"event","type":"data","id":"5","data":"{\"broken\":","bytes":10}"#,
            #"{"kind":"error","message":"malformed JSON snapshot: invalid JSON at byte 10: unexpected end of input","event":"data","id":"5"}"#,
            #"{"kind":"event","type":"message","id":"5","data":"[DONE]","bytes":6}"#,
            #"{"kind":"summary","events":8,"bytes":\#(Self.streamdata.utf8.count),"reconnects":0,"errors":3,"lastEventId":"5","retryMs":2500}"#,
        ])
        // Every line is valid JSON, and no raw control character reaches the terminal.
        XCTAssertEqual(try records(result.out).count, lines.count)
        XCTAssertFalse(result.out.text.unicodeScalars.contains { $0 != "\n" && Sanitizer.isUnsafe($0) })
    }

    func testDocumentOption() throws {
        let path = try capture(Self.streamdata)
        let all = try records(run(["tail", "--jsonl", "--document", path]).out)
        let events = all.filter { $0["kind"] == "event" }
        XCTAssertEqual(events[0]["document"], ["price": 1, "name": "\u{1B}[31mACME"])
        XCTAssertNil(events[0]["ops"], "ops only on patch events")
        XCTAssertEqual(events[1]["document"], ["price": 2, "name": "\u{1B}[31mACME"])
        XCTAssertEqual(events[1]["ops"], 2)
        XCTAssertNil(events[2]["document"], "a rejected event has no document")
        XCTAssertEqual(events[5]["document"], ["price": 10])
        XCTAssertNil(all.last?["document"], "the summary carries the document only with --quiet")
    }

    func testQuietPrintsErrorsAndSummaryWithFinalDocument() throws {
        let path = try capture(Self.streamdata)
        let result = run(["tail", "--jsonl", "--document", "--quiet", path])
        let all = try records(result.out)
        XCTAssertEqual(all.map { $0["kind"]!.stringValue! }, ["error", "error", "error", "summary"])
        XCTAssertEqual(all.last?["document"], ["price": 10])
        XCTAssertEqual(all.last?["retryMs"], 2500)
        let quietWithoutDocument = try records(run(["tail", "--jsonl", "-q", path]).out)
        XCTAssertNil(quietWithoutDocument.last?["document"])
    }

    func testSummaryOfAnEmptyStream() throws {
        let path = try capture("")
        let result = run(["tail", "--jsonl", path])
        XCTAssertEqual(result.out.lines, [#"{"kind":"summary","events":0,"bytes":0,"reconnects":0,"errors":0,"lastEventId":"","retryMs":null}"#])
    }

    func testOversizeEventIsAnErrorAndTheStreamGoesOn() throws {
        var out = MemorySink()
        var session = TailSession(renderer: TailRenderer(jsonl: true, includeDocument: true, quiet: false), maxEventBytes: 32)
        session.feed(Array("event: data\ndata: {\"a\":1}\n\nid: 7\nevent: patch\ndata: [\(String(repeating: " ", count: 40))]\n\nevent: patch\ndata: []\n\nevent: data\ndata: {\"a\":2}\n\n".utf8))
        session.finish()
        out = MemorySink()
        out.write(session.renderer.take())
        let all = try records(out)
        XCTAssertEqual(all[1], ["kind": "error", "message": "event larger than the limit of 32 B; dropped", "event": "patch", "id": "7"])
        XCTAssertEqual(all[3]["kind"], "error", "a patch after a dropped event is refused: the document may have missed it")
        XCTAssertEqual(all[4]["document"], ["a": 2])
        XCTAssertEqual(all.last?["errors"], 2)
    }

    func testPlainOutputIsSanitizedForPeople() throws {
        let path = try capture(Self.streamdata)
        let result = run(["tail", path])
        XCTAssertEqual(result.status, 0)
        let text = result.out.text
        XCTAssertTrue(text.contains("data  id 1  35 B  changed\n  {\"price\":1,\"name\":\"\\u001b[31mACME\"}\n"), text)
        XCTAssertTrue(text.contains("message  id 4  13 B\n  not json ␛[2J\n"), text)
        XCTAssertTrue(text.contains("error: patch failed: operation 0 (remove \"/missing\"): member \"missing\" does not exist (event patch, id 3)"), text)
        XCTAssertTrue(text.hasSuffix("-- 8 events, \(Self.streamdata.utf8.count) B read, 3 errors, last id 5, retry 2500 ms\n"), text)
        XCTAssertFalse(text.unicodeScalars.contains { $0 != "\n" && Sanitizer.isUnsafe($0) })
    }

    func testMissingFileIsAnUnrecoveredError() throws {
        let result = run(["tail", "--jsonl", directory.appendingPathComponent("nope.sse").path])
        XCTAssertEqual(result.status, 1)
        let all = try records(result.out)
        XCTAssertEqual(all.first?["kind"], "error")
        XCTAssertTrue(all.first?["message"]?.stringValue?.hasPrefix("cannot open ") == true)
        XCTAssertEqual(all.last?["kind"], "summary")
        XCTAssertEqual(all.last?["errors"], 1)
    }

    func testDirectoryIsAReadError() throws {
        let result = run(["tail", directory.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.out.text.contains("error: cannot read"), result.out.text)
    }

    func testUsageErrors() {
        let cases: [([String], String)] = [
            (["tail"], "streamtop: missing <url | file | ->: name a URL, a capture file, or - for standard input\nRun 'streamtop tail --help' for usage.\n"),
            (["tail", "--jsnol", "x"], "streamtop: unknown option '--jsnol'; did you mean '--jsonl'?\nRun 'streamtop tail --help' for usage.\n"),
            (["tail", "a", "b"], "streamtop: unexpected argument 'b': tail reads one source\nRun 'streamtop tail --help' for usage.\n"),
            (["tail", "--quiet=yes", "a"], "streamtop: option '--quiet' takes no value\nRun 'streamtop tail --help' for usage.\n"),
            (["frobnicate"], "streamtop: unknown command 'frobnicate'\nRun 'streamtop --help' for usage.\n"),
        ]
        for (arguments, message) in cases {
            let result = run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertEqual(result.err.text, message)
            XCTAssertEqual(result.out.text, "")
        }
        let bare = run([])
        XCTAssertEqual(bare.status, 2)
        XCTAssertTrue(bare.err.text.contains("USAGE: streamtop <command>"))
    }

    func testHelp() {
        let tailHelp = run(["tail", "--help"])
        XCTAssertEqual(tailHelp.status, 0)
        XCTAssertTrue(tailHelp.out.text.hasPrefix("USAGE: streamtop tail [--jsonl] [--document] [--quiet] <url | file | ->"))
        XCTAssertTrue(tailHelp.out.text.contains("EXIT STATUS"))
        XCTAssertEqual(run(["--help"]).status, 0)
        XCTAssertEqual(run(["--version"]).out.text, "streamtop \(Streamtop.version)\n")
    }

    func testDashAfterDoubleDashIsAFileName() throws {
        let path = try capture("data: x\n\n", name: "-")
        let previous = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(directory.path)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        _ = path
        let result = run(["tail", "--jsonl", "--", "./-"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(try records(result.out).first?["data"], "x")
    }
}
