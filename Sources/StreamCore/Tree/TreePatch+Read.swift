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

    /// Reads operations one after another (no closures: each would copy the reader's arrays).
    private struct Reader {
        let tree: JSONTree
        var operations: [Operation] = []
        var tokenBytes: [UInt8] = []
        var tokenEnds: [Int32] = []

        init(tree: JSONTree) {
            self.tree = tree
            tokenBytes.reserveCapacity(64)
            tokenEnds.reserveCapacity(16)
        }

        typealias Slot = JSONTree.Slot

        /// The value of the member whose name is the inline slot `key`, or nil.
        @inline(__always)
        func member(_ key: UInt64, of object: Slot) -> Slot? {
            for i in 0..<object.count where tree.words[object.offset &+ 2 &* i] == key {
                return tree.memberValue(object, i)
            }
            return nil
        }

        mutating func readOperation(_ object: Slot, index: Int) throws(PatchError) {
            guard object.kind == .object else {
                throw PatchError(
                    index: index, op: nil, path: nil,
                    reason: "an operation must be a JSON object, not \(object.kind.typeNameWithArticle)")
            }
            guard let opSlot = member(Member.op, of: object) else {
                throw PatchError(index: index, op: nil, path: nil, reason: "missing member \"op\"")
            }
            guard opSlot.kind == .string else {
                throw PatchError(
                    index: index, op: nil, path: nil,
                    reason: "member \"op\" must be a string, not \(opSlot.kind.typeNameWithArticle)")
            }
            guard let kind = Kind(opSlot) else {
                let op = tree.string(opSlot)
                throw PatchError(index: index, op: op, path: nil, reason: "unknown operation \"\(op)\"")
            }
            let none = Pointer(first: 0, count: 0)
            let operation: Operation
            switch kind {
            case .add, .replace, .test:
                let path = try pointer(Member.path, of: object, kind: kind, index: index)
                guard let value = member(Member.value, of: object) else {
                    let path = text(Member.path, of: object)
                    throw PatchError(index: index, op: kind.name, path: path, reason: "missing member \"value\"")
                }
                operation = Operation(kind: kind, path: path, from: none, value: value)
            case .remove:
                let path = try pointer(Member.path, of: object, kind: kind, index: index)
                operation = Operation(kind: kind, path: path, from: none, value: .null)
            case .move, .copy:
                let from = try pointer(Member.from, of: object, kind: kind, index: index)
                let path = try pointer(Member.path, of: object, kind: kind, index: index)
                operation = Operation(kind: kind, path: path, from: from, value: .null)
            }
            operations.append(operation)
        }

        /// A string member's text, or nil (for messages).
        func text(_ key: UInt64, of object: Slot) -> String? {
            member(key, of: object).flatMap { $0.kind == .string ? tree.string($0) : nil }
        }

        /// The pointer in member `key`, its tokens decoded into `tokenBytes`.
        mutating func pointer(_ key: UInt64, of object: Slot, kind: Kind, index: Int) throws(PatchError) -> Pointer {
            let name = Member.name(key)
            guard let slot = member(key, of: object) else {
                throw PatchError(index: index, op: kind.name, path: nil, reason: "missing member \"\(name)\"")
            }
            guard slot.kind == .string else {
                throw PatchError(
                    index: index, op: kind.name, path: nil,
                    reason: "member \"\(name)\" must be a string, not \(slot.kind.typeNameWithArticle)")
            }
            let first = Int32(tokenEnds.count)
            let bytesBefore = tokenBytes.count
            do {
                if slot.isInline {
                    var word = slot.inlineBytes.littleEndian
                    try withUnsafeBytes(of: &word) { raw throws(JSONPointerError) in
                        let start = raw.bindMemory(to: UInt8.self).baseAddress
                        let text = UnsafeBufferPointer(start: start, count: slot.count)
                        try JSONPointer.decode(text, into: &tokenBytes, ends: &tokenEnds)
                    }
                } else {
                    try tree.bytes.withUnsafeBufferPointer { all throws(JSONPointerError) in
                        let text = UnsafeBufferPointer(rebasing: all[slot.offset..<(slot.offset &+ slot.count)])
                        try JSONPointer.decode(text, into: &tokenBytes, ends: &tokenEnds)
                    }
                }
            } catch {
                tokenBytes.removeLast(tokenBytes.count - bytesBefore)
                tokenEnds.removeLast(tokenEnds.count - Int(first))
                let reason = "member \"\(name)\": \(error)"
                throw PatchError(index: index, op: kind.name, path: tree.string(slot), reason: reason)
            }
            return Pointer(first: first, count: Int32(tokenEnds.count) - first)
        }
    }
}

extension TreePatch.Kind {
    /// The operation a string slot names: a name of at most 7 bytes is its slot, one word to
    /// compare (the words are `word`'s, written out; `TreePatchTests` checks them).
    init?(_ slot: JSONTree.Slot) {
        switch slot.raw {
        case 0x6464_613C: self = .add
        case 0x65_766F_6D65_726C: self = .remove
        case 0x6563_616C_7065_727C: self = .replace
        case 0x65_766F_6D4C: self = .move
        case 0x79_706F_634C: self = .copy
        case 0x74_7365_744C: self = .test
        default: return nil
        }
    }

    /// The inline string slot of the operation's name.
    var word: UInt64 {
        var name = name
        return name.withUTF8 { JSONTree.Slot.inline(.string, bytes: JSONTree.load($0), count: $0.count).raw }
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
