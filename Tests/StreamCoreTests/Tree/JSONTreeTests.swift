import XCTest
@testable import StreamCore

final class JSONTreeTests: XCTestCase {
    func testRoundTripsRandomValuesThroughATree() {
        var generator = JSONGenerator(seed: 41)
        for _ in 0..<2_000 {
            let value = generator.value()
            let tree = JSONTree(value)
            XCTAssertEqual(tree.value, value)
            XCTAssertEqual(JSONWriter.string(tree.value), JSONWriter.string(value), "order and spelling are kept")
        }
    }

    func testEqualityIsJSONEquality() {
        var generator = JSONGenerator(seed: 42)
        for _ in 0..<2_000 {
            let a = generator.value()
            let b = generator.chance(50) ? a : generator.mutate(a)
            XCTAssertEqual(JSONTree(a) == JSONTree(b), a == b, "\(a) vs \(b)")
        }
        // Numbers by value, members in any order, strings by scalars.
        let spelled = JSONTree(["b": [JSONValue.number(JSONNumber("1e0")!), "x"], "a": 1.00])
        XCTAssertEqual(JSONTree(["a": 1, "b": [1.0, "x"]]), spelled)
        XCTAssertNotEqual(JSONTree(["k": "Zo\u{EB}"]), JSONTree(["k": "Zoe\u{308}"]))
        XCTAssertNotEqual(JSONTree([1]), JSONTree([true]))
    }

    /// Numbers compare by value: the shortcut for texts of one shape agrees with parsing both.
    func testNumbersOfOneShapeCompareByValue() {
        func equal(_ a: String, _ b: String) -> Bool {
            var a = a
            var b = b
            return a.withUTF8 { x in b.withUTF8 { y in JSONTree.numbersEqual(x, y) } }
        }
        func slow(_ a: String, _ b: String) -> Bool {
            var a = a
            var b = b
            return a.withUTF8 { x in b.withUTF8 { y in JSONTree.number(x) == JSONTree.number(y) } }
        }
        for (a, b, expected) in [
            ("1.50", "1.5", true), ("-0", "0", true), ("0.0", "-0.0", true), ("1e2", "100", true),
            ("10.5", "-1.5", false), ("1053.76", "1111.72", false), ("7", "7", true), ("-12", "-13", false),
            ("1.0", "1.1", false), ("1E2", "1e2", true),
        ] {
            XCTAssertEqual(equal(a, b), expected, "\(a) \(b)")
            XCTAssertEqual(equal(a, b), slow(a, b), "\(a) \(b)")
        }
        var random = SeededRandom(seed: 61)
        func digits(_ count: Int, leading: Bool) -> String {
            String((0..<count).map { i in
                let range: ClosedRange<UInt8> = i == 0 && leading ? 1...9 : 0...9
                return Character(UnicodeScalar(48 + UInt8.random(in: range, using: &random)))
            })
        }
        for _ in 0..<20_000 {
            let negative = Bool.random(using: &random)
            let whole = Int.random(in: 1...4, using: &random)
            let fraction = Int.random(in: 0...3, using: &random)
            func make() -> String {
                let int = whole == 1 && Bool.random(using: &random) ? "0" : digits(whole, leading: true)
                return (negative ? "-" : "") + int + (fraction > 0 ? "." + digits(fraction, leading: false) : "")
            }
            let a = make()
            let b = Int.random(in: 0..<4, using: &random) == 0 ? a : make()
            XCTAssertEqual(equal(a, b), slow(a, b), "\(a) \(b)")
        }
    }

    func testHashIsConsistentWithEquality() {
        func hash(_ value: JSONValue) -> Int {
            let tree = JSONTree(value)
            var hasher = Hasher()
            tree.hash(tree.root, into: &hasher)
            return hasher.finalize()
        }
        XCTAssertEqual(hash(["a": 1, "b": "long string value"]), hash(["b": "long string value", "a": 1.0]))
        XCTAssertEqual(hash([JSONValue.number(JSONNumber("100")!)]), hash([JSONValue.number(JSONNumber("1e2")!)]))
    }

    func testShortScalarsLiveInTheirSlot() {
        let tree = JSONTree(["price": 123.45, "symbol": "AAPL", "description": "a longer string"])
        XCTAssertEqual(tree.bytes.count, "description".utf8.count + "a longer string".utf8.count)
        // Two words a member, and the unused word 0.
        XCTAssertEqual(tree.words.count, 1 + 3 * 2)
        let nested = JSONTree(.array(Array(repeating: [0], count: 1_000)))
        XCTAssertEqual(nested.words.count, 1 + 1_000 + 1_000, "[0] costs its slot and one entry")
    }

    func testInsertAndRemoveShiftOrGrowAndTheJournalUndoesThem() {
        var generator = JSONGenerator(seed: 43)
        for _ in 0..<500 {
            let elements = (0..<generator.int(0..<9)).map { _ in generator.value(depth: 2) }
            var tree = JSONTree(["list": .array(elements), "tail": "kept"])
            let before = tree.value
            let list = tree.location(ofElement: 0, in: tree.root)
            var model = elements
            var journal = JSONTree.Journal(tree)
            for _ in 0..<generator.int(1..<12) {
                if model.isEmpty || generator.chance(60) {
                    let index = generator.int(0..<(model.count + 1))
                    let value = generator.value(depth: 2)
                    let slot = tree.append(value)
                    tree.insert((slot.raw, 0), at: index, inContainerAt: list, journal: &journal)
                    model.insert(value, at: index)
                } else {
                    let index = generator.int(0..<model.count)
                    tree.remove(at: index, inContainerAt: list, journal: &journal)
                    model.remove(at: index)
                }
                XCTAssertEqual(tree.value, ["list": .array(model), "tail": "kept"])
            }
            journal.rollBack(&tree)
            XCTAssertEqual(tree.value, before)
            XCTAssertEqual(JSONWriter.string(tree.value), JSONWriter.string(before))
        }
    }

    func testDuplicateCopiesWithinTheTreeAndGarbageIsCollected() {
        var tree = JSONTree(["a": ["x": "a long string, out of line", "y": [1, 2, 3]], "list": []])
        let list = tree.location(ofElement: 1, in: tree.root)
        var journal = JSONTree.Journal(tree)
        journal.recording = false
        for _ in 0..<5_000 {
            let copy = tree.duplicate(tree.memberValue(tree.root, 0))
            tree.insert((copy.raw, 0), at: 0, inContainerAt: list, journal: &journal)
            tree.remove(at: 0, inContainerAt: list, journal: &journal)
            tree.collectGarbageIfNeeded()
        }
        XCTAssertEqual(tree.value, ["a": ["x": "a long string, out of line", "y": [1, 2, 3]], "list": []])
        XCTAssertLessThan(tree.words.count, 3 * 4096, "garbage is collected")
        XCTAssertLessThan(tree.bytes.count, 3 * 16384)
    }

    func testObjectMembersKeepTheirOrderThroughEdits() {
        var tree = JSONTree(["a": 1, "b": 2, "c": 3])
        var journal = JSONTree.Journal(tree)
        let key = tree.makeString("a key longer than seven bytes")
        tree.insert((key.raw, JSONTree.Slot.true.raw), at: 3, inContainerAt: JSONTree.rootLocation, journal: &journal)
        tree.remove(at: 1, inContainerAt: JSONTree.rootLocation, journal: &journal)
        XCTAssertEqual(JSONWriter.string(tree.value), #"{"a":1,"c":3,"a key longer than seven bytes":true}"#)
        XCTAssertEqual(tree.position(of: "a key longer than seven bytes", in: tree.root), 2)
        XCTAssertEqual(tree.position(of: "c", in: tree.root), 1)
        XCTAssertNil(tree.position(of: "b", in: tree.root))
    }
}
