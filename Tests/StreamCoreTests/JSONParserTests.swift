import XCTest
@testable import StreamCore

final class JSONParserTests: XCTestCase {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

    func assertRejects(_ text: String, offset: Int, _ reason: JSONParseError.Reason, file: StaticString = #filePath, line: UInt = #line) {
        assertRejects(Array(text.utf8), offset: offset, reason, file: file, line: line)
    }

    func assertRejects(_ bytes: [UInt8], offset: Int, _ reason: JSONParseError.Reason, options: JSONParser.Options = .init(), file: StaticString = #filePath, line: UInt = #line) {
        do {
            let value = try JSONParser.parse(bytes, options: options)
            XCTFail("accepted \(value)", file: file, line: line)
        } catch {
            XCTAssertEqual(error, JSONParseError(offset: offset, reason: reason), "\(error)", file: file, line: line)
        }
    }

    func testScalarsAndContainers() throws {
        XCTAssertEqual(try parse("null"), .null)
        XCTAssertEqual(try parse(" true "), .bool(true))
        XCTAssertEqual(try parse("false"), .bool(false))
        XCTAssertEqual(try parse("\"hi\""), .string("hi"))
        XCTAssertEqual(try parse("[1, [2, []], {}]"), [1, [2, []], [:]])
        XCTAssertEqual(try parse("{\"a\": {\"b\": [true, null]}}"), ["a": ["b": [true, nil]]])
        XCTAssertEqual(try parse("\t\r\n 7 \n"), 7)
    }

    func testStringEscapesAndUnicode() throws {
        XCTAssertEqual(try parse(#""\" \\ \/ \b \f \n \r \t""#), .string("\" \\ / \u{8} \u{C} \n \r \t"))
        XCTAssertEqual(try parse(#""\u00e9\u65E5""#), .string("é日"))
        XCTAssertEqual(try parse(#""\ud83d\ude00""#), .string("😀"))
        XCTAssertEqual(try parse("\"é日本😀\""), .string("é日本😀"))
        XCTAssertEqual(try parse(#""a\u0000b""#), .string("a\u{0}b"))
    }

    func testNumbersKeepTheirTextAndCompareByValue() throws {
        let big = "123456789012345678901234567890"
        XCTAssertEqual(try parse(big).numberValue?.text, big)
        XCTAssertEqual(JSONWriter.string(try parse("[\(big), -0.000001e-7]")), "[\(big),-0.000001e-7]")
        XCTAssertEqual(try parse("1"), try parse("1.0"))
        XCTAssertEqual(try parse("1"), try parse("1e0"))
        XCTAssertEqual(try parse("100"), try parse("1E2"))
        XCTAssertEqual(try parse("0.5"), try parse("5e-1"))
        XCTAssertEqual(try parse("-0"), try parse("0"))
        XCTAssertEqual(try parse("0.0e10"), try parse("0"))
        XCTAssertNotEqual(try parse("1"), try parse("1.0000000000000000000001"))
        XCTAssertNotEqual(try parse(big), try parse("123456789012345678901234567891"))
        XCTAssertNotEqual(try parse("-1"), try parse("1"))
        XCTAssertNotEqual(try parse("true"), try parse("1"))
        XCTAssertNotEqual(try parse("false"), try parse("0"))
        XCTAssertEqual(Set([try parse("1"), try parse("1.0"), try parse("10e-1")]).count, 1, "equal numbers hash alike")
        XCTAssertEqual(JSONNumber("1e2")?.intValue, 100)
        XCTAssertEqual(JSONNumber("-25")?.intValue, -25)
        XCTAssertNil(JSONNumber("1.5")?.intValue)
        XCTAssertNil(JSONNumber("01"))
        XCTAssertNil(JSONNumber("1."))
    }

    func testNumberSpellingsCompareAndHashByValue() throws {
        // Each group holds spellings of one value, in both internal forms (scaled integers
        // and kept text); every pair within a group is equal and hashes alike, across groups not.
        let groups: [[String]] = [
            ["0", "-0", "0.0", "-0.000", "0e5", "0E-3"],
            ["1", "1.0", "1.000", "1e0", "10e-1", "0.1e1", "100E-2"],
            ["1.5", "1.50", "15e-1", "0.15e1", "150e-2"],
            ["-2.25", "-2.250", "-225e-2"],
            ["100", "1e2", "1E+2", "100.0", "0.001e5"],
            ["123456789012345678", "123456789012345678.0", "1.23456789012345678e17"],
            ["1234567890123456789", "1234567890123456789.00", "1.234567890123456789e18"],
            ["0.000001", "1e-6", "0.0000010"],
            ["9223372036854775807", "9.223372036854775807e18"],
            ["99999999999999999999999999", "9.9999999999999999999999999e25"],
        ]
        let numbers = try groups.map { try $0.map { text -> JSONNumber in
            guard case .number(let n) = try parse(text) else { throw XCTSkip() }
            XCTAssertEqual(n.text, text, "text survives exactly")
            XCTAssertEqual(JSONWriter.string(.number(n)), text)
            return n
        } }
        for (g, group) in numbers.enumerated() {
            for a in group {
                for b in group {
                    XCTAssertEqual(a, b, "\(a) == \(b)")
                    XCTAssertEqual(a.hashValue, b.hashValue, "hash(\(a)) == hash(\(b))")
                }
                for (h, other) in numbers.enumerated() where h != g {
                    for b in other { XCTAssertNotEqual(a, b, "\(a) != \(b)") }
                }
            }
        }
        XCTAssertEqual(JSONNumber(-7).text, "-7")
        XCTAssertEqual(JSONNumber(0.25)?.text, "0.25")
        XCTAssertEqual(JSONNumber("12.50")?.intValue, nil)
        XCTAssertEqual(JSONNumber("12.00")?.intValue, 12)
        XCTAssertEqual(JSONNumber("-12.5")?.doubleValue, -12.5)
    }

    func testObjectsCompareUnorderedButKeepOrder() throws {
        let a = try parse(#"{"x":1,"y":2}"#)
        let b = try parse(#"{"y":2,"x":1}"#)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.hashValue, b.hashValue)
        XCTAssertEqual(JSONWriter.string(b), #"{"y":2,"x":1}"#)
        XCTAssertNotEqual(try parse(#"{"x":1}"#), try parse(#"{"x":1,"y":2}"#))
    }

    func testObjectsBuiltFromPairsKeepTheFirstPositionAndTheLastValue() {
        let literal: JSONObject = ["a": 1, "b": 2, "a": 3]
        XCTAssertEqual(literal.keys, ["a", "b"])
        XCTAssertEqual(literal["a"], 3)
        var pairs = (0..<20).map { ("k\($0)", JSONValue.number(JSONNumber($0))) }
        pairs.append(("k3", "again"))
        let large = JSONObject(pairs)
        XCTAssertEqual(large.count, 20)
        XCTAssertEqual(large["k3"], "again")
        XCTAssertEqual(large.position(of: "k3"), 3)
        XCTAssertEqual(large["k19"], 19, "an object past the index threshold finds its keys")
        XCTAssertNil(large["k20"])
    }

    func testDuplicateKeysLastValueWinsInFirstPosition() throws {
        let value = try parse(#"{"a":1,"b":2,"a":3}"#)
        XCTAssertEqual(JSONWriter.string(value), #"{"a":3,"b":2}"#)
        assertRejects(Array(#"{"a":1,"b":2,"a":3}"#.utf8), offset: 13, .duplicateKey("a"), options: .init(duplicateKeys: .reject))
    }

    func testLargeObjectsUseAnIndexConsistently() throws {
        var members: [String] = []
        for i in 0..<100 { members.append("\"k\(i)\":\(i)") }
        members.append("\"k5\":\"dup\"")
        let value = try parse("{" + members.joined(separator: ",") + "}")
        XCTAssertEqual(value.objectValue?.count, 100)
        XCTAssertEqual(value["k5"], "dup")
        XCTAssertEqual(value["k99"], 99)
        var object = value.objectValue!
        object["k0"] = nil
        XCTAssertEqual(object["k99"], 99)
        XCTAssertEqual(object.position(of: "k99"), 98)
    }

    func testStrictnessErrorsNameOffsetAndReason() {
        assertRejects("[1,2,]", offset: 5, .trailingComma)
        assertRejects("{\"a\":1,}", offset: 7, .trailingComma)
        assertRejects("[01]", offset: 1, .leadingZero)
        assertRejects("-01", offset: 1, .leadingZero)
        assertRejects("1.", offset: 2, .invalidNumber("'.' must be followed by a digit"))
        assertRejects("1e", offset: 2, .invalidNumber("exponent must have digits"))
        assertRejects("-", offset: 1, .unexpectedEnd)
        assertRejects("+1", offset: 0, .unexpectedByte(UInt8(ascii: "+"), expected: "a JSON value"))
        assertRejects(".5", offset: 0, .unexpectedByte(UInt8(ascii: "."), expected: "a JSON value"))
        assertRejects(#""\ud800""#, offset: 1, .loneSurrogate(0xD800))
        assertRejects(#""\udc00x""#, offset: 1, .loneSurrogate(0xDC00))
        assertRejects(#""\ud800\u0041""#, offset: 1, .loneSurrogate(0xD800))
        assertRejects("\"a\u{1}b\"", offset: 2, .unescapedControlCharacter(1))
        assertRejects("\"tab\there\"", offset: 4, .unescapedControlCharacter(9))
        assertRejects(#""\x""#, offset: 1, .invalidEscape)
        assertRejects(#""\u12G4""#, offset: 5, .invalidUnicodeEscape)
        assertRejects("1 2", offset: 2, .trailingData)
        assertRejects("{} x", offset: 3, .trailingData)
        assertRejects("", offset: 0, .unexpectedEnd)
        assertRejects("   ", offset: 3, .unexpectedEnd)
        assertRejects("[1", offset: 2, .unexpectedEnd)
        assertRejects("\"abc", offset: 4, .unexpectedEnd)
        assertRejects("tru", offset: 3, .unexpectedEnd)
        assertRejects("nul!", offset: 3, .invalidLiteral)
        assertRejects("[1 2]", offset: 3, .unexpectedByte(UInt8(ascii: "2"), expected: "',' or ']' in array"))
        assertRejects("{\"a\" 1}", offset: 5, .unexpectedByte(UInt8(ascii: "1"), expected: "':' after object key"))
        assertRejects("{1:2}", offset: 1, .unexpectedByte(UInt8(ascii: "1"), expected: "a string key in object"))
        assertRejects("[NaN]", offset: 1, .unexpectedByte(UInt8(ascii: "N"), expected: "a JSON value"))
    }

    func testInvalidUTF8IsRejectedWithItsOffset() {
        assertRejects([0x22, 0x61, 0xFF, 0x22], offset: 2, .invalidUTF8)
        assertRejects([0x22, 0xC3, 0x28, 0x22], offset: 2, .invalidUTF8)  // bad continuation
        assertRejects([0x22, 0xC0, 0xAF, 0x22], offset: 1, .invalidUTF8)  // overlong
        assertRejects([0x22, 0xE0, 0x80, 0xAF, 0x22], offset: 2, .invalidUTF8)  // overlong 3-byte
        assertRejects([0x22, 0xED, 0xA0, 0x80, 0x22], offset: 2, .invalidUTF8)  // encoded surrogate
        assertRejects([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], offset: 2, .invalidUTF8)  // above U+10FFFF
        assertRejects([0x22, 0xE6, 0x97], offset: 3, .unexpectedEnd)  // truncated at end of input
        assertRejects([0x22, 0x5C, 0x6E, 0xFF, 0x22], offset: 3, .invalidUTF8)  // after an escape
        assertRejects([0xEF, 0xBB, 0xBF, 0x31], offset: 0, .unexpectedByte(0xEF, expected: "a JSON value"))  // no BOM in JSON text
    }

    func testErrorMessagesReadWell() {
        XCTAssertEqual(
            JSONParseError(offset: 5, reason: .trailingComma).description,
            "invalid JSON at byte 5: trailing comma")
        XCTAssertEqual(
            JSONParseError(offset: 2, reason: .unescapedControlCharacter(0x1B)).description,
            "invalid JSON at byte 2: unescaped control character U+001B in string")
        XCTAssertEqual(
            JSONParseError(offset: 0, reason: .unexpectedByte(0x1B, expected: "a JSON value")).description,
            "invalid JSON at byte 0: unexpected byte 0x1B, expected a JSON value")
    }

    func testDepthLimitIsAnErrorNotACrash() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        XCTAssertNoThrow(try parse(ok))
        let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        assertRejects(deep, offset: 512, .tooDeep(limit: 512))
        let hostile = String(repeating: "{\"a\":", count: 100_000)
        assertRejects(hostile, offset: 512 * 5, .tooDeep(limit: 512))
        assertRejects(Array("[[[1]]]".utf8), offset: 2, .tooDeep(limit: 2), options: .init(maxDepth: 2))
    }

    func testSizeLimitIsAnError() {
        assertRejects(Array("[1,2,3]".utf8), offset: 4, .tooLarge(limit: 4), options: .init(maxBytes: 4))
    }

    func testWriterCompactAndPretty() throws {
        let value: JSONValue = ["a": [1, "x", nil, true], "b": [:], "c": []]
        XCTAssertEqual(JSONWriter.string(value), #"{"a":[1,"x",null,true],"b":{},"c":[]}"#)
        XCTAssertEqual(JSONWriter.string(value, pretty: true), """
            {
              "a": [
                1,
                "x",
                null,
                true
              ],
              "b": {},
              "c": []
            }
            """)
    }

    func testWriterEscapesEveryControlForTerminalSafety() throws {
        let text = "q\"b\\s/\n\r\t\u{8}\u{C}\u{0}\u{1B}[2J\u{7F}\u{80}\u{9B}\u{9F}\u{A0}é😀"
        let written = JSONWriter.string(.string(text))
        XCTAssertEqual(written, #""q\"b\\s/\n\r\t\b\f\u0000\u001b[2J\u007f\u0080\u009b\u009f"# + "\u{A0}é😀\"")
        XCTAssertFalse(written.unicodeScalars.contains { Sanitizer.isUnsafe($0) })
        XCTAssertEqual(try parse(written), .string(text))
    }

    /// The writer's eight-bytes-at-a-time scan against a one-scalar-at-a-time reference, on
    /// random strings dense in bytes that need care, at every position in a word.
    func testWriterMatchesAReferenceEscaperOnRandomStrings() throws {
        let pieces: [String] = ["a", "b", "quote", "\"", "\\", "/", "\n", "\u{1}", "\u{1F}", " ", "\u{7F}", "\u{80}", "\u{9F}",
                                "\u{A0}", "é", "€", "\u{2028}", "\u{202E}", "\u{2066}", "\u{2070}", "😀", "{\"op\":\"replace\"}", "12345678"]
        var random = SplitMix64(seed: 8)
        for _ in 0..<5_000 {
            var text = ""
            for _ in 0..<Int(random.next() % 24) { text += pieces[Int(random.next() % UInt64(pieces.count))] }
            let written = JSONWriter.string(.string(text))
            XCTAssertEqual(written, JSONWriterTests.reference(text))
            XCTAssertEqual(try parse(written), .string(text))
        }
    }

    func testWriterEscapesInvisibleFormatCharacters() throws {
        let text = "a\u{2028}b\u{2029}c\u{202A}\u{202E}d\u{2066}\u{2069}e\u{2027}\u{202F}\u{2065}\u{206A}"
        let written = JSONWriter.string(.string(text))
        XCTAssertEqual(written, #""a\u2028b\u2029c\u202a\u202ed\u2066\u2069e"# + "\u{2027}\u{202F}\u{2065}\u{206A}\"")
        XCTAssertEqual(try parse(written), .string(text))
        XCTAssertFalse(written.unicodeScalars.contains { Sanitizer.isUnsafe($0) })
    }

    func testRoundTripOfRandomValues() throws {
        var generator = JSONGenerator(seed: 42)
        for _ in 0..<3_000 {
            let value = generator.value()
            for pretty in [false, true] {
                let text = JSONWriter.string(value, pretty: pretty)
                let back = try JSONParser.parse(text)
                XCTAssertEqual(back, value, text)
                XCTAssertEqual(JSONWriter.string(back, pretty: pretty), text, "member order and number text survive")
            }
        }
    }

    /// Documents over 4 KB intern their repeated strings: equal bytes must give equal strings,
    /// different bytes never, and escaped spellings of a key are still duplicates.
    func testLargeDocumentsWithRepeatedStringsParseExactly() throws {
        var generator = JSONGenerator(seed: 77)
        var elements: [JSONValue] = []
        while JSONWriter.data(.array(elements)).count < 64 << 10 {
            elements.append(generator.value())
            elements.append(["USD": "USD", "USE": "USE", "usd": "usd", "a_long_key_that_is_exactly_32_b": 1, "a_long_key_that_is_exactly_32_c": 2])
        }
        let document: JSONValue = .array(elements)
        let text = JSONWriter.data(document)
        XCTAssertGreaterThan(text.count, 4096)
        let parsed = try JSONParser.parse(text)
        XCTAssertEqual(parsed, document)
        XCTAssertEqual(JSONWriter.data(parsed), text)
        let padding = String(repeating: " ", count: 5000)
        XCTAssertEqual(try JSONParser.parse(padding + #"{"ab":1,"a\u0062":2}"#), ["ab": 2])
        XCTAssertThrowsError(try JSONParser.parse(padding + #"{"ab":1,"a\u0062":2}"#, options: .init(duplicateKeys: .reject)))
    }

    /// Keys that differ in a single byte, of every length the interner treats differently
    /// (up to 8 bytes compared by hash, 9–32 by content, longer not interned), including the
    /// last key of the input where fewer than 16 bytes follow it.
    func testInternedKeysNeverConfuseSimilarKeys() throws {
        var random = SeededRandom(seed: 8)
        for round in 0..<40 {
            var object = JSONObject()
            var members: [String] = []
            for i in 0..<300 {
                let length = Int.random(in: 1...40, using: &random)
                let key = String((0..<length).map { _ in "ab".randomElement(using: &random)! })
                object[key] = .number(JSONNumber(i))
                members.append("\"\(key)\":\(i)")
            }
            let text = "{" + members.joined(separator: ",") + "}"
            XCTAssertGreaterThan(text.utf8.count, 4096)
            XCTAssertEqual(try JSONParser.parse(text), .object(object), "round \(round)")
        }
        let padding = String(repeating: " ", count: 5000)
        XCTAssertEqual(try JSONParser.parse(padding + #"{"k":{"ab":1},"l":{"ba":2}}"#), ["k": ["ab": 1], "l": ["ba": 2]])
    }

    func testStringScannerStopsAtEverySpecialByte() {
        var random = SeededRandom(seed: 3)
        for _ in 0..<3_000 {
            let bytes = (0..<Int.random(in: 1..<40, using: &random)).map { _ -> UInt8 in
                Int.random(in: 0..<6, using: &random) == 0 ? [0x22, 0x5C, 0x1F, 0x00, 0x80, 0xFF, 0x7F, 0x20].randomElement(using: &random)! : UInt8.random(in: 0x20..<0x7F, using: &random)
            }
            let from = Int.random(in: 0..<bytes.count, using: &random)
            let expected = bytes[from...].firstIndex { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 || $0 >= 0x80 } ?? bytes.count
            bytes.withUnsafeBufferPointer { XCTAssertEqual(JSONCursor.plainRunEnd($0, from: from), expected, "\(bytes) from \(from)") }
        }
    }

    func testRandomGarbageNeverCrashes() {
        var random = SeededRandom(seed: 7)
        let alphabet = Array("{}[]\":,0123456789-+.eEtrufalsn \\u\n".utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xFF]
        var accepted = 0
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0..<24, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            if let value = try? JSONParser.parse(bytes) {
                accepted += 1
                XCTAssertEqual(try JSONParser.parse(JSONWriter.data(value)), value)
            }
        }
        XCTAssertGreaterThan(accepted, 0)
    }
}
