import XCTest
@testable import StreamCore

/// A hostile stream's patches, applied to one tree for thousands of events: after every patch
/// the tree must equal the `JSONValue` patched the reference way (same changed flag, same error,
/// same text), whether the patch grew containers past their room, was rolled back at its last
/// operation, or was followed by a garbage collection.
final class TreePatchAttackTests: XCTestCase {
    func testThousandsOfPatchesOnOneTreeAgreeAfterEveryPatch() {
        var generator = JSONGenerator(seed: 901)
        var model = TreeModel(["list": [1, 2, 3], "map": ["a": 1], "s": "seven77", "t": "eight888"])
        var failures = 0
        var collections = 0
        for round in 0..<4_000 {
            let patch = generator.attackPatch(on: model.value)
            let wordsBefore = model.tree.words.count
            if (try? model.value.applying(patch)) == nil { failures += 1 }
            model.apply(patch, "round \(round): \(JSONWriter.string(.array(patch.operations.map(\.json))))")
            if model.tree.words.count < wordsBefore { collections += 1 }
            if model.value.countValues(upTo: 1_500) > 1_500 { model.apply(generator.shrink(model.value), "shrink") }
        }
        XCTAssertGreaterThan(failures, 300, "failing patches are mixed in")
        XCTAssertGreaterThan(collections, 3, "garbage was collected along the way")
    }

    /// Containers grow past their room (and move) many times in one patch, whose last operation
    /// then fails: everything is undone, and the storage appended for it is dropped.
    func testGrowthInAPatchThatFailsAtItsLastOperationIsUndone() throws {
        var generator = JSONGenerator(seed: 902)
        for round in 0..<300 {
            let document = generator.value()
            var model = TreeModel(document)
            var operations: [PatchOperation] = []
            var scratch = document
            for _ in 0..<generator.int(5..<60) {
                let operation = generator.growingOperation(in: scratch)
                guard (try? scratch.apply(JSONPatch([operation]))) != nil else { continue }
                operations.append(operation)
            }
            let words = model.tree.words.count
            let bytes = model.tree.bytes.count
            let failing = generator.failingOperation(in: scratch)
            model.apply(JSONPatch(operations + [failing]), "round \(round)")
            XCTAssertEqual(model.tree.value, document, "round \(round)")
            XCTAssertEqual(model.tree.words.count, words, "round \(round): appended words dropped")
            XCTAssertEqual(model.tree.bytes.count, bytes, "round \(round): appended bytes dropped")
            model.apply(JSONPatch(operations), "round \(round), without the failing operation")
            XCTAssertEqual(model.value, scratch, "round \(round)")
        }
    }

    /// The journal alone: random inserts, removes and writes anywhere in a tree (containers
    /// growing, moving, shrinking, nested ones edited after their parent moved), all undone;
    /// some containers grew before the journal began (edited in their own room, then).
    func testRandomEditsAreUndoneExactly() {
        var generator = JSONGenerator(seed: 905)
        for round in 0..<400 {
            var tree = JSONTree(["list": [1, [2, 3]], "map": ["k": [:]], "x": generator.value()])
            var before = JSONTree.Journal(tree)
            for _ in 0..<generator.int(0..<30) { tree.randomEdit(&generator, journal: &before) }
            let document = tree.value
            var journal = JSONTree.Journal(tree)
            for _ in 0..<generator.int(1..<40) {
                tree.randomEdit(&generator, journal: &journal)
                XCTAssertNil(tree.storageProblem(), "round \(round)")
            }
            journal.rollBack(&tree)
            XCTAssertEqual(tree.value, document, "round \(round)")
            XCTAssertEqual(JSONWriter.string(tree), JSONWriter.string(document), "round \(round)")
            XCTAssertNil(tree.storageProblem(), "round \(round)")
        }
    }

    /// The same object, array and string edited by many operations of one patch, each
    /// reading what the one before wrote (a write lost or reordered shows).
    func testEveryOperationSeesTheOnesBeforeIt() throws {
        var model = TreeModel(["a": [], "o": [:]])
        var operations: [PatchOperation] = []
        for i in 0..<40 {
            operations.append(.add(path: JSONPointer(tokens: ["a", "0"]), value: .number(JSONNumber(i))))
            operations.append(.add(path: JSONPointer(tokens: ["o", "key number \(i)"]), value: .number(JSONNumber(i))))
            operations.append(.test(path: JSONPointer(tokens: ["a", "0"]), value: .number(JSONNumber(i))))
            operations.append(.test(path: JSONPointer(tokens: ["o", "key number \(i)"]), value: .number(JSONNumber(i))))
            if i % 3 == 0 {
                let from = JSONPointer(tokens: ["a", "\(i / 2)"])
                operations.append(.move(from: from, path: JSONPointer(tokens: ["a", "-"])))
                operations.append(.remove(path: JSONPointer(tokens: ["o", "key number \(i / 2)"])))
            }
        }
        model.apply(JSONPatch(operations), "one long patch")
        operations.append(.test(path: JSONPointer(tokens: ["o", "key number 0"]), value: 0))
        model.apply(JSONPatch(operations), "the same, failing at its end")
    }
}

extension JSONGenerator {
    /// A patch a hostile stream might send: mostly valid operations that build on each other,
    /// some growing containers, some failing (then the patch fails there).
    mutating func attackPatch(on document: JSONValue) -> JSONPatch {
        var scratch = document
        var operations: [PatchOperation] = []
        for _ in 0..<int(1..<(chance(20) ? 40 : 8)) {
            let operation = chance(70) ? growingOperation(in: scratch) : self.operation(in: scratch)
            if (try? scratch.apply(JSONPatch([operation]))) == nil {
                if chance(90) { continue }
                operations.append(operation)
                return JSONPatch(operations)
            }
            operations.append(operation)
        }
        if chance(15) { operations.append(failingOperation(in: scratch)) }
        return JSONPatch(operations)
    }

    /// An operation that adds to a container (at its end, its start or a new key), or moves or
    /// copies a value into one.
    mutating func growingOperation(in document: JSONValue) -> PatchOperation {
        let (container, kind) = containerPointer(in: document)
        var tokens = container.tokens
        switch kind {
        case .array(let elements):
            tokens.append(chance(60) ? "-" : String(int(0..<(elements.count + 1))))
        case .object:
            tokens.append(chance(50) ? "k\(int(0..<40))" : key() + String(repeating: "x", count: int(0..<12)))
        default:
            break
        }
        let path = JSONPointer(tokens: tokens)
        switch int(0..<10) {
        case 0, 1: return .move(from: pointer(in: document), path: path)
        case 2: return .copy(from: pointer(in: document), path: path)
        default: return .add(path: path, value: chance(30) ? value(depth: 2) : scalar())
        }
    }

    /// A pointer to a container of `document` (the root when it has none), and the container.
    mutating func containerPointer(in document: JSONValue) -> (JSONPointer, JSONValue) {
        var tokens: [String] = []
        var current = document
        while chance(60) {
            var children: [(String, JSONValue)] = []
            switch current {
            case .array(let elements):
                for (i, element) in elements.enumerated() where element.isContainer {
                    children.append((String(i), element))
                }
            case .object(let object):
                for member in object where member.value.isContainer { children.append((member.key, member.value)) }
            default: break
            }
            guard !children.isEmpty else { break }
            let child = children[int(0..<children.count)]
            tokens.append(child.0)
            current = child.1
        }
        return (JSONPointer(tokens: tokens), current)
    }

    /// An operation that fails on `document`.
    mutating func failingOperation(in document: JSONValue) -> PatchOperation {
        let missing = JSONPointer(tokens: ["no such member \(int(0..<1000))", "x"])
        switch int(0..<5) {
        case 0: return .remove(path: missing)
        case 1: return .test(path: JSONPointer(tokens: []), value: .string("not the document"))
        case 2: return .move(from: missing, path: JSONPointer(tokens: ["y"]))
        case 3: return .replace(path: missing, value: 1)
        default: return .copy(from: missing, path: JSONPointer(tokens: ["y"]))
        }
    }

    /// A patch that makes a document small again (one of the reference's own removals).
    mutating func shrink(_ document: JSONValue) -> JSONPatch {
        if case .object(let object) = document, object.count > 1, chance(70) {
            return JSONPatch([.remove(path: JSONPointer(tokens: [object.keys[int(0..<object.count)]]))])
        }
        if case .array(let elements) = document, elements.count > 1, chance(70) {
            return JSONPatch([.remove(path: JSONPointer(tokens: [String(int(0..<elements.count))]))])
        }
        return JSONPatch([.replace(path: JSONPointer(tokens: []), value: value())])
    }
}

extension JSONTree {
    /// The location of a random container of the tree (the root is one).
    func randomContainer(_ generator: inout JSONGenerator) -> (Location, Slot) {
        var location = JSONTree.rootLocation
        while true {
            let container = self[location]
            var children: [Location] = []
            for i in 0..<container.count where self[self.location(ofElement: i, in: container)].isContainer {
                children.append(self.location(ofElement: i, in: container))
            }
            if children.isEmpty || generator.chance(40) { return (location, container) }
            location = children[generator.int(0..<children.count)]
        }
    }

    /// Inserts, removes or writes an entry of a random container.
    mutating func randomEdit(_ generator: inout JSONGenerator, journal: inout Journal) {
        let (location, container) = randomContainer(&generator)
        let n = container.count
        let value = append(generator.chance(30) ? generator.value(depth: 2) : generator.scalar())
        switch generator.int(0..<3) {
        case 0 where n > 0:
            remove(at: generator.int(0..<n), inContainerAt: location, journal: &journal)
        case 1 where n > 0:
            write(value, at: self.location(ofElement: generator.int(0..<n), in: container), journal: &journal)
        default:
            let key = makeString("k\(generator.int(0..<1_000_000))").raw
            let entry = container.kind == .object ? (key, value.raw) : (value.raw, 0)
            insert(entry, at: generator.int(0..<(n + 1)), inContainerAt: location, journal: &journal)
        }
    }
}
