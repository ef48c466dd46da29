import XCTest
@testable import StreamCore

/// Diffing trees gives exactly the patch of diffing their values: every case of
/// `JSONDiffTests` again (inherited, through `diff`, 10,000 random pairs among them), and
/// random related pairs of trees, whose patch turns one into the other.
final class JSONTreeDiffTests: JSONDiffTests {
    override func diff(_ a: JSONValue, _ b: JSONValue) -> JSONPatch {
        let patch = JSONDiff.diff(from: JSONTree(a), to: JSONTree(b))
        assertSame(patch, JSONDiff.diff(from: a, to: b), "\(a) -> \(b)")
        return patch
    }

    /// The same operations, spelled alike (numbers' text included).
    func assertSame(_ patch: JSONPatch, _ expected: JSONPatch, _ message: String,
                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(JSONWriter.string(patch.json), JSONWriter.string(expected.json), message, file: file, line: line)
    }

    func testRandomRelatedPairsGiveTheValuePatchAndApply() throws {
        var generator = JSONGenerator(seed: 61)
        for _ in 0..<5_000 {
            let a = generator.value()
            let b = generator.chance(20) ? a : generator.mutate(generator.chance(50) ? a : generator.mutate(a))
            let x = JSONTree(a)
            let y = JSONTree(b)
            let patch = JSONDiff.diff(from: x, to: y)
            assertSame(patch, JSONDiff.diff(from: a, to: b), "\(a) -> \(b)")
            XCTAssertEqual(try x.value.applying(patch), b)
            XCTAssertEqual(patch.isEmpty, x == y)
        }
    }

    /// Long arrays with edits in the middle (the edit script), and past `maxArrayEdits`.
    func testLongArraysAlignAlike() throws {
        var generator = JSONGenerator(seed: 62)
        for edits in [1, 3, 20, 600] {
            let a: [JSONValue] = (0..<1_000).map { _ in generator.value(depth: 3) }
            var b = a
            for _ in 0..<edits {
                let i = generator.int(0..<b.count)
                switch generator.int(0..<3) {
                case 0: b.insert(generator.value(depth: 3), at: i)
                case 1: b.remove(at: i)
                default: b[i] = generator.mutate(b[i], depth: 3)
                }
            }
            let patch = JSONDiff.diff(from: JSONTree(.array(a)), to: JSONTree(.array(b)))
            assertSame(patch, JSONDiff.diff(from: .array(a), to: .array(b)), "\(edits) edits")
            XCTAssertEqual(try JSONValue.array(a).applying(patch), .array(b))
        }
    }

    /// A sub-value of one tree against a sub-value of another: paths relative to them.
    func testSlotsAreDiffedWithPathsRelativeToThem() {
        let x = JSONTree(["wrapper": ["a": 1, "b": [1, 2]]])
        let y = JSONTree([["a": 2, "b": [1, 2, 3]]])
        let patch = JSONDiff.diff(from: x.memberValue(x.root, 0), in: x, to: y.element(y.root, 0), in: y)
        XCTAssertEqual(JSONWriter.string(patch.json),
                       #"[{"op":"replace","path":"/a","value":2},{"op":"add","path":"/b/2","value":3}]"#)
    }
}
