// Reading a patch document that is already a tree: the operations are found in it, their
// values stay in it (the patch's tree is its `values`), and their pointers are decoded into one
// buffer. The errors are `JSONPatch(json:)`'s, word for word.

extension TreePatch {
    /// Reads the patch document `tree` holds.
    public init(tree: JSONTree) throws(PatchError) {
        let root = tree.root
        guard root.kind == .array else {
            throw PatchError(
                index: nil, op: nil, path: nil,
                reason: "a patch must be a JSON array of operations, not \(root.kind.typeNameWithArticle)")
        }
        var reader = Reader(tree: tree)
        reader.operations.reserveCapacity(root.count)
        for index in 0..<root.count {
            try reader.readOperation(tree.element(root, index), index: index)
        }
        self.init(
            operations: reader.operations, values: tree, tokenBytes: reader.tokenBytes, tokenEnds: reader.tokenEnds)
    }

    private struct Reader {
        let tree: JSONTree
        var operations: [Operation] = []
        var tokenBytes: [UInt8] = []
        var tokenEnds: [Int32] = []

        init(tree: JSONTree) { self.tree = tree }

        typealias Slot = JSONTree.Slot

        func member(_ name: String, of object: Slot) -> Slot? {
            tree.position(of: name, in: object).map { tree.memberValue(object, $0) }
        }

        mutating func readOperation(_ object: Slot, index: Int) throws(PatchError) {
            func fail(_ op: String?, _ path: String?, _ reason: String) -> PatchError {
                PatchError(index: index, op: op, path: path, reason: reason)
            }
            guard object.kind == .object else {
                throw fail(nil, nil, "an operation must be a JSON object, not \(object.kind.typeNameWithArticle)")
            }
            guard let opSlot = member("op", of: object) else { throw fail(nil, nil, "missing member \"op\"") }
            guard opSlot.kind == .string else {
                throw fail(nil, nil, "member \"op\" must be a string, not \(opSlot.kind.typeNameWithArticle)")
            }
            guard let kind = Kind(opSlot) else {
                let op = tree.string(opSlot)
                throw fail(op, nil, "unknown operation \"\(op)\"")
            }
            let op = kind.name
            func pointer(_ name: String) throws(PatchError) -> Pointer {
                guard let slot = member(name, of: object) else { throw fail(op, nil, "missing member \"\(name)\"") }
                guard slot.kind == .string else {
                    throw fail(op, nil, "member \"\(name)\" must be a string, not \(slot.kind.typeNameWithArticle)")
                }
                let first = Int32(tokenEnds.count)
                let bytesBefore = tokenBytes.count
                let outcome = tree.withBytes(slot) { text in
                    Result { () throws(JSONPointerError) in
                        try JSONPointer.decode(text, into: &tokenBytes, ends: &tokenEnds)
                    }
                }
                if case .failure(let error) = outcome {
                    tokenBytes.removeLast(tokenBytes.count - bytesBefore)
                    tokenEnds.removeLast(tokenEnds.count - Int(first))
                    throw fail(op, tree.string(slot), "member \"\(name)\": \(error)")
                }
                return Pointer(first: first, count: Int32(tokenEnds.count) - first)
            }
            func value() throws(PatchError) -> Slot {
                guard let slot = member("value", of: object) else {
                    let path = member("path", of: object).flatMap { $0.kind == .string ? tree.string($0) : nil }
                    throw fail(op, path, "missing member \"value\"")
                }
                return slot
            }
            let none = Pointer(first: 0, count: 0)
            let operation: Operation
            switch kind {
            case .add, .replace, .test:
                let path = try pointer("path")
                operation = Operation(kind: kind, path: path, from: none, value: try value())
            case .remove:
                operation = Operation(kind: kind, path: try pointer("path"), from: none, value: .null)
            case .move, .copy:
                let from = try pointer("from")
                operation = Operation(kind: kind, path: try pointer("path"), from: from, value: .null)
            }
            operations.append(operation)
        }
    }
}

extension TreePatch.Kind {
    /// Each operation's name as the inline string slot that holds it.
    private static let all: [TreePatch.Kind] = [.add, .remove, .replace, .move, .copy, .test]
    private static let names: [(UInt64, TreePatch.Kind)] = all.map { kind in
        var name = kind.name
        let raw = name.withUTF8 { JSONTree.Slot.inline(.string, bytes: JSONTree.load($0), count: $0.count).raw }
        return (raw, kind)
    }

    /// The operation a string slot names (a name of at most 7 bytes is one word to compare).
    init?(_ slot: JSONTree.Slot) {
        guard let found = TreePatch.Kind.names.first(where: { $0.0 == slot.raw }) else { return nil }
        self = found.1
    }
}

extension JSONTree.Kind {
    /// The type's name with its article, for messages: "an array", "a string".
    package var typeNameWithArticle: String {
        switch self {
        case .array, .object: return "an \(typeName)"
        default: return "a \(typeName)"
        }
    }
}
