import XCTest
@testable import StreamCore

/// The tree parser against `JSONParser` on every case of JSONParserTests and JSONShortStringTests:
/// the same values, written alike, and the same errors.
final class JSONTreeParseTests: XCTestCase {
    /// Texts both parsers accept (JSONParserTests' values, numbers in every spelling).
    static let accepted = [
        "null", " true ", "false", "\"hi\"", "[1, [2, []], {}]", "{\"a\": {\"b\": [true, null]}}", "\t\r\n 7 \n",
        #""\" \\ \/ \b \f \n \r \t""#, #""\u00e9\u65E5""#, #""\ud83d\ude00""#, "\"é日本😀\"", #""a\u0000b""#,
        "123456789012345678901234567890", "[123456789012345678901234567890, -0.000001e-7]", "1.0000000000000000000001",
        #"{"x":1,"y":2}"#, #"{"y":2,"x":1}"#, #"{"a":1,"b":2,"a":3}"#, "[]", "{}", "[{}]", "{\"\":[]}",
        "0", "-0", "0.0", "-0.000", "0e5", "0E-3", "1", "1.0", "1.000", "1e0", "10e-1", "0.1e1", "100E-2",
        "1.5", "1.50", "15e-1", "0.15e1", "150e-2", "-2.25", "-2.250", "-225e-2", "100", "1e2", "1E+2", "100.0",
        "0.001e5", "123456789012345678", "123456789012345678.0", "1.23456789012345678e17", "1234567890123456789",
        "1234567890123456789.00", "1.234567890123456789e18", "0.000001", "1e-6", "0.0000010", "9223372036854775807",
        "9.223372036854775807e18", "99999999999999999999999999", "9.9999999999999999999999999e25", "12345678",
        "[1,12,123,1234,12345,123456,1234567,12345678,-1234567,-123456]", "[\"1234567\",\"12345678\",\"\"]",
    ]

    /// Texts both parsers refuse, with JSONParserTests' offsets and reasons.
    static let refused = [
        "[1,2,]", "{\"a\":1,}", "[01]", "-01", "1.", "1e", "-", "+1", ".5", #""\ud800""#, #""\udc00x""#,
        #""\ud800\u0041""#, "\"a\u{1}b\"", "\"tab\there\"", #""\x""#, #""\u12G4""#, "1 2", "{} x", "", "   ", "[1",
        "\"abc", "tru", "nul!", "[1 2]", "{\"a\" 1}", "{1:2}", "[NaN]", "{\"a\":1 \"b\":2}", "{\"a\":}", "{,}",
        "[,1]", "{\"a\"", "{\"a\":1", "[1,", "\"\\u12", "\"\\", "-a", "1.e5", "[-]", "{\"k\":tru}", "[1}", "{\"a\":1]",
    ]

    func testTheParsersTestCasesAgree() {
        for text in JSONTreeParseTests.accepted + JSONTreeParseTests.refused { assertTreeAgrees(text) }
        for text in JSONTreeParseTests.accepted + JSONTreeParseTests.refused {
            assertTreeAgrees(text + String(repeating: " ", count: 20), "followed by 20 spaces")
        }
        let invalidUTF8: [[UInt8]] = [
            [0x22, 0x61, 0xFF, 0x22], [0x22, 0xC3, 0x28, 0x22], [0x22, 0xC0, 0xAF, 0x22],
            [0x22, 0xE0, 0x80, 0xAF, 0x22],
            [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xE6, 0x97],
            [0x22, 0x5C, 0x6E, 0xFF, 0x22], [0xEF, 0xBB, 0xBF, 0x31],
        ]
        for bytes in invalidUTF8 { assertTreeAgrees(bytes) }
        let reject = JSONParser.Options(duplicateKeys: .reject)
        assertTreeAgrees(#"{"a":1,"b":2,"a":3}"#, options: reject)
        assertTreeAgrees("[[[1]]]", options: .init(maxDepth: 2))
        assertTreeAgrees("[1,2,3]", options: .init(maxBytes: 4))
        assertTreeAgrees("[1,2,3]", options: .init(maxBytes: 7))
    }

    func testDepthLimits() {
        assertTreeAgrees(String(repeating: "[", count: 512) + String(repeating: "]", count: 512))
        assertTreeAgrees(String(repeating: "[", count: 513) + String(repeating: "]", count: 513))
        assertTreeAgrees(String(repeating: "{\"a\":", count: 100_000))
        assertTreeAgrees(String(repeating: "{\"a\":", count: 511) + "0" + String(repeating: "}", count: 511))
    }

    func testLargeObjectsAndDuplicateKeys() {
        var members = (0..<100).map { "\"k\($0)\":\($0)" }
        members.append("\"k5\":\"dup\"")
        let text = "{" + members.joined(separator: ",") + "}"
        for policy in [JSONParser.DuplicateKeyPolicy.lastWins, .reject] {
            assertTreeAgrees(text, options: .init(duplicateKeys: policy))
        }
        let tree = try? JSONTree(parsing: text)
        XCTAssertEqual(tree?.value["k5"], "dup")
        XCTAssertEqual(tree.flatMap { $0.position(of: "k99", in: $0.root) }, 99)
    }

    func testRoundTripOfRandomValues() {
        var generator = JSONGenerator(seed: 42)
        for _ in 0..<3_000 {
            let value = generator.value()
            for pretty in [false, true] { assertTreeAgrees(Array(JSONWriter.string(value, pretty: pretty).utf8)) }
        }
    }

    /// JSONParserTests' documents over 4 KB, where the parser interns its strings.
    func testLargeDocumentsWithRepeatedStrings() {
        var generator = JSONGenerator(seed: 77)
        var elements: [JSONValue] = []
        while JSONWriter.data(.array(elements)).count < 64 << 10 {
            elements.append(generator.value())
            elements.append(["USD": "USD", "USE": "USE", "usd": "usd", "a_long_key_that_is_exactly_32_b": 1,
                             "a_long_key_that_is_exactly_32_c": 2])
        }
        assertTreeAgrees(JSONWriter.data(.array(elements)))
        let padding = String(repeating: " ", count: 5000)
        for policy in [JSONParser.DuplicateKeyPolicy.lastWins, .reject] {
            assertTreeAgrees(padding + #"{"ab":1,"a\u0062":2}"#, options: .init(duplicateKeys: policy))
        }
        var random = SeededRandom(seed: 8)
        for _ in 0..<40 {
            var members: [String] = []
            for i in 0..<300 {
                let length = Int.random(in: 1...40, using: &random)
                let key = String((0..<length).map { _ in "ab".randomElement(using: &random)! })
                members.append("\"\(key)\":\(i)")
            }
            for policy in [JSONParser.DuplicateKeyPolicy.lastWins, .reject] {
                assertTreeAgrees("{" + members.joined(separator: ",") + "}", options: .init(duplicateKeys: policy))
            }
        }
        assertTreeAgrees(padding + #"{"k":{"ab":1},"l":{"ba":2}}"#)
    }

    func testRandomGarbage() {
        var random = SeededRandom(seed: 7)
        let alphabet = Array("{}[]\":,0123456789-+.eEtrufalsn \\u\n".utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xFF]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0..<24, using: &random)
            assertTreeAgrees((0..<length).map { _ in alphabet.randomElement(using: &random)! })
        }
    }

    /// The lexer's eight-bytes-at-a-time digit scan (the tree's numbers) against a reference,
    /// on bytes dense in the edges of the digits and in bytes that carry when 6 is added.
    func testDigitScannerStopsAtEveryNonDigit() {
        var random = SeededRandom(seed: 9)
        let edges: [UInt8] = [0x2F, 0x3A, 0x40, 0x00, 0x2E, 0x65, 0x45, 0x7F, 0x80, 0xF9, 0xFA, 0xFF, 0x36, 0x39, 0x30]
        for _ in 0..<5_000 {
            let bytes = (0..<Int.random(in: 1..<40, using: &random)).map { _ -> UInt8 in
                Int.random(in: 0..<5, using: &random) == 0
                    ? edges.randomElement(using: &random)! : UInt8.random(in: 0x30...0x39, using: &random)
            }
            let from = Int.random(in: 0..<bytes.count, using: &random)
            let expected = bytes[from...].firstIndex { $0 < 0x30 || $0 > 0x39 } ?? bytes.count
            bytes.withUnsafeBufferPointer {
                XCTAssertEqual(JSONTreeCursor.digitsEnd($0, from: from), expected, "\(bytes) from \(from)")
            }
        }
    }

    // MARK: JSONShortStringTests

    func testStringsAroundTheShortLengths() {
        var random = SeededRandom(seed: 15)
        let pieces = ["a", "Z", "0", " ", "~", "é", "日", "😀", "\u{7F}"]
        for _ in 0..<2_000 {
            let text = (0..<Int.random(in: 0...16, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                .joined()
            let padding = String(repeating: " ", count: Int.random(in: 0...20, using: &random))
            assertTreeAgrees("[\"\(text)\"," + "{\"\(text)\":1}]" + padding)
        }
    }

    func testShortAndLongPathsAcceptAndRejectAlike() {
        var random = SeededRandom(seed: 16)
        for _ in 0..<5_000 {
            let body = JSONShortStringTests.stringBody(using: &random)
            let short = [UInt8(ascii: "\"")] + body + [UInt8(ascii: "\"")]
            let member = [UInt8(ascii: "{")] + short + Array(":1}".utf8)
            for text in [short, member] {
                assertTreeAgrees(text)
                assertTreeAgrees(text + Array(repeating: UInt8(ascii: " "), count: 16))
            }
        }
    }

    /// Keys of every length, plain and with an escape, are the same key: duplicates under both
    /// policies, in small objects and past the table threshold.
    func testEscapedSpellingsOfKeysAreDuplicates() throws {
        for length in 1...16 {
            let key = String(repeating: "k", count: length - 1) + "b"
            let escaped = String(repeating: "k", count: length - 1) + "\\u0062"
            let filler = (0..<20).map { #""f\#($0)":0,"# }.joined()
            for text in [#"{"\#(key)":1,"\#(escaped)":2}"#, #"{"\#(escaped)":1,"\#(key)":2}"#,
                         "{\"\(key)\":1," + filler + "\"\(escaped)\":2}"] {
                for policy in [JSONParser.DuplicateKeyPolicy.lastWins, .reject] {
                    assertTreeAgrees(text, options: .init(duplicateKeys: policy), "length \(length)")
                    assertTreeAgrees(text + String(repeating: " ", count: 20), options: .init(duplicateKeys: policy))
                }
            }
            XCTAssertEqual(try JSONTree(parsing: #"{"\#(key)":1,"\#(escaped)":2}"#).value, .object([key: 2]))
        }
    }
}
