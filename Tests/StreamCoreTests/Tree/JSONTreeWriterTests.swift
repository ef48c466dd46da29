import XCTest
@testable import StreamCore

/// Writing from a tree gives the bytes `JSONWriter` gives for the tree's value: every case of
/// `JSONWriterTests` again (inherited, through `written`), random documents, edited trees and
/// sub-values.
final class JSONTreeWriterTests: JSONWriterTests {
    override func written(_ value: JSONValue, pretty: Bool = false) -> String {
        assertWrittenAlike(value)
        if case .string(let text) = value { assertWrittenAlike(.object([text: value, "k": [value]])) }
        return JSONWriter.string(JSONTree(value), pretty: pretty)
    }

    func testRandomDocumentsAreWrittenAlikeCompactAndPretty() {
        var generator = JSONGenerator(seed: 51)
        for _ in 0..<5_000 { assertWrittenAlike(generator.value()) }
    }

    /// Containers that moved to the end of `words` (grown by inserts) and removed entries.
    func testEditedTreesAreWrittenAlike() {
        var generator = JSONGenerator(seed: 52)
        for _ in 0..<500 {
            var tree = JSONTree(["list": .array((0..<generator.int(0..<6)).map { _ in generator.value(depth: 2) })])
            let list = tree.location(ofElement: 0, in: tree.root)
            var journal = JSONTree.Journal(tree)
            for _ in 0..<generator.int(1..<10) {
                let count = tree[list].count
                if count == 0 || generator.chance(70) {
                    let slot = tree.append(generator.value(depth: 2))
                    let index = generator.int(0..<(count + 1))
                    tree.insert((slot.raw, 0), at: index, inContainerAt: list, journal: &journal)
                } else {
                    tree.remove(at: generator.int(0..<count), inContainerAt: list, journal: &journal)
                }
            }
            for pretty in [false, true] {
                XCTAssertEqual(JSONWriter.data(tree, pretty: pretty), JSONWriter.data(tree.value, pretty: pretty))
            }
        }
    }

    /// A sub-value written inside the caller's own framing (a JSONL record's member).
    func testASlotIsWrittenInsideTheCallersFraming() {
        let tree = JSONTree(["meta": ["n": 1], "quotes": [["symbol": "AAPL", "name": "Apple \"Inc\"\n"]]])
        for pretty in [false, true] {
            var writer = JSONWriter(pretty: pretty)
            writer.writeKey("document", first: true)
            writer.write(tree.memberValue(tree.root, 1), in: tree)
            writer.appendRaw(UInt8(ascii: "}"))
            let quotes = JSONWriter.string(tree.value["quotes"]!, pretty: pretty)
            XCTAssertEqual(String(decoding: writer.bytes, as: UTF8.self), "\"document\":" + quotes + "}")
        }
    }

    private func assertWrittenAlike(_ value: JSONValue, file: StaticString = #filePath, line: UInt = #line) {
        let tree = JSONTree(value)
        for pretty in [false, true] {
            XCTAssertEqual(JSONWriter.data(tree, pretty: pretty), JSONWriter.data(value, pretty: pretty),
                           "\(value), pretty: \(pretty)", file: file, line: line)
        }
    }
}
