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
            let n = 5_000
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
}
