import Foundation
import XCTest
@testable import StreamCore
@testable import StreamEngine

/// The record scanner reads what the parser reads, and accepts only what the parser accepts:
/// random records, and each of them broken at random.
final class ArchiveRecordScannerTests: XCTestCase {
    /// What the scanner says of a line, as the parser's tree says it.
    struct Seen: Equatable {
        var time: String?
        var kind: String?
        var type: String?
        var dataBytes: Int?
        var hasBody: Bool
        var bodyBytes: Int?
    }

    func scanned(_ line: [UInt8]) -> Seen? {
        line.withUnsafeBufferPointer { buffer in
            ArchiveRecordScanner.scan(buffer).map { fields in
                func text(_ range: Range<Int>?) -> String? {
                    range.map { String(decoding: buffer[$0], as: UTF8.self) }
                }
                return Seen(time: text(fields.time), kind: text(fields.kind), type: text(fields.type),
                            dataBytes: fields.data?.utf8Count, hasBody: fields.hasBody, bodyBytes: fields.bodyBytes)
            }
        }
    }

    func parsed(_ line: [UInt8]) -> Seen? {
        guard let value = try? JSONParser.parse(line), case .object(let object) = value else { return nil }
        return Seen(time: object["t"]?.stringValue, kind: object["kind"]?.stringValue,
                    type: object["type"]?.stringValue, dataBytes: object["data"]?.stringValue?.utf8.count,
                    hasBody: object["body"] != nil, bodyBytes: object["bodyBytes"]?.numberValue?.intValue)
    }

    // MARK: Random JSON text

    func pick<T>(_ random: inout SplitMix64, _ choices: [T]) -> T {
        choices[Int(random.next() % UInt64(choices.count))]
    }

    func whitespace(_ random: inout SplitMix64) -> String {
        random.next() % 6 == 0 ? pick(&random, [" ", "\t", "\r\n", "  \n "]) : ""
    }

    func string(_ random: inout SplitMix64) -> String {
        let pieces = ["a", "quote", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\b", "\\f", "\\r", "\\u00e9", "\\u0041",
                      "\\u20AC", "\\ud83d\\ude00", "é", "€", "😀", "{\\\"k\\\":[1,2]}", " ", "\u{7F}"]
        return "\"" + (0..<Int(random.next() % 12)).map { _ in pick(&random, pieces) }.joined() + "\""
    }

    func value(_ random: inout SplitMix64, depth: Int) -> String {
        switch random.next() % (depth > 4 ? 4 : 7) {
        case 0: return string(&random)
        case 1: return pick(&random, ["0", "-0", "12", "-7", "3.25", "1e3", "-2.5E-3", "1E+2", "123456789012345678901"])
        case 2: return pick(&random, ["true", "false", "null"])
        case 3: return pick(&random, ["[]", "{}"])
        case 4, 5:
            let members = (0..<Int(random.next() % 5)).map { _ in
                whitespace(&random) + string(&random) + whitespace(&random) + ":" + whitespace(&random)
                    + value(&random, depth: depth + 1) + whitespace(&random)
            }
            return "{" + members.joined(separator: ",") + "}"
        default:
            let elements = (0..<Int(random.next() % 5)).map { _ in
                whitespace(&random) + value(&random, depth: depth + 1) + whitespace(&random)
            }
            return "[" + elements.joined(separator: ",") + "]"
        }
    }

    /// A record as the engine writes it, or with its fields in another order, spaced, repeated.
    func record(_ random: inout SplitMix64) -> String {
        var members = [
            #""t":"2026-12-02T10:\#(10 + random.next() % 50):07.123Z""#,
            #""kind":"\#(pick(&random, ["event", "poll", "counters", "other"]))""#,
        ]
        switch random.next() % 3 {
        case 0:
            members.append(#""type":"\#(pick(&random, ["data", "patch", "message", "quote"]))""#)
            members.append(#""id":"\#(random.next() % 1000)""#)
            members.append(#""data":"# + string(&random))
        case 1:
            members += [#""status":200"#, #""wireBytes":123"#, #""changed":true"#]
            if random.next() % 4 != 0 { members.append(#""bodyBytes":\#(pick(&random, ["0", "47000", "12"]))"#) }
            members.append(#""body":"# + value(&random, depth: 1))
        default:
            members += [#""run":"2026-12-02T09:00:00.000Z""#, #""events":\#(random.next() % 100)"#]
        }
        if random.next() % 5 == 0 { members.append(#""extra":"# + value(&random, depth: 1)) }
        if random.next() % 8 == 0 { members.append(members[Int(random.next() % UInt64(members.count))]) }
        if random.next() % 3 == 0 { members.shuffle(using: &random) }
        return whitespace(&random) + "{" + members.map { whitespace(&random) + $0 }.joined(separator: ",") + "}"
            + whitespace(&random)
    }

    func testRandomRecordsReadAsTheParserReadsThem() {
        var random = SplitMix64(seed: 21)
        var accepted = 0
        for round in 0..<5_000 {
            let line = Array(record(&random).utf8)
            let expected = parsed(line)
            XCTAssertNotNil(expected, "round \(round): the generator writes JSON")
            let seen = scanned(line)
            XCTAssertEqual(seen, expected, "round \(round): \(String(decoding: line, as: UTF8.self))")
            if seen != nil { accepted += 1 }
        }
        XCTAssertEqual(accepted, 5_000, "records with plain fields are all read in place")
    }

    /// Each record broken: a byte changed, removed or added, or cut short. Whatever the scanner
    /// accepts the parser parses, to the same fields; what it declines, the caller parses.
    func testBrokenRecordsAreNeverAcceptedWhenTheParserRejectsThem() {
        var random = SplitMix64(seed: 33)
        let interesting: [UInt8] = Array("\"\\{}[]:,.-+eE0123456789tfnu \t\n".utf8)
            + [0x00, 0x1F, 0x7F, 0x80, 0xC0, 0xE0, 0xED, 0xA0, 0xF0, 0xF4, 0xF5, 0xFF]
        var declined = 0
        for round in 0..<20_000 {
            var line = Array(record(&random).utf8)
            let index = Int(random.next() % UInt64(line.count))
            switch random.next() % 4 {
            case 0: line[index] = pick(&random, interesting)
            case 1: line.remove(at: index)
            case 2: line.insert(pick(&random, interesting), at: index)
            default: line.removeSubrange(index...)
            }
            let expected = parsed(line)
            guard let seen = scanned(line) else {
                declined += 1
                continue
            }
            XCTAssertEqual(seen, expected, "round \(round): \(line)")
        }
        XCTAssertGreaterThan(declined, 5_000)
    }

    func testEdgesThatTheParserDecides() {
        let cases: [(String, Bool)] = [
            (#"{"t":"x","data":"\ud800"}"#, false),  // a lone surrogate
            (#"{"t":"x","data":"\udc00\ud800"}"#, false),
            (#"{"t":"x","data":"\ud83d\u0041"}"#, false),
            (#"{"t":"x","data":"\x"}"#, false),
            (#"{"t":"x","data":"\u12G4"}"#, false),
            (#"{"t":"x","n":01}"#, false),
            (#"{"t":"x","n":1.}"#, false),
            (#"{"t":"x","n":-}"#, false),
            (#"{"t":"x","n":1e}"#, false),
            (#"{"t":"x","a":[1,]}"#, false),
            (#"{"t":"x",}"#, false),
            (#"{"t":"x"} x"#, false),
            (#"{"t":"x"}{"#, false),
            (#"{"t":"x","a":tru}"#, false),
            ("{\"t\":\"x\",\"data\":\"a\u{01}\"}", false),
            (#"{"t":"x","data":"😀"}"#, true),
            (#" {"t":"x"} "#, true),
            (#"{}"#, true),
        ]
        for (text, valid) in cases {
            let line = Array(text.utf8)
            XCTAssertEqual(parsed(line) != nil, valid, text)
            XCTAssertEqual(scanned(line) != nil, valid, text)
            if valid { XCTAssertEqual(scanned(line), parsed(line), text) }
        }
        // Declined, valid or not, for the caller to parse: not an object, escaped keys or
        // fields, fields of other types, bodyBytes not plain digits, an overlong line.
        for text in [#"[1]"#, #"{"\u0074":"x"}"#, #"{"t":"\u0078"}"#, #"{"t":1}"#, #"{"kind":null}"#,
                     #"{"bodyBytes":1.0}"#, #"{"bodyBytes":-1}"#, #"{"bodyBytes":1e2}"#, #"{"data":5}"#,
                     #"{"bodyBytes":1234567890123456789}"#] {
            XCTAssertNil(scanned(Array(text.utf8)), text)
        }
        let long = Array(#"{"t":"x","data":""#.utf8) + Array(repeating: 0x61, count: ArchiveRecordScanner.maxLineBytes)
            + Array(#""}"#.utf8)
        XCTAssertNil(scanned(long))
        // Nesting: as deep as the parser allows, and one more.
        for (depth, valid) in [(511, true), (512, false)] {
            let text = #"{"body":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
            XCTAssertEqual(parsed(Array(text.utf8)) != nil, valid, "\(depth)")
            XCTAssertEqual(scanned(Array(text.utf8)) != nil, valid, "\(depth)")
        }
    }

    func testTimesReadInPlaceAreTheParsersToTheBit() {
        var random = SplitMix64(seed: 3)
        var texts = (0..<20_000).map { _ in
            UTCTime(secondsSinceEpoch: Double(random.next() % 4_000_000_000_000) / 1000).iso8601
        }
        texts += ["2026-02-29T00:00:00.000Z", "2028-02-29T23:59:59.999Z", "2026-04-31T00:00:00.000Z",
                  "2026-13-01T00:00:00.000Z", "2026-12-02T24:00:00.000Z", "2026-12-02T10:60:00.000Z",
                  "2026-12-02T10:00:60.000Z", "2026-12-02T10:00:00Z", "2026-12-02T10:00:00.000",
                  "2026-12-02 10:00:00.000Z",
                  "2026-12-02T10:00:00.0a0Z", "x026-12-02T10:00:00.000Z", "", "2026-00-10T00:00:00.000Z",
                  "2026-12-00T00:00:00.000Z"]
        for text in texts {
            let expected = UTCTime(iso8601: text)
            let bytes = Array(text.utf8)
            let read = bytes.withUnsafeBufferPointer { UTCTime(iso8601Bytes: $0) }
            XCTAssertEqual(read?.secondsSinceEpoch.bitPattern, expected?.secondsSinceEpoch.bitPattern, text)
        }
    }
}
