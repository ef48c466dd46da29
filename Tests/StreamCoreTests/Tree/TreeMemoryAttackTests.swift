import XCTest
@testable import StreamCore

/// A hostile stream's patches must not make the tree take more memory than the reference
/// `JSONValue.apply` would: nothing in proportion to (operations × container size) within
/// one patch, where no garbage is collected.
final class TreeMemoryAttackTests: XCTestCase {
    /// Inserting at the front of a large array shifts every element. The journal must not
    /// record each shifted word: one patch of a few thousand such operations (a 100 KB event)
    /// against an array of a million elements would record billions of words.
    func testShiftingInsertsAndRemovesKeepTheJournalSmall() {
        for kind in ["array", "object"] {
            let n = 2_000
            let big: JSONValue = kind == "array"
                ? .array(Array(repeating: 0, count: n))
                : .object(JSONObject((0..<n).map { ("k\($0)", 0) }))
            var tree = JSONTree(["big": big])
            let location = tree.location(ofElement: 0, in: tree.root)
            var journal = JSONTree.Journal(tree)
            // The first insert moves the entries to room of their own (a copy of n words, once).
            tree.insert((tree.makeString("first key").raw, 1), at: 0, inContainerAt: location, journal: &journal)
            for i in 0..<200 {
                if i % 2 == 0 {
                    tree.remove(at: 0, inContainerAt: location, journal: &journal)
                } else {
                    tree.insert((tree.makeString("key \(i)").raw, 1), at: 0, inContainerAt: location, journal: &journal)
                }
            }
            XCTAssertLessThan(journal.entries.count, 10_000, "\(kind): \(journal.entries.count) journal words")
            journal.rollBack(&tree)
            XCTAssertEqual(tree.value, ["big": big], kind)
        }
    }

    /// A container that grew is one entry past a power of two: removing one entry and adding one
    /// must not move its entries again each time (a copy of the container per operation, all
    /// garbage that only a successful patch's collection would free).
    func testRemovingAndAddingAtAPowerOfTwoDoesNotMoveTheEntriesEachTime() throws {
        for (container, add, remove) in [
            ("[" + Array(repeating: "0", count: 1_024).joined(separator: ",") + "]",
             #"{"op":"add","path":"/a/0","value":1}"#, #"{"op":"remove","path":"/a/0"}"#),
            ("{" + (0..<1_024).map { #""k\#($0)":0"# }.joined(separator: ",") + "}",
             #"{"op":"add","path":"/a/new","value":1}"#, #"{"op":"remove","path":"/a/new"}"#),
        ] {
            let document = try JSONParser.parse(#"{"a":\#(container)}"#)
            let cycles = Array(repeating: remove + "," + add, count: 300).joined(separator: ",")
            let failing = #"{"op":"test","path":"/a","value":"not this"}"#
            for end in [failing, remove] {
                var model = TreeModel(document)
                let start = model.tree.memoryBytes
                model.apply(try JSONPatch(text: "[" + add + "," + cycles + "," + end + "]"), "\(end)")
                XCTAssertLessThan(model.tree.memoryBytes, 4 * start + 65_536,
                                  "\(end): \(start) bytes became \(model.tree.memoryBytes)")
            }
        }
    }

    /// A feed that appends one element per event to a large list: the list must keep room to
    /// grow across garbage collections, or every event copies it twice (once to grow it, once
    /// to collect what it left behind), as many words as the document per event.
    func testAppendingOneElementPerPatchDoesNotCopyTheListEachTime() throws {
        for path in ["/a/-", "/o/k"] {
            let document: JSONValue = path == "/a/-"
                ? ["a": .array(Array(repeating: 0, count: 6_000))]
                : ["o": .object(JSONObject((0..<3_000).map { ("m\($0)", 0) }))]
            var model = TreeModel(document)
            var moves = 0
            for i in 0..<300 {
                let before = model.tree.words.count
                let key = path == "/a/-" ? path : path + String(i)
                try model.tree.apply(TreePatch(JSONPatch(text: #"[{"op":"add","path":"\#(key)","value":\#(i)}]"#)))
                if model.tree.words.count != before { moves += 1 }
            }
            XCTAssertLessThan(moves, 10, "\(path): the list or the document was copied \(moves) times")
            XCTAssertNil(model.tree.storageProblem())
        }
    }
}
