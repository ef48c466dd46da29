import XCTest
@testable import StreamCore

/// The parser builds strings of up to 15 plain ASCII bytes in place (`JSONCursor.shortString`,
/// `SmallString`) when 16 bytes follow their opening quote, and reads every other string as
/// before. These check that both paths give the same strings, hashes and errors.
final class JSONShortStringTests: XCTestCase {
    func testSmallStringLayoutHoldsOnThisPlatform() {
        XCTAssertTrue(SmallString.layoutHolds)
    }

    /// Every length around the 8-, 15- and 16-byte edges, ASCII and not: the same String, bit for
    /// bit, as the standard library builds, and equal and hashed alike by Swift's own rules.
    func testStringsAreTheOnesTheStandardLibraryBuilds() throws {
        var random = SeededRandom(seed: 15)
        let pieces = ["a", "Z", "0", " ", "~", "é", "日", "😀", "\u{7F}"]
        for _ in 0..<2_000 {
            let text = (0..<Int.random(in: 0...16, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                .joined()
            let expected = String(decoding: Array(text.utf8), as: UTF8.self)
            let padding = String(repeating: " ", count: Int.random(in: 0...20, using: &random))
            let parsed = try JSONParser.parse("[\"\(text)\"," + "{\"\(text)\":1}]" + padding)
            let string = try XCTUnwrap(parsed[0]?.stringValue)
            let key = try XCTUnwrap(parsed[1]?.objectValue?.keys.first)
            for built in [string, key] {
                XCTAssertEqual(Array(built.utf8), Array(expected.utf8))
                XCTAssertEqual(built, expected)
                XCTAssertEqual(built.hashValue, expected.hashValue)
                XCTAssertEqual(built.unicodeScalars.count, expected.unicodeScalars.count)
                if expected.utf8.count <= SmallString.maxCount {
                    let words = unsafeBitCast(built, to: (UInt64, UInt64).self)
                    let expectedWords = unsafeBitCast(expected, to: (UInt64, UInt64).self)
                    XCTAssertTrue(words == expectedWords, expected.debugDescription)
                }
            }
        }
    }

    /// A string with 16 bytes after its opening quote and the same string at the end of the
    /// input (read the long way) parse to the same value or fail with the same error.
    func testBothPathsAcceptAndRejectAlike() {
        var random = SeededRandom(seed: 16)
        for _ in 0..<5_000 {
            let body = JSONShortStringTests.stringBody(using: &random)
            let short = [UInt8(ascii: "\"")] + body + [UInt8(ascii: "\"")]
            let long = short + Array(repeating: UInt8(ascii: " "), count: 16)
            let member = [UInt8(ascii: "{")] + short + Array(":1}".utf8)
            for (a, b) in [(short, long), (member, member + Array(repeating: UInt8(ascii: " "), count: 16))] {
                let first = Result { () throws(JSONParseError) in try JSONParser.parse(a) }
                let second = Result { () throws(JSONParseError) in try JSONParser.parse(b) }
                switch (first, second) {
                case let (.success(x), .success(y)):
                    XCTAssertEqual(x, y, "\(body)")
                case let (.failure(x), .failure(y)):
                    if case .unexpectedEnd = x.reason { continue }  // where the input ends differs
                    XCTAssertEqual(x, y, "\(body)")
                default:
                    XCTFail("\(body): one path accepted, the other rejected")
                }
            }
        }
    }

    /// Up to 17 bytes, printable ASCII and one in five a byte that needs care in a string.
    static func stringBody(using random: inout SeededRandom) -> [UInt8] {
        let special: [UInt8] = [0x22, 0x5C, 0x1F, 0x00, 0x80, 0xC3, 0xA9, 0xFF, 0x7F, 0x75, 0x6E]
        return (0..<Int.random(in: 0..<18, using: &random)).map { _ -> UInt8 in
            Int.random(in: 0..<5, using: &random) == 0
                ? special.randomElement(using: &random)! : UInt8.random(in: 0x20..<0x7F, using: &random)
        }
    }

    /// A key read in place and the same key written with an escape (read the long way) are the
    /// same key: found as duplicates, at every length.
    func testShortKeysAndEscapedSpellingsAreDuplicates() throws {
        for length in 1...16 {
            let key = String(repeating: "k", count: length - 1) + "b"
            let escaped = String(repeating: "k", count: length - 1) + "\\u0062"
            let text = #"{"\#(key)":1,"\#(escaped)":2}"# + String(repeating: " ", count: 20)
            XCTAssertEqual(try JSONParser.parse(text), .object([key: 2]), "length \(length)")
            XCTAssertThrowsError(try JSONParser.parse(text, options: .init(duplicateKeys: .reject)))
            let reversed = #"{"\#(escaped)":1,"\#(key)":2}"# + String(repeating: " ", count: 20)
            XCTAssertEqual(try JSONParser.parse(reversed), .object([key: 2]), "length \(length)")
        }
    }
}
