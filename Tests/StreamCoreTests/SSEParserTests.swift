import XCTest
@testable import StreamCore

/// One test per rule of the WHATWG "Interpreting an event stream" algorithm. Every stream is
/// fed whole, byte by byte, and in several random chunkings, and all must agree.
final class SSEParserTests: XCTestCase {
    func items(_ chunks: [[UInt8]], maxEventBytes: Int = 16 << 20) -> (items: [SSEItem], parser: SSEParser) {
        var parser = SSEParser(maxEventBytes: maxEventBytes)
        var items: [SSEItem] = []
        for chunk in chunks { parser.feed(chunk) { items.append($0) } }
        return (items, parser)
    }

    /// Parses `bytes` every way and checks each gives `expected`; returns the final parser.
    @discardableResult
    func assertParses(_ bytes: [UInt8], _ expected: [SSEItem], maxEventBytes: Int = 16 << 20, file: StaticString = #filePath, line: UInt = #line) -> SSEParser {
        let whole = items([bytes], maxEventBytes: maxEventBytes)
        XCTAssertEqual(whole.items, expected, "whole", file: file, line: line)
        XCTAssertEqual(items(bytes.map { [$0] }, maxEventBytes: maxEventBytes).items, expected, "byte by byte", file: file, line: line)
        var random = SeededRandom(seed: UInt64(bytes.count))
        for round in 0..<8 {
            let chunks = randomChunks(bytes, using: &random)
            XCTAssertEqual(items(chunks, maxEventBytes: maxEventBytes).items, expected, "random chunking \(round): \(chunks)", file: file, line: line)
        }
        return whole.parser
    }

    @discardableResult
    func assertParses(_ text: String, _ expected: [SSEItem], file: StaticString = #filePath, line: UInt = #line) -> SSEParser {
        assertParses(Array(text.utf8), expected, file: file, line: line)
    }

    func event(_ data: String, type: String = "message", id: String = "") -> SSEItem {
        .event(SSEEvent(type: type, data: data, lastEventID: id))
    }

    func testLineEndingsLFCRAndCRLF() {
        assertParses("data: a\n\ndata: b\r\rdata: c\r\n\r\n", [event("a"), event("b"), event("c")])
        assertParses("data: x\r\ndata: y\r\n\r\n", [event("x\ny")])
        assertParses("data: x\rdata: y\r\r", [event("x\ny")])
        assertParses("data: mixed\n\r\n", [event("mixed")])
    }

    func testCRLFSplitAcrossChunksIsOneLineEnd() {
        // "\r" ends a chunk and "\n" starts the next: one line end, not an empty line.
        let result = items([Array("data: a\r".utf8), Array("\ndata: b\r".utf8), Array("\n\r".utf8), Array("\n".utf8)])
        XCTAssertEqual(result.items, [event("a\nb")])
    }

    func testLoneCRAtTheVeryEndTerminatesTheLine() {
        assertParses("data: a\r\r", [event("a")])
        assertParses("id: 7\r", [])
        let parser = assertParses("id: 7\r", [])
        XCTAssertEqual(parser.lastEventIDBuffer, "7", "a line ended by a final CR is complete")
        XCTAssertEqual(parser.lastEventID, "", "but the block it belongs to has not ended")
    }

    func testLeadingBOMIsSkippedOnceEvenWhenSplit() {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        assertParses(bom + Array("data: a\n\n".utf8), [event("a")])
        XCTAssertEqual(items([[0xEF], [0xBB], [0xBF, 0x64], Array("ata: a\n\n".utf8)]).items, [event("a")])
        // A second BOM is content: it becomes part of the field name, which is then unknown.
        assertParses(bom + bom + Array("data: a\n\ndata: b\n\n".utf8), [event("b")])
        // A BOM later in the stream is ordinary data.
        assertParses(Array("data: ".utf8) + bom + Array("x\n\n".utf8), [event("\u{FEFF}x")])
        // An incomplete BOM is content too.
        assertParses([0xEF, 0xBB] + Array("\ndata: a\n\n".utf8), [event("a")])
    }

    func testCommentsAreIgnored() {
        assertParses(": heartbeat\n:\ndata: a\n: between\n\n", [event("a")])
    }

    func testFieldWithoutColonHasEmptyValue() {
        assertParses("data\n\n", [event("")])
        assertParses("data\ndata\n\n", [event("\n")])
        assertParses("event\ndata: x\n\n", [event("x")])
    }

    func testExactlyOneSpaceAfterTheColonIsRemoved() {
        assertParses("data:a\n\ndata: a\n\ndata:  a\n\ndata:\ta\n\n", [event("a"), event("a"), event(" a"), event("\ta")])
        assertParses("event:  spaced\ndata: x\n\n", [event("x", type: " spaced")])
    }

    func testDataLinesJoinWithLFAndTheFinalLFIsRemoved() {
        assertParses("data: one\ndata: two\ndata:\ndata: four\n\n", [event("one\ntwo\n\nfour")])
        assertParses("data: with: colon\n\n", [event("with: colon")])
    }

    func testBlockWithoutDataDispatchesNothingButEmptyDataDoes() {
        assertParses("event: ping\n\n", [])
        assertParses("id: 1\n\n\n\n", [])
        assertParses("data:\n\n", [event("")])
        assertParses("data\n\n", [event("")])
    }

    func testEventTypeDefaultsToMessageAndResetsAfterDispatch() {
        assertParses("event: patch\ndata: 1\n\ndata: 2\n\nevent: a\nevent: b\ndata: 3\n\n", [event("1", type: "patch"), event("2"), event("3", type: "b")])
        // The type also resets when a block dispatches nothing.
        assertParses("event: lost\n\ndata: x\n\n", [event("x")])
        assertParses("event:\ndata: x\n\n", [event("x")])
    }

    func testLastEventIDPersistsNULIsIgnoredEmptyClears() {
        let parser = assertParses(
            "id: 1\ndata: a\n\ndata: b\n\nid: 2\u{0}x\ndata: c\n\nid\ndata: d\n\nid: 3\n\ndata: e\n\n",
            [event("a", id: "1"), event("b", id: "1"), event("c", id: "1"), event("d", id: ""), event("e", id: "3")])
        XCTAssertEqual(parser.lastEventID, "3")
        // The ID survives the end of a connection, for Last-Event-ID on reconnect.
        var resumed = parser
        resumed.finish()
        XCTAssertEqual(resumed.lastEventID, "3")
    }

    func testRetryOnlyWhenAllASCIIDigits() {
        let parser = assertParses(
            "retry: 3000\nretry: 12a\nretry: -1\nretry: 1.5\nretry:\nretry:  5\nretry: ５\nretry: 0\n",
            [.retry(3000), .retry(0)])
        XCTAssertEqual(parser.reconnectionTime, 0)
        assertParses("retry: 99999999999999999999999999\n", [.retry(Int.max)])
    }

    func testUnknownFieldsAreIgnored() {
        assertParses("foo: bar\nDATA: x\ndata : y\ndata: z\n\n", [event("z")])
    }

    func testOnlyCompleteBlocksMoveTheLastEventID() {
        // A connection cut in the middle of an event: its id line was read, its blank line never came.
        var parser = SSEParser()
        var got: [SSEItem] = []
        parser.feed(Array("id: 1\ndata: a\n\nid: 2\ndata: [{\"op\":".utf8)) { got.append($0) }
        XCTAssertEqual(parser.lastEventID, "1", "Last-Event-ID for the reconnection")
        parser.finish()
        // A new connection starts with an empty buffer; a block without data still commits it.
        parser.feed(Array("id: 5\n\n".utf8)) { got.append($0) }
        XCTAssertEqual(parser.lastEventID, "5")
        parser.feed(Array("data: b\n\n".utf8)) { got.append($0) }
        XCTAssertEqual(got, [event("a", id: "1"), event("b", id: "5")])
        parser.finish()
        parser.feed(Array("data: c\n\n".utf8)) { got.append($0) }
        XCTAssertEqual(got.last, event("c", id: ""), "per the standard, the new connection's buffer is empty")
    }

    func testPendingEventAtEndOfStreamIsDiscarded() {
        var parser = SSEParser()
        var got: [SSEItem] = []
        parser.feed(Array("data: complete\n\ndata: partial\n".utf8)) { got.append($0) }
        parser.finish()
        parser.feed(Array("\n".utf8)) { got.append($0) }  // a new connection starts clean
        XCTAssertEqual(got, [event("complete")])
        // An unterminated last line is not a line.
        assertParses("data: a\n\ndata: b", [event("a")])
    }

    func testInvalidUTF8BecomesReplacementCharacter() {
        assertParses(Array("data: a".utf8) + [0xFF, 0xC3] + Array("b\nid: ".utf8) + [0xE2, 0x82] + Array("\n\n".utf8),
                     [event("a\u{FFFD}\u{FFFD}b", id: "\u{FFFD}")])
        // A multi-byte character split across chunks is decoded whole.
        assertParses(Array("data: é😀日\n\n".utf8), [event("é😀日")])
    }

    func testOnlyCRAndLFEndLines() {
        // U+2028, U+0085 and form feed are not line ends in this format (unlike Character.isNewline).
        assertParses("data: a\u{2028}b\u{85}c\u{0C}d\n\n", [event("a\u{2028}b\u{85}c\u{0C}d")])
    }

    func testEventSizeLimitDropsTheEventAndKeepsMemoryBounded() {
        let limit = 64
        let big = String(repeating: "x", count: 40)
        var parser = assertParses(
            Array("id: 9\nevent: patch\ndata: \(big)\ndata: \(big)\n\ndata: small\n\n".utf8),
            [.eventTooLarge(type: "patch", lastEventID: "9", limit: limit), event("small", id: "9")],
            maxEventBytes: limit)
        // A single endless line (no line break at all) is discarded as it arrives.
        var got: [SSEItem] = []
        parser.feed(Array("data: ".utf8)) { got.append($0) }
        for _ in 0..<10_000 { parser.feed([UInt8](repeating: 0x61, count: 100)) { got.append($0) } }
        parser.feed(Array("\n\ndata: after\n\n".utf8)) { got.append($0) }
        XCTAssertEqual(got, [.eventTooLarge(type: "message", lastEventID: "9", limit: limit), event("after", id: "9")])
    }

    func testExactlyAtTheLimitIsAccepted() {
        let data = String(repeating: "y", count: 63)  // 63 bytes + the joining LF = 64
        assertParses(Array("data: \(data)\n\n".utf8), [event(data)], maxEventBytes: 64)
        assertParses(Array("data: \(data)y\n\n".utf8), [.eventTooLarge(type: "message", lastEventID: "", limit: 64)], maxEventBytes: 64)
    }

    func testLongEventsAcrossManyChunks() {
        let payload = String(repeating: "0123456789", count: 10_000)
        let stream = Array("event: data\ndata: \(payload)\r\n\r\n".utf8)
        var parser = SSEParser()
        var got: [SSEItem] = []
        var offset = 0
        while offset < stream.count {
            let end = min(stream.count, offset + 4093)
            parser.feed(Array(stream[offset..<end])) { got.append($0) }
            offset = end
        }
        XCTAssertEqual(got, [event(payload, type: "data")])
    }

    func testRandomStreamsParseTheSameInAnyChunking() {
        var random = SeededRandom(seed: 99)
        let pieces = ["data: x", "data:y", "data", "id: 1", "id", "event: e", ": c", "retry: 10", "foo: bar", "", "data: é", "id: a\u{0}b"]
        let ends = ["\n", "\r", "\r\n"]
        for _ in 0..<300 {
            var text = Int.random(in: 0..<4, using: &random) == 0 ? "\u{FEFF}" : ""
            for _ in 0..<Int.random(in: 0..<20, using: &random) {
                text += pieces.randomElement(using: &random)! + ends.randomElement(using: &random)!
            }
            let bytes = Array(text.utf8)
            let expected = items([bytes]).items
            XCTAssertEqual(items(bytes.map { [$0] }).items, expected, text.debugDescription)
            for _ in 0..<4 {
                XCTAssertEqual(items(randomChunks(bytes, using: &random)).items, expected, text.debugDescription)
            }
        }
    }

    func testLineEndScannerFindsEveryPosition() {
        // The eight-bytes-at-a-time scanner must agree with a plain loop at every alignment.
        var random = SeededRandom(seed: 5)
        for _ in 0..<2_000 {
            var bytes = (0..<Int.random(in: 1..<40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            if Bool.random(using: &random) { bytes = bytes.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 } }
            let from = Int.random(in: 0..<bytes.count, using: &random)
            let expected = bytes[from...].firstIndex { $0 == 0x0A || $0 == 0x0D } ?? bytes.count
            bytes.withUnsafeBufferPointer { XCTAssertEqual(SSEParser.lineEnd($0, from: from), expected) }
        }
    }
}
