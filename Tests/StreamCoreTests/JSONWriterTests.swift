import XCTest
@testable import StreamCore

/// The writer's string and number paths at every length and position its word-at-a-time code
/// treats differently (a whole word, the last word shifted out of a longer string, a string
/// shorter than a word), checked against a one-scalar-at-a-time reference.
class JSONWriterTests: XCTestCase {
    /// The writer under test: `JSONWriter` on a value here; a subclass writes the same value
    /// another way (from a tree) and runs every case below again.
    func written(_ value: JSONValue, pretty: Bool = false) -> String {
        JSONWriter.string(value, pretty: pretty)
    }

    /// Every byte that needs care, alone: `"`, `\`, each C0 control, DEL, each C1 control, the
    /// line separators and bidi controls; and non-ASCII that needs none, around them.
    static let special: [String] = ["\"", "\\"] + (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }
        + ["\u{7F}"] + (0x80...0x9F).map { String(UnicodeScalar(UInt8($0))) }
        + ["\u{2028}", "\u{2029}", "\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}",
           "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}"]
    static let plainNonASCII: [String] = ["\u{A0}", "é", "€", "日", "😀", "\u{2027}", "\u{202F}", "\u{2065}", "\u{206A}",
                                          "\u{FFFD}", "\u{100}", "\u{FF}"]

    func testEveryByteThatNeedsCareAtEveryPositionOfEveryLength() throws {
        for piece in Self.special + Self.plainNonASCII {
            for length in 0...20 {
                for position in 0...length {
                    let text = String(repeating: "a", count: position) + piece
                    assertWrites(text + String(repeating: "b", count: length - position))
                }
            }
            for length in 0...8 {
                for position in 0...length {
                    let text = String(repeating: "é", count: position) + piece
                    assertWrites(text + String(repeating: "日", count: length - position))
                }
            }
        }
    }

    func testCleanStringsOfEveryLength() throws {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789 /_-.:"
                             + "ABCDEFGHIJKLMNOPQRSTUVWXYZ!#$%&'()*+,;<=>?@[]^`{|}~")
        for length in 0...70 {
            let text = String((0..<length).map { alphabet[($0 * 7) % alphabet.count] })
            assertWrites(text)
        }
    }

    func testEscapesNextToEachOtherAndAtBothEnds() throws {
        // Runs of non-ASCII characters are copied a character at a time, escaping those in
        // the run that need it.
        for text in ["\"\"", "\\\\\\", "\n\n\n\n\n\n\n\n\n", "\u{0}", "\u{1F}abcdefgh\u{1F}", "\u{2028}\u{2029}",
                     "abcdefg\u{85}", "abcdefgh\u{2028}", "\u{9F}abcdefghijklmno", "é\"é\"é", "😀\n😀\t😀",
                     "\u{C2}\u{A0}", "\u{E2}\u{80}", "tail\u{E2}", "日\u{2028}本\u{85}語😀\u{202E}é\u{9F}\u{A0}x",
                     "日本語のテキスト、東京都", "😀😀😀😀😀\n", "\u{80}\u{81}\u{2066}\u{2069}\u{2029}"] {
            assertWrites(text)
        }
    }

    /// Swift strings hold no lone surrogate: bytes that would encode one are repaired to
    /// U+FFFD when the string is made, and the writer passes that through unescaped (the
    /// parser rejects `\ud800` alone, so no parsed document holds one either).
    func testRepairedSurrogatesAreWrittenAsTheStringHoldsThem() throws {
        let repaired = String(decoding: [0x61, 0xED, 0xA0, 0x80, 0x62], as: UTF8.self)
        XCTAssertEqual(written(.string(repaired)), "\"a\u{FFFD}\u{FFFD}\u{FFFD}b\"")
        XCTAssertEqual(written(.string("\u{1F600}")), "\"\u{1F600}\"", "a pair's scalar stays UTF-8")
        XCTAssertThrowsError(try JSONParser.parse(#""\ud800""#))
    }

    func testKeysAreEscapedLikeValuesInBothLayouts() throws {
        for piece in Self.special + Self.plainNonASCII {
            for length in [0, 1, 7, 8, 9, 15, 16, 17] {
                let key = String(repeating: "k", count: length) + piece
                let escaped = Self.reference(key)
                let pairs: [(String, JSONValue)] = [(key, .number(JSONNumber(1))), ("x" + key, .array([.string(key)]))]
                let object = JSONValue.object(JSONObject(pairs))
                XCTAssertEqual(written(object), "{\(escaped):1,\(Self.reference("x" + key)):[\(escaped)]}")
                XCTAssertEqual(written(object, pretty: true),
                               "{\n  \(escaped): 1,\n  \(Self.reference("x" + key)): [\n    \(escaped)\n  ]\n}")
                var writer = JSONWriter()
                writer.writeString(key)
                XCTAssertEqual(writer.bytes, Array(escaped.utf8))
                var members = JSONWriter()
                members.writeMembers(of: object.objectValue!) { _ in true }
                XCTAssertEqual(JSONWriter.stringOf(members), ",\(escaped):1,\(Self.reference("x" + key)):[\(escaped)]")
            }
        }
    }

    /// Strings written one after another into one buffer: each word-wide store past a string's
    /// end is overwritten by what follows, never left behind.
    func testManyShortStringsInOneBufferAreExact() throws {
        var random = SplitMix64(seed: 15)
        let pieces = ["a", "bc", "def", "ghij", "\"", "\n", "é", "\u{2028}", "12345678", "\u{85}"]
        var elements: [JSONValue] = []
        var expected: [String] = []
        for _ in 0..<2_000 {
            var text = ""
            for _ in 0..<Int(random.next() % 5) { text += pieces[Int(random.next() % UInt64(pieces.count))] }
            elements.append(.string(text))
            expected.append(Self.reference(text))
        }
        let text = written(.array(elements))
        XCTAssertEqual(text, "[" + expected.joined(separator: ",") + "]")
        XCTAssertEqual(try JSONParser.parse(text), .array(elements))
    }

    /// Numbers are written as their text: the compact form (scaled integers) reproduces the
    /// parsed spelling exactly, trailing and leading zeros included, at every digit count.
    func testNumbersAreWrittenAsTheirText() throws {
        var texts = ["0", "-0", "0.0", "-0.0", "0.5", "-0.5", "0.05", "0.000123", "1.50", "-12.50", "100", "1e5",
                     "-12.5E+3", "1.0e-7", "123456789012345678", "-123456789012345678", "1234567890123456789",
                     "0.123456789012345678", "123456789.123456789", "99999999999999999999999999", "-0.000001e-7"]
        var power: Int64 = 1
        for _ in 0...17 {
            for value in [power - 1, power, power + 1] where value >= 0 {
                texts.append("\(value)")
                texts.append("-\(value)")
                texts.append("\(value).\(value)")
                texts.append("0.\(String(repeating: "0", count: Int(value % 3)))\(value)")
            }
            power *= 10
        }
        for text in texts {
            let value = try JSONParser.parse(text)
            XCTAssertEqual(written(value), text, "parsed \(text)")
            XCTAssertEqual(written([value, value]), "[\(text),\(text)]")
        }
        for value in [0, 1, -1, 9, 10, 99, 100, 999_999, 1_000_000, Int.max, Int.min, Int.max - 1, Int.min + 1] {
            XCTAssertEqual(written(.number(JSONNumber(value))), "\(value)")
        }
        var powerOfTen = 1
        for _ in 0...18 {
            for value in [powerOfTen - 1, powerOfTen, powerOfTen + 1] {
                XCTAssertEqual(written(.number(JSONNumber(value))), "\(value)")
                XCTAssertEqual(written(.number(JSONNumber(-value))), "\(-value)")
            }
            powerOfTen = powerOfTen.multipliedReportingOverflow(by: 10).partialValue
        }
    }

    // MARK: Reference

    private func assertWrites(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let written = self.written(.string(text))
        XCTAssertEqual(written, Self.reference(text), "\(Array(text.utf8))", file: file, line: line)
        XCTAssertEqual(try JSONParser.parse(written), .string(text), file: file, line: line)
        XCTAssertFalse(written.unicodeScalars.contains { Sanitizer.isUnsafe($0) }, file: file, line: line)
    }

    /// The writer's escaping, one scalar at a time.
    static func reference(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x08: out += "\\b"
            case 0x09: out += "\\t"
            case 0x0A: out += "\\n"
            case 0x0C: out += "\\f"
            case 0x0D: out += "\\r"
            case 0..<0x20, 0x7F...0x9F, 0x2028...0x202E, 0x2066...0x2069:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

private extension JSONWriter {
    static func stringOf(_ writer: JSONWriter) -> String { String(decoding: writer.bytes, as: UTF8.self) }
}
