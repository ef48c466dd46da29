import XCTest
@testable import StreamCore

/// A parsed document's memory is bounded in proportion to its text: tiny containers, empty
/// strings and small keys are refused past the limit with an error that names it; documents
/// under it, and every legit document, parse as before.
final class JSONMemoryLimitTests: XCTestCase {
    /// `[element,element,…]` of at most `size` bytes.
    static func array(of element: String, size: Int) -> [UInt8] {
        let element = Array(element.utf8)
        var body: [UInt8] = [UInt8(ascii: "[")]
        body.reserveCapacity(size)
        while body.count + element.count + 1 <= size {
            if body.count > 1 { body.append(UInt8(ascii: ",")) }
            body += element
        }
        return body + [UInt8(ascii: "]")]
    }

    static let deep = String(repeating: #"{"a":"#, count: 511) + "0" + String(repeating: "}", count: 511)
    static let letters = "{" + "abcdefghijklmnopqrstuvwxyz".map { "\"\($0)\":0" }.joined(separator: ",") + "}"

    /// Elements whose values take far more memory than their text.
    static let hostile = ["[0]", "{}", "[]", deep, #""""#, letters, "0", #"{"a":0}"#, "[[[[[]]]]]"]

    func memoryReason(limit: Int, text: Int, perTextByte: Int = 6) -> JSONParseError.Reason {
        .tooMuchMemory(limit: limit, textBytes: text, perTextByte: perTextByte)
    }

    func testEveryTinyContainerShapePastTheLimitIsRefusedNamingIt() {
        for element in JSONMemoryLimitTests.hostile {
            let text = Self.array(of: element, size: 2 << 20)
            XCTAssertThrowsError(try JSONParser.parse(text)) { error in
                let error = error as! JSONParseError
                let shape = String(element.prefix(30))
                XCTAssertEqual(error.reason, memoryReason(limit: 6 * text.count, text: text.count), shape)
                XCTAssertTrue(error.isLimit)
                XCTAssertLessThan(error.offset, text.count, "refused before the end: \(shape)")
            }
        }
        // One object of many small keys.
        var keys = "{"
        for i in 0..<200_000 { keys += (i == 0 ? "" : ",") + "\"\(String(i, radix: 36))\":0" }
        let object = Array((keys + "}").utf8)
        XCTAssertThrowsError(try JSONParser.parse(object)) {
            XCTAssertEqual(($0 as! JSONParseError).reason, memoryReason(limit: 6 * object.count, text: object.count))
        }
    }

    func testTheErrorSaysWhatTheLimitIsAndWhy() {
        let text = Self.array(of: "[0]", size: 2 << 20)
        XCTAssertThrowsError(try JSONParser.parse(text)) {
            XCTAssertEqual(($0 as! JSONParseError).reasonText, "the document would take more than 12.0 MiB in memory "
                           + "(6× its 2.0 MiB of text): too many small values")
            XCTAssertTrue("\($0)".hasPrefix("JSON refused at byte "), "\($0)")
        }
        // Past the ceiling on any one document, and under the floor every document has.
        let options = JSONParser.Options(maxMemoryBytes: 4 << 20)
        XCTAssertThrowsError(try JSONParser.parse(text, options: options)) {
            XCTAssertEqual(($0 as! JSONParseError).reasonText, "the document would take more than 4.0 MiB in memory "
                           + "(the most any document is allowed; its text is 2.0 MiB): too many small values")
        }
        let small = Self.array(of: "[0]", size: 500_000)
        XCTAssertThrowsError(try JSONParser.parse(small, options: .init(maxMemoryPerTextByte: 1))) {
            XCTAssertEqual(($0 as! JSONParseError).reasonText, "the document would take more than 8.0 MiB in memory "
                           + "(the least any document is allowed; its text is 488.3 KiB): too many small values")
        }
    }

    /// The limit is exact: a document passes with a limit of what it takes, and is refused a
    /// byte under it.
    func testDocumentsJustUnderTheLimitPass() throws {
        for element in JSONMemoryLimitTests.hostile + [#"{"symbol":"SYM1","price":123.45,"tags":["a","b"]}"#] {
            let text = Self.array(of: element, size: 300_000)
            let shape = String(element.prefix(30))
            let takes = try JSONParser.estimatedMemory(text)
            XCTAssertGreaterThan(takes, text.count, shape)
            let exact = JSONParser.Options(maxMemoryPerTextByte: 100, maxMemoryBytes: takes)
            let count = text.count / (element.utf8.count + 1)
            XCTAssertEqual(try JSONParser.parse(text, options: exact).arrayValue?.count, count, shape)
            let under = JSONParser.Options(maxMemoryPerTextByte: 100, maxMemoryBytes: takes - 1)
            XCTAssertThrowsError(try JSONParser.parse(text, options: under), shape) {
                let reason = self.memoryReason(limit: takes - 1, text: text.count, perTextByte: 100)
                XCTAssertEqual(($0 as! JSONParseError).reason, reason, shape)
            }
        }
    }

    /// Below the floor (8 MiB) any document parses, however small its values: a 600 KB time
    /// series of one-digit numbers (12× its text) and 500 KB of records of 20 one-digit members (14×).
    func testSmallDocumentsOfSmallValuesStillParse() throws {
        let series = Self.array(of: "7", size: 600_000)
        XCTAssertEqual(try JSONParser.parse(series).arrayValue?.count, 300_000)
        let member = "{" + (0..<20).map { #""\#(String(UnicodeScalar(97 + $0)!))":1"# }.joined(separator: ",") + "}"
        let parsed = try JSONParser.parse(Self.array(of: member, size: 500_000))
        XCTAssertEqual(parsed.arrayValue?.count, 500_000 / (member.utf8.count + 1))
        let text = Self.array(of: "[0]", size: 40_000)
        XCTAssertEqual(try JSONParser.parse(text).arrayValue?.count, 10_000)
        XCTAssertEqual(try JSONParser.parse("[]"), [])
    }

    /// A list of 20,000 API records.
    static func legitRecords() -> [UInt8] {
        var random = SeededRandom(seed: 7)
        var records: [String] = []
        for i in 0..<20_000 {
            let price = Double(Int.random(in: 100..<500_000, using: &random)) / 100
            records.append(#"{"id":\#(i),"symbol":"SYM\#(i)","name":"Company number \#(i)","price":\#(price),"#
                + #""volume":\#(Int.random(in: 0..<10_000_000, using: &random)),"#
                + #""active":true,"tags":["equity","live"],"#
                + #""updated":"2026-01-\#(10 + i % 20)T10:00:00Z","exchange":null}"#)
        }
        return Array(("[" + records.joined(separator: ",") + "]").utf8)
    }

    /// API documents take a few times their text: well within the limit, whatever their size.
    func testLegitDocumentsAreWellWithinTheLimit() throws {
        let text = JSONMemoryLimitTests.legitRecords()
        let takes = try JSONParser.estimatedMemory(text)
        XCTAssertLessThan(Double(takes) / Double(text.count), 4, "\(takes) bytes for \(text.count) of text")
        let value = try JSONParser.parse(text)
        XCTAssertEqual(value.arrayValue?.count, 20_000)
        XCTAssertEqual(JSONWriter.data(value), text, "round trip")
        // A time series of [time, "value"] pairs, the shape of a metrics query.
        let series = Self.array(of: #"[1764000000,"123.45"]"#, size: 4 << 20)
        XCTAssertGreaterThan(try JSONParser.parse(series).arrayValue?.count ?? 0, 190_000)
    }

    /// Large containers hand their elements over with their scratch pages given back: every
    /// value survives, in lists inside lists and in objects of many members.
    func testLargeContainersComeOutExactly() throws {
        let value = JSONMemoryLimitTests.largeContainers()
        let text = JSONWriter.data(value)
        let parsed = try JSONParser.parse(text)
        XCTAssertEqual(parsed, value)
        XCTAssertEqual(JSONWriter.data(parsed), text)
        XCTAssertEqual(parsed[0]?.objectValue?.position(of: "key 29999"), 29_999, "the parser's index is the object's")
    }

    /// Lists of 40,000 scalars, inside a list and in an object of 30,000 members.
    static func largeContainers() -> JSONValue {
        var generator = JSONGenerator(seed: 11)
        let inner = (0..<3).map { _ in JSONValue.array((0..<40_000).map { _ in generator.scalar() }) }
        var members = (0..<30_000).map { JSONObject.Member(key: "key \($0)", value: .number(JSONNumber($0))) }
        members.append(JSONObject.Member(key: "lists", value: .array(inner)))
        let object = JSONObject(uniqueMembers: members)
        return .array([.object(object), .array(inner), generator.value(depth: 4)])
    }

    // MARK: Patches

    func testPatchesOverTheLimitAreRefusedQuicklyOrNot() {
        // A value of tiny containers.
        let value = String(decoding: Self.array(of: "[0]", size: 2 << 20), as: UTF8.self)
        let valuePatch = #"[{"op":"add","path":"/a","value":"# + value + "}]"
        // A pointer of two million empty tokens, read by the quick reader; the same written
        // with escapes, which only the general reader reads.
        let slashes = #"[{"op":"remove","path":""# + String(repeating: "/", count: 2 << 20) + #""}]"#
        let escaped = #"[{"op":"remove","path":""# + String(repeating: #"\/"#, count: 1 << 20) + #""}]"#
        for text in [valuePatch, slashes, escaped] {
            guard case .failure(.malformed(let error)) = JSONPatch.read(text) else {
                return XCTFail("not refused: \(text.prefix(60))")
            }
            guard case .tooMuchMemory(let limit, let textBytes, 6) = error.reason else { return XCTFail("\(error)") }
            XCTAssertEqual(textBytes, text.utf8.count)
            XCTAssertEqual(limit, 6 * textBytes)
            let description = PatchReadError.malformed(error).description
            XCTAssertTrue(description.hasPrefix("patch refused: the document would take more than"), description)
        }
        // Under the limit, the same shapes read as before.
        XCTAssertNoThrow(try JSONPatch.read(#"[{"op":"remove","path":"////"}]"#).get())
        XCTAssertNoThrow(try JSONPatch.read(#"[{"op":"remove","path":"\/\/"}]"#).get())
    }

    // MARK: Documents

    /// A snapshot over the limit is an error for the event, whatever its type, and makes the
    /// document stale; the next snapshot brings it back. A document is a tree, which takes at
    /// most 4× its text (`[[0],…]`): the default 6× never refuses one, so this stream's limit is 3×.
    func testASnapshotOverTheLimitIsTheEventsErrorAndTheDocumentIsStale() throws {
        let hostile = String(decoding: Self.array(of: "[0]", size: 4 << 20), as: UTF8.self)
        var taken = Document()
        XCTAssertNoThrow(try taken.consume(SSEEvent(type: "data", data: hostile, lastEventID: "1")).get())
        let tree = try XCTUnwrap(taken.tree)
        XCTAssertLessThanOrEqual(tree.words.count * 8 + tree.bytes.count, 4 * hostile.utf8.count + 8, "at 4× its text")
        for type in ["data", "message"] {
            var document = Document(parseOptions: JSONParser.Options(maxMemoryPerTextByte: 3))
            _ = try document.consume(SSEEvent(type: "data", data: #"{"a":1}"#, lastEventID: "1")).get()
            let refused = document.consume(SSEEvent(type: type, data: hostile, lastEventID: "2"))
            guard case .failure(let error) = refused else {
                return XCTFail("accepted")
            }
            XCTAssertEqual(error.reason, "JSON snapshot refused: the document would take more than 12.0 MiB in memory "
                           + "(3× its 4.0 MiB of text): too many small values")
            XCTAssertEqual(error.lastEventID, "2")
            XCTAssertTrue(document.isStale)
            XCTAssertEqual(document.current, ["a": 1], "the document is as it was")
            _ = try document.consume(SSEEvent(type: "data", data: #"{"a":2}"#, lastEventID: "3")).get()
            XCTAssertFalse(document.isStale)
            XCTAssertEqual(document.current, ["a": 2])
        }
    }
}
