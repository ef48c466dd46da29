import Foundation
import TestSupport
import XCTest
@testable import LocalServer
@testable import StreamCLI
@testable import StreamCore

/// `streamtop tail URL` against LocalServer: the JSONL records of a live stream.
final class TailURLTests: XCTestCase {
    var server: LocalServer!

    override func setUpWithError() throws {
        server = try LocalServer(configuration: .init(apis: [.init(name: "quotes", kind: "quotes", period: .milliseconds(40))], retryMilliseconds: 30))
    }

    override func tearDownWithError() throws {
        server.stop()
    }

    func tail(_ arguments: [String]) throws -> (status: Int32, records: [JSONValue], errors: String) {
        let out = MemorySink()
        let err = MemorySink()
        let status = Streamtop.main(["tail"] + arguments, output: out, errors: err)
        return (status, try out.lines.map { try JSONParser.parse($0) }, err.text)
    }

    func kinds(_ records: [JSONValue]) -> [String] { records.compactMap { $0["kind"]?.stringValue } }

    func testLiveStreamRecordsAndLimit() throws {
        let result = try tail(["--jsonl", "--document", "--max-events", "3", server.baseURL + "/sse/quotes"])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(Array(kinds(result.records).prefix(3)), ["connect", "open", "retry"])
        XCTAssertEqual(result.records[0]["attempt"], 1)
        XCTAssertEqual(result.records[0]["lastEventId"], .null)
        XCTAssertEqual(result.records[1]["status"], 200)
        XCTAssertEqual(result.records[1]["contentType"], "text/event-stream")
        let events = result.records.filter { $0["kind"] == "event" }
        XCTAssertEqual(events.count, 3)
        XCTAssertEqual(events[0]["type"], "data")
        XCTAssertNotNil(events[2]["document"]?["quotes"])
        let summary = result.records.last!
        XCTAssertEqual(summary["kind"], "summary")
        XCTAssertEqual(summary["events"], 3)
        XCTAssertEqual(summary["retryMs"], 30)
        XCTAssertEqual(summary["errors"], 0)
    }

    func testHTTPErrorWithoutReconnectIsAnUnrecoveredError() throws {
        let result = try tail(["--jsonl", "--no-reconnect", server.baseURL + "/sse/quotes?fault=500"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(kinds(result.records), ["connect", "error", "close", "summary"])
        XCTAssertEqual(result.records[1]["message"], "HTTP 500: simulated failure")
        XCTAssertEqual(result.records[1]["status"], 500)
        XCTAssertEqual(result.records[3]["errors"], 1)
        let wrongType = try tail(["--jsonl", "--no-reconnect", server.baseURL + "/sse/quotes?fault=content-type"])
        XCTAssertEqual(wrongType.status, 1)
        XCTAssertEqual(wrongType.records[1]["message"], "wrong content type application/json, expected text/event-stream")
        let noContent = try tail(["--jsonl", server.baseURL + "/sse/quotes?fault=204"])
        XCTAssertEqual(noContent.status, 0, "the server asked to stop: not an error")
        XCTAssertEqual(kinds(noContent.records), ["connect", "close", "summary"])
    }

    func testDroppedConnectionsReconnectAndResume() throws {
        let result = try tail(["--jsonl", "--max-events", "4", server.baseURL + "/sse/quotes?fault=drop"])
        XCTAssertEqual(result.status, 0)
        let reconnects = result.records.filter { $0["kind"] == "reconnect" }
        XCTAssertFalse(reconnects.isEmpty)
        XCTAssertEqual(reconnects[0]["delayMs"], 30)
        let second = result.records.first { $0["kind"] == "connect" && $0["attempt"] == 2 }
        XCTAssertNotNil(second?["lastEventId"]?.stringValue, "resumes with Last-Event-ID")
        XCTAssertEqual(result.records.last?["reconnects"], .number(JSONNumber(reconnects.count)))
    }

    func testAFailingPatchResynchronizesWithoutLastEventID() throws {
        let result = try tail(["--jsonl", "--max-events", "4", server.baseURL + "/sse/quotes?fault=malformed-patch"])
        XCTAssertEqual(result.status, 0)
        let error = result.records.first { $0["kind"] == "error" }
        XCTAssertEqual(error?["message"]?.stringValue?.hasPrefix("patch failed: operation 0 (remove \"/does-not-exist\")"), true)
        let close = result.records.first { $0["kind"] == "close" }
        XCTAssertEqual(close?["reason"]?.stringValue?.hasPrefix("resynchronizing: patch failed"), true)
        let second = result.records.first { $0["kind"] == "connect" && $0["attempt"] == 2 }
        XCTAssertEqual(second?["lastEventId"], .null, "a fresh snapshot, not a resume")
    }

    func testSlowDripNonJSONAndOversizeStreams() throws {
        // A stream sent a few bytes per tick still parses into whole events.
        let drip = try tail(["--jsonl", "--max-events", "1", server.baseURL + "/sse/quotes?fault=drip&bytes=97"])
        XCTAssertEqual(drip.status, 0)
        XCTAssertEqual(drip.records.first { $0["kind"] == "event" }?["type"], "data")
        // Plain text events pass through; nothing is an error.
        let text = try tail(["--jsonl", "--max-events", "2", server.baseURL + "/sse/quotes?fault=non-json"])
        XCTAssertEqual(text.records.filter { $0["kind"] == "event" }.map { $0["data"]?.stringValue?.hasPrefix("plain text") }, [true, true])
        XCTAssertEqual(text.records.last?["errors"], 0)
        // An event over the 16 MiB limit is an error for that event; the stream resynchronizes
        // (the dropped event might have been a patch) and carries on.
        let big = try tail(["--jsonl", "--max-events", "3", server.baseURL + "/sse/quotes?fault=oversize"])
        let error = big.records.first { $0["kind"] == "error" }
        XCTAssertEqual(error?["message"], "event larger than the limit of 16.0 MiB; dropped")
        XCTAssertEqual(big.records.filter { $0["kind"] == "event" }.count, 3)
    }

    /// A generic SSE stream of 100,000 one-KiB text messages, many of which start like JSON
    /// (`[DONE]`, `[1,2] is a list`, `{not json}`), arrives whole over HTTP: every event in order,
    /// no error, no resynchronisation, exit 0 when the server ends it.
    func testAHundredThousandTextMessagesArriveWhole() throws {
        let count = 100_000
        var configuration = LocalServer.Configuration(apis: [])
        configuration.firehose = LocalServer.textMessages(count: count)
        let texts = try LocalServer(configuration: configuration)
        defer { texts.stop() }
        let out = MemorySink()
        let err = MemorySink()
        let status = Streamtop.main(["tail", "--jsonl", "--no-reconnect", texts.baseURL + "/firehose"], output: out, errors: err)
        XCTAssertEqual(status, 0, err.text)
        let lines = out.lines
        let events = lines.filter { $0.hasPrefix(#"{"kind":"event""#) }
        XCTAssertEqual(events.count, count)
        for (offset, line) in events.enumerated() where offset % 997 == 0 || offset == count - 1 {
            XCTAssertTrue(line.hasPrefix(#"{"kind":"event","type":"message","id":"\#(offset + 1)","data":""#), line)
        }
        XCTAssertFalse(lines.contains { $0.hasPrefix(#"{"kind":"error""#) })
        let summary = try JSONParser.parse(lines.last ?? "")
        XCTAssertEqual(summary["events"], .number(JSONNumber(count)))
        XCTAssertEqual(summary["errors"], 0)
        XCTAssertEqual(summary["lastEventId"], .string(String(count)))
    }

    /// An oversized message in a generic text stream costs that message only: an error line,
    /// and the stream goes on from where it was (no resynchronisation, exit 0).
    func testAnOversizedMessageInATextStreamLosesOnlyItself() throws {
        var configuration = LocalServer.Configuration(apis: [])
        configuration.firehose = Array("id: 1\ndata: first\n\nid: 2\ndata: ".utf8) + [UInt8](repeating: 0x78, count: 17 << 20)
            + Array("\n\nid: 3\ndata: [DONE]\n\n".utf8)
        let texts = try LocalServer(configuration: configuration)
        defer { texts.stop() }
        let result = try tail(["--jsonl", "--no-reconnect", texts.baseURL + "/firehose"])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.records.filter { $0["kind"] == "event" }.map { $0["data"] }, ["first", "[DONE]"])
        XCTAssertEqual(result.records.filter { $0["kind"] == "error" }.count, 1)
        XCTAssertFalse(result.records.contains { $0["reason"]?.stringValue?.hasPrefix("resynchronizing") == true })
    }

    /// With `--no-reconnect`, a stream that had to be resynchronised ends unrecovered: exit 1.
    func testAResynchronisationWithoutReconnectIsUnrecovered() throws {
        let result = try tail(["--jsonl", "--no-reconnect", server.baseURL + "/sse/quotes?fault=malformed-patch"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.records.first { $0["kind"] == "close" }?["reason"]?.stringValue?
            .hasPrefix("resynchronizing: patch failed"), true)
    }

    /// A server that echoes the credentials it was sent shows them to nobody.
    func testCredentialsAServerEchoesAreScrubbed() throws {
        let result = try tail(["--jsonl", "--no-reconnect", "--header", "X-Api-Key: k3y-s3cr3t",
                               server.baseURL + "/echo-credentials?token=t0k3n-value"])
        XCTAssertEqual(result.status, 1)
        let text = result.records.map { JSONWriter.string($0) }.joined(separator: "\n")
        XCTAssertTrue(text.contains("HTTP 401"), text)
        XCTAssertFalse(text.contains("k3y-s3cr3t") || text.contains("t0k3n-value"), text)
    }

    /// A URL of another scheme is refused as such, not looked for as a file.
    func testOtherSchemesAreRefused() throws {
        for url in ["ftp://x/", "file:///etc/passwd", "gopher://h/"] {
            let result = try tail([url])
            XCTAssertEqual(result.status, 2, url)
            XCTAssertTrue(result.errors.hasPrefix("streamtop: only http:// and https:// URLs are read, not "), result.errors)
        }
    }

    func testURLOnlyOptionsAreRejectedForFiles() throws {
        let result = try tail(["--header", "X: y", "capture.sse"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(
            result.errors,
            "streamtop: --header, --stall, --timeout, --poll, --unix-socket and --no-reconnect apply to URLs only\n"
            + "Run 'streamtop tail --help' for usage.\n")
    }

    /// An API that changes once between two polls: the second poll shows a patch (that one
    /// version's worth), smaller than the body. The API runs on a manual clock, and each poll
    /// is held until the test has moved it (or not): nothing depends on how long anything takes.
    func testPollingShowsWhatStreamingWouldHaveSent() throws {
        let clock = ManualTimeSource()
        let period = Duration.milliseconds(700)
        let slower = try LocalServer(
            configuration: .init(apis: [.init(name: "quotes", kind: "quotes", period: period)]), time: clock)
        defer { slower.stop() }
        final class Tailed: @unchecked Sendable {  // written before `ended` is fulfilled, read after
            var status: Int32 = -1
            let output = MemorySink(), errors = MemorySink()
        }
        let tailed = Tailed()
        let ended = expectation(description: "tail ended")
        let url = slower.baseURL + "/poll/quotes?fault=hold"
        DispatchQueue.global().async {
            let arguments = ["tail", "--jsonl", "--poll", "1", "--max-events", "2", url]
            tailed.status = Streamtop.main(arguments, output: tailed.output, errors: tailed.errors)
            ended.fulfill()
        }
        func requests() -> Int { slower.requestCount(path: "/poll/quotes") }
        waitUntil("the first poll") { requests() == 1 }
        slower.releaseHeldPolls()
        waitUntil("the second poll") { requests() == 2 }
        slower.advance(clock, by: period)  // one new version between the two polls
        slower.releaseHeldPolls()
        wait(for: [ended], timeout: 30)
        XCTAssertEqual(tailed.status, 0, tailed.errors.text)
        let records = try tailed.output.lines.map { try JSONParser.parse($0) }
        let polls = records.filter { $0["kind"] == "poll" }
        XCTAssertEqual(polls.count, 2)
        XCTAssertEqual(polls[0]["status"], 200)
        // The first body is what a streaming proxy sends first: the snapshot, as one `add`.
        let document = try XCTUnwrap(try tail(["--jsonl", "--poll", "1", "--max-events", "1", "--document",
                                               slower.baseURL + "/poll/quotes"]).records.first?["document"])
        XCTAssertEqual(polls[0]["patch"]?[0]?["op"], "add")
        XCTAssertEqual(polls[0]["patch"]?[0]?["path"], "")
        XCTAssertEqual(polls[0]["patch"]?.arrayValue?.count, 1)
        XCTAssertEqual(polls[0]["patchBytes"], .number(JSONNumber(JSONWriter.data(polls[0]["patch"]!).count)))
        XCTAssertEqual(polls[0]["patch"]?[0]?["value"]?["market"], document["market"])
        XCTAssertEqual(polls[0]["changed"], true)
        XCTAssertEqual(polls[1]["changed"], true)
        let patchBytes = polls[1]["patchBytes"]!.numberValue!.intValue!
        let bodyBytes = polls[1]["bytes"]!.numberValue!.intValue!
        XCTAssertGreaterThan(patchBytes, 0)
        XCTAssertLessThan(patchBytes, bodyBytes)
        XCTAssertGreaterThan(polls[1]["wireBytes"]!.numberValue!.intValue!, bodyBytes, "headers count on the wire")
        XCTAssertEqual(records.last?["events"], 2)
    }

    func testConditionalPollsGet304WhenNothingChanged() throws {
        // A manual clock that never moves: the API never changes between the polls.
        let still = try LocalServer(
            configuration: .init(apis: [.init(name: "status", kind: "status", period: .seconds(3600))]),
            time: ManualTimeSource())
        defer { still.stop() }
        let result = try tail(["--jsonl", "--poll", "1", "--max-events", "2", still.baseURL + "/poll/status"])
        let polls = result.records.filter { $0["kind"] == "poll" }
        XCTAssertEqual(polls.map { $0["status"] }, [200, 304])
        XCTAssertEqual(polls[1]["changed"], false)
        XCTAssertEqual(polls[1]["bytes"], 0)
        XCTAssertEqual(polls[1]["patch"], [])
        XCTAssertEqual(polls[1]["patchBytes"], 2)
        XCTAssertEqual(result.status, 0)
        let failed = try tail(["--jsonl", "--poll", "1", "--max-events", "1", still.baseURL + "/poll/status?fault=500"])
        XCTAssertEqual(failed.records.first?["kind"], "error")
        XCTAssertEqual(failed.records.first?["message"], "HTTP 500: simulated failure")
        XCTAssertEqual(failed.records.first?["status"], 500)
        XCTAssertEqual(failed.status, 1, "every poll failed: an unrecovered error")
    }

    /// The real binary, interrupted: SIGINT ends a live stream with its summary line, exit 0.
    func testSIGINTEndsALiveStreamWithTheSummary() throws {
        let process = Process()
        process.executableURL = StreamtopBinaryTests.executable
        process.arguments = ["tail", "--jsonl", server.baseURL + "/sse/quotes"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var text = ""
        while !text.contains("\"kind\":\"event\"") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        process.interrupt()
        text += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let last = try JSONParser.parse(String(text.split(separator: "\n").last ?? ""))
        XCTAssertEqual(last["kind"], "summary")
        XCTAssertGreaterThan(last["events"]?.numberValue?.intValue ?? 0, 0)
    }
}
