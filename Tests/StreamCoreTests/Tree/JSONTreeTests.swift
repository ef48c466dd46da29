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
