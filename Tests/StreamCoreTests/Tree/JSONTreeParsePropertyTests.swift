import XCTest
@testable import StreamCore

/// Random documents, and random corruptions of them, parsed by `JSONParser` and into a tree:
/// the same outcome every time.
final class JSONTreeParsePropertyTests: XCTestCase {
    func testRandomDocumentsAndTheirCorruptionsHaveOneOutcome() {
        var generator = JSONGenerator(seed: 2026)
        var random = SeededRandom(seed: 15)
        for round in 0..<4_000 {
            let value = generator.value()
            for pretty in [false, true] {
                let text = Array(JSONWriter.string(value, pretty: pretty).utf8)
                assertTreeAgrees(text, "round \(round)")
                for _ in 0..<3 { assertTreeAgrees(corruptJSON(text, using: &random), "round \(round), corrupted") }
            }
        }
    }

    /// Documents over 4 KB (the parser interns their strings) with objects past the tree's key
    /// table threshold, whole and corrupted, under both duplicate-key policies.
    func testLargeDocumentsAndTheirCorruptionsHaveOneOutcome() {
        var generator = JSONGenerator(seed: 2027)
        var random = SeededRandom(seed: 16)
        for round in 0..<60 {
            var members: [String] = []
            for i in 0..<Int.random(in: 10..<200, using: &random) {
                // Keys repeat at random (duplicates), short and long, escaped or not.
                let n = Int.random(in: 0..<(i + 1), using: &random)
                let spellings = [#"k\#(n)"#, #"a longer key \#(n)"#, #"k\u0030\#(n)"#, #"é\#(n)"#]
                let key = spellings.randomElement(using: &random)!
                members.append(#""\#(key)":"# + JSONWriter.string(generator.value()))
            }
            let text = Array(("{" + members.joined(separator: ",") + "}").utf8)
            for policy in [JSONParser.DuplicateKeyPolicy.lastWins, .reject] {
                let options = JSONParser.Options(duplicateKeys: policy)
                assertTreeAgrees(text, options: options, "round \(round)")
                for _ in 0..<4 {
                    assertTreeAgrees(corruptJSON(text, using: &random), options: options, "round \(round)")
                }
            }
        }
    }
}
