import XCTest
@testable import StreamCore

/// What a parsed tree takes, against its text: the hostile shapes of JSONMemoryLimitTests that
/// `JSONValue`s refuse take a few times their text as a tree and parse; the budget still bounds
/// the tree, its scratch stack and its key tables, and refuses past whatever limit is set.
final class JSONTreeParseMemoryTests: XCTestCase {
    func array(of element: String, size: Int) -> [UInt8] { JSONMemoryLimitTests.array(of: element, size: size) }

    static let shapes = JSONMemoryLimitTests.hostile + [#"{"symbol":"SYM1","price":123.45,"tags":["a","b"]}"#, "7"]

    /// Every hostile shape parses into a tree of at most 4× its text (8 bytes for a value of at
    /// least 2), and its parse never takes more than 5× (the default limit is 6×).
    func testHostileShapesParseWithinAFewTimesTheirText() throws {
        for element in JSONTreeParseMemoryTests.shapes {
            let text = array(of: element, size: 1 << 20)
            let shape = String(element.prefix(30))
            let tree = try JSONTree(parsing: text)
            let words = tree.words.count * 8 + tree.bytes.count
            XCTAssertLessThanOrEqual(words, 4 * text.count + 8, shape)
            XCTAssertLessThanOrEqual(tree.memoryBytes, 8 * text.count, shape)
            let peak = try JSONTree.estimatedMemory(parsing: text)
            XCTAssertLessThanOrEqual(peak, 5 * text.count, shape)
            XCTAssertEqual(JSONWriter.data(tree.value), text, shape)
        }
        XCTAssertNotNil(assertTreeAgrees(array(of: "[0]", size: 2 << 20), "refused as values, parsed as a tree"))
        assertTreeAgrees(array(of: JSONMemoryLimitTests.letters, size: 1 << 20))
        // JSONMemoryLimitTests' one object of 200,000 small keys, which values refuse too.
        let keys = (0..<200_000).map { #""\#(String($0, radix: 36))":0"# }
        let object = Array(("{" + keys.joined(separator: ",") + "}").utf8)
        XCTAssertNotNil(assertTreeAgrees(object))
        XCTAssertLessThan(try JSONTree.estimatedMemory(parsing: object), 5 * object.count, "the key table included")
    }

    /// The budget is exact: a tree parses with a limit of what it takes, and is refused a byte
    /// under it, naming the limit.
    func testTheLimitIsExactAndNamed() throws {
        for element in JSONTreeParseMemoryTests.shapes {
            let text = array(of: element, size: 300_000)
            let shape = String(element.prefix(30))
            let takes = try JSONTree.estimatedMemory(parsing: text)
            XCTAssertGreaterThan(takes, text.count / 2, shape)
            let exact = JSONParser.Options(maxMemoryPerTextByte: 100, maxMemoryBytes: takes)
            XCTAssertEqual(try JSONTree(parsing: text, options: exact).value.arrayValue?.count,
                           text.count / (element.utf8.count + 1), shape)
            let under = JSONParser.Options(maxMemoryPerTextByte: 100, maxMemoryBytes: takes - 1)
            XCTAssertThrowsError(try JSONTree(parsing: text, options: under), shape) {
                let reason = JSONParseError.Reason.tooMuchMemory(
                    limit: takes - 1, textBytes: text.count, perTextByte: 100)
                XCTAssertEqual(($0 as? JSONParseError)?.reason, reason, shape)
            }
        }
    }

    /// Past the ceiling on any one document, and past a proportional limit set lower.
    func testHostileBodiesPastTheLimitsAreRefused() {
        let text = array(of: "[0]", size: 5 << 20)
        let ceiling = JSONParser.Options(maxMemoryBytes: 4 << 20)
        XCTAssertThrowsError(try JSONTree(parsing: text, options: ceiling)) {
            XCTAssertEqual(($0 as? JSONParseError)?.reason,
                           .tooMuchMemory(limit: 4 << 20, textBytes: text.count, perTextByte: 6))
        }
        let proportional = JSONParser.Options(maxMemoryPerTextByte: 2)
        XCTAssertThrowsError(try JSONTree(parsing: text, options: proportional)) {
            XCTAssertEqual(($0 as? JSONParseError)?.reason,
                           .tooMuchMemory(limit: 2 * text.count, textBytes: text.count, perTextByte: 2))
        }
        XCTAssertNoThrow(try JSONTree(parsing: text), "under the default limits")
    }

    /// API documents take about their text as a tree (1.3×), and their parse under 2×: far
    /// under the issue's 3×.
    func testLegitDocumentsTakeAboutTheirText() throws {
        let text = JSONMemoryLimitTests.legitRecords()
        let tree = try XCTUnwrap(assertTreeAgrees(text))
        XCTAssertLessThan(Double(tree.memoryBytes) / Double(text.count), 1.5, "\(tree.memoryBytes) for \(text.count)")
        let peak = try JSONTree.estimatedMemory(parsing: text)
        XCTAssertLessThan(Double(peak) / Double(text.count), 2, "\(peak) for \(text.count)")
        assertTreeAgrees(array(of: #"[1764000000,"123.45"]"#, size: 4 << 20))
        assertTreeAgrees(array(of: "7", size: 600_000))
    }

    /// Large containers are appended to the tree with the stack's pages given back: every value
    /// survives, in lists inside lists and in objects of many members.
    func testLargeContainersComeOutExactly() {
        let value = JSONMemoryLimitTests.largeContainers()
        let tree = assertTreeAgrees(JSONWriter.data(value))
        XCTAssertEqual(tree.map { $0.position(of: "key 29999", in: $0.element($0.root, 0)) }, 29_999)
    }

    /// 100,000 keys in one object, short and long, including long keys of one length that share
    /// their first and last eight bytes (one Bloom bit): found through the table, so this takes
    /// linear time. A repeated key at the end is found under both policies.
    func testHundredThousandKeyObjects() throws {
        let shapes: [(Int) -> String] = [
            { String($0, radix: 36) },
            { "key number \($0)" },
            { "prefix__" + String(String($0, radix: 16).reversed()).padding(toLength: 6, withPad: "-", startingAt: 0)
                + "__suffix" },
        ]
        for name in shapes {
            var members = (0..<100_000).map { #""\#(name($0))":\#($0)"# }
            let unique = Array(("{" + members.joined(separator: ",") + "}").utf8)
            let tree = try JSONTree(parsing: unique, options: .init(duplicateKeys: .reject))
            XCTAssertEqual(tree.root.count, 100_000)
            XCTAssertEqual(tree.position(of: name(77_777), in: tree.root), 77_777)
            members.append(#""\#(name(4_321))":"again""#)
            let repeated = Array(("{" + members.joined(separator: ",") + "}").utf8)
            for policy in [JSONParser.DuplicateKeyPolicy.lastWins, .reject] {
                assertTreeAgrees(repeated, options: .init(duplicateKeys: policy), name(0))
            }
            let last = try JSONTree(parsing: repeated)
            XCTAssertEqual(last.value[name(4_321)], "again")
            XCTAssertEqual(last.position(of: name(4_321), in: last.root), 4_321, "in the first position")
            XCTAssertEqual(last.root.count, 100_000)
        }
    }
}
