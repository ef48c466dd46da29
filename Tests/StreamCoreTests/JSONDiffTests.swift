import XCTest
@testable import StreamCore

class JSONDiffTests: XCTestCase {
    /// The diff under test: of two values here; a subclass diffs the same documents another
    /// way (as trees) and runs every case below again.
    func diff(_ a: JSONValue, _ b: JSONValue) -> JSONPatch { JSONDiff.diff(from: a, to: b) }

    func assertDiffApplies(_ a: JSONValue, _ b: JSONValue, file: StaticString = #filePath, line: UInt = #line) {
        let patch = diff(a, b)
        XCTAssertEqual(try a.applying(patch), b, "\(a) -> \(b) via \(patch.json)", file: file, line: line)
    }

    func testEqualDocumentsGiveAnEmptyPatch() {
        XCTAssertTrue(diff(["a": [1, 2], "b": 1.0], ["b": 1, "a": [1, 2]]).isEmpty)
    }

    func testScalarDeepInABigDocumentIsOneReplace() throws {
        var quotes: [JSONValue] = []
        for i in 0..<300 { quotes.append(["symbol": .string("S\(i)"), "price": .number(JSONNumber(i)), "tags": ["a", "b"]]) }
        let a: JSONValue = ["quotes": .array(quotes), "meta": ["count": 300]]
        var b = a
        try b.apply(JSONPatch(text: #"[{"op":"replace","path":"/quotes/150/price","value":99.5}]"#))
        let patch = diff(a, b)
        XCTAssertEqual(JSONWriter.string(patch.json), #"[{"op":"replace","path":"/quotes/150/price","value":99.5}]"#)
    }

    func testInsertOrRemoveInTheMiddleOfAnArrayIsOneOperation() {
        let a: JSONValue = .array((0..<100).map { .number(JSONNumber($0)) })
        var inserted = a.arrayValue!
        inserted.insert("new", at: 40)
        XCTAssertEqual(JSONWriter.string(diff(a, .array(inserted)).json), #"[{"op":"add","path":"/40","value":"new"}]"#)
        var removed = a.arrayValue!
        removed.remove(at: 60)
        XCTAssertEqual(JSONWriter.string(diff(a, .array(removed)).json), #"[{"op":"remove","path":"/60"}]"#)
        // A shift of equal length: insert at the front, drop the last.
        let shifted: JSONValue = .array([-1] + a.arrayValue!.dropLast())
        XCTAssertEqual(JSONWriter.string(diff(a, shifted).json), #"[{"op":"add","path":"/0","value":-1},{"op":"remove","path":"/100"}]"#)
    }

    func testObjectsInsideArraysAreDiffedRecursively() {
        let a: JSONValue = [["id": 1, "v": "a"], ["id": 2, "v": "b"], ["id": 3, "v": "c"]]
        let b: JSONValue = [["id": 1, "v": "a"], ["id": 2, "v": "B"], ["id": 3, "v": "c"], ["id": 4, "v": "d"]]
        XCTAssertEqual(
            JSONWriter.string(diff(a, b).json),
            #"[{"op":"replace","path":"/1/v","value":"B"},{"op":"add","path":"/3","value":{"id":4,"v":"d"}}]"#)
    }

    func testKeysNeedingEscapesAndTypeChanges() {
        let a: JSONValue = ["a/b": 1, "m~n": [1], "gone": true, "t": [1]]
        let b: JSONValue = ["a/b": 2, "m~n": ["x": 1], "new": nil, "t": "text"]
        let patch = diff(a, b)
        XCTAssertEqual(
            JSONWriter.string(patch.json),
            #"[{"op":"remove","path":"/gone"},{"op":"replace","path":"/a~1b","value":2},{"op":"replace","path":"/m~0n","value":{"x":1}},{"op":"replace","path":"/t","value":"text"},{"op":"add","path":"/new","value":null}]"#)
        assertDiffApplies(a, b)
        assertDiffApplies(1, ["root": "changed type"])
        assertDiffApplies([1, 2], [:])
    }

    func testHugeArrayRewritesStayBoundedAndCorrect() {
        let a: JSONValue = .array((0..<3_000).map { .number(JSONNumber($0)) })
        let b: JSONValue = .array((0..<2_000).map { .number(JSONNumber($0 * 7 + 1)) })
        assertDiffApplies(a, b)
    }

    /// The property the issue asks for: apply(diff(a, b), a) == b for 10,000 seeded random pairs.
    func testDiffThenApplyGivesTheTargetForRandomPairs() throws {
        var generator = JSONGenerator(seed: 2026)
        var totalOps = 0
        for round in 0..<10_000 {
            let a = generator.value()
            // Half the pairs are related (successive snapshots), half unrelated.
            let b = round % 2 == 0 ? generator.mutate(generator.mutate(a)) : generator.value()
            let patch = diff(a, b)
            totalOps += patch.count
            let patched: JSONValue
            do { patched = try a.applying(patch) } catch {
                XCTFail("round \(round): \(error)\n a=\(a)\n b=\(b)\n patch=\(patch.json)")
                continue
            }
            if patched != b {
                XCTFail("round \(round):\n a=\(a)\n b=\(b)\n patch=\(patch.json)\n got=\(patched)")
            }
            if a == b { XCTAssertTrue(patch.isEmpty) }
        }
        XCTAssertGreaterThan(totalOps, 10_000)
    }
}
