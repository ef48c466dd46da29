/// A JSON Patch ready to apply to a `JSONTree`: its operations' values are slots of one tree of
/// their own, and its pointers' tokens decoded bytes in one buffer. Reading or applying one
/// allocates per patch, not per token or value.
public struct TreePatch: Sendable {
    package enum Kind: String, Sendable {
        case add, remove, replace, move, copy, test

        package var name: String { rawValue }
    }

    /// A pointer: `count` tokens from `first`, in `tokenEnds`.
    package struct Pointer: Sendable, Equatable {
        package var first: Int32
        package var count: Int32
    }

    package struct Operation: Sendable {
        package var kind: Kind
        package var path: Pointer
        package var from: Pointer
        /// The value (add, replace, test), in `values`.
        package var value: JSONTree.Slot
    }

    /// The members an operation may have, as the inline key slots that hold their names
    /// (`JSONTree.Slot.inline`, little-endian bytes above the kind and length), written out so
    /// that matching a key compares constants; `TreePatchTests` checks them against `word`.
    enum Member {
        static let op: UInt64 = 0x70_6F2C
        static let path: UInt64 = 0x68_7461_704C
        static let from: UInt64 = 0x6D_6F72_664C
        static let value: UInt64 = 0x6575_6C61_765C

        static func word(_ name: StaticString) -> UInt64 {
            let bytes = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
            return JSONTree.Slot.inline(.string, bytes: JSONTree.load(bytes), count: bytes.count).raw
        }

        static func name(_ word: UInt64) -> String {
            switch word {
            case op: return "op"
            case path: return "path"
            case from: return "from"
            default: return "value"
            }
        }
    }

    /// The arrays a patch is in: its alone, or shared by the patches read together with it
    /// (`TreePatch.Arena`). One object, so that a copy of a patch retains one reference.
    package final class Storage: Sendable {
        /// The operations of every patch in the storage.
        package let operations: [Operation]
        /// Holds the operations' values.
        package let values: JSONTree
        /// Every token's bytes, unescaped, one after another.
        package let tokenBytes: [UInt8]
        /// Where each token ends in `tokenBytes` (it starts where the one before ends).
        package let tokenEnds: [Int32]

        init(operations: [Operation], values: JSONTree, tokenBytes: [UInt8], tokenEnds: [Int32]) {
            self.operations = operations
            self.values = values
            self.tokenBytes = tokenBytes
            self.tokenEnds = tokenEnds
        }
    }

    package let storage: Storage
    /// Where this patch's operations are in `storage.operations`.
    package let range: Range<Int>

    package var allOperations: [Operation] { storage.operations }
    package var values: JSONTree { storage.values }
    package var tokenBytes: [UInt8] { storage.tokenBytes }
    package var tokenEnds: [Int32] { storage.tokenEnds }
    /// This patch's operations.
    package var operations: ArraySlice<Operation> { storage.operations[range] }
    public var count: Int { range.count }
    public var isEmpty: Bool { range.isEmpty }

    package init(operations: [Operation], values: JSONTree, tokenBytes: [UInt8], tokenEnds: [Int32]) {
        storage = Storage(operations: operations, values: values, tokenBytes: tokenBytes, tokenEnds: tokenEnds)
        range = operations.indices
    }

    package init(storage: Storage, range: Range<Int>) {
        self.storage = storage
        self.range = range
    }

    /// The same patch, for a tree.
    public init(_ patch: JSONPatch) {
        var values = JSONTree()
        var tokenBytes: [UInt8] = []
        var tokenEnds: [Int32] = []
        func pointer(_ pointer: JSONPointer) -> Pointer {
            let first = Int32(tokenEnds.count)
            for token in pointer.tokens {
                tokenBytes.append(contentsOf: token.utf8)
                tokenEnds.append(Int32(tokenBytes.count))
            }
            return Pointer(first: first, count: Int32(pointer.tokens.count))
        }
        let none = Pointer(first: 0, count: 0)
        let operations = patch.operations.map { operation in
            switch operation {
            case .add(let path, let value):
                return Operation(kind: .add, path: pointer(path), from: none, value: values.append(value))
            case .remove(let path):
                return Operation(kind: .remove, path: pointer(path), from: none, value: .null)
            case .replace(let path, let value):
                return Operation(kind: .replace, path: pointer(path), from: none, value: values.append(value))
            case .move(let from, let path):
                let from = pointer(from)
                return Operation(kind: .move, path: pointer(path), from: from, value: .null)
            case .copy(let from, let path):
                let from = pointer(from)
                return Operation(kind: .copy, path: pointer(path), from: from, value: .null)
            case .test(let path, let value):
                return Operation(kind: .test, path: pointer(path), from: none, value: values.append(value))
            }
        }
        self.init(operations: operations, values: values, tokenBytes: tokenBytes, tokenEnds: tokenEnds)
    }

    /// Token `index` as a String (for messages).
    package func token(_ index: Int) -> String {
        let start = index == 0 ? 0 : Int(tokenEnds[index - 1])
        return String(decoding: tokenBytes[start..<Int(tokenEnds[index])], as: UTF8.self)
    }

    /// A pointer's text, escaped (for messages).
    package func text(_ pointer: Pointer) -> String {
        var text = ""
        for i in 0..<Int(pointer.count) {
            text.append("/")
            text.append(JSONPointer.escape(token(Int(pointer.first) + i)))
        }
        return text
    }

    /// Whether two pointers have the same first `count` tokens.
    package func samePrefix(_ a: Pointer, _ b: Pointer, count: Int) -> Bool {
        for i in 0..<count {
            let x = Int(a.first) + i
            let y = Int(b.first) + i
            let xs = x == 0 ? 0 : Int(tokenEnds[x - 1])
            let ys = y == 0 ? 0 : Int(tokenEnds[y - 1])
            let same = tokenBytes[xs..<Int(tokenEnds[x])].elementsEqual(tokenBytes[ys..<Int(tokenEnds[y])])
            if !same { return false }
        }
        return true
    }
}

extension TreePatch {
    /// Arrays that patches are read into one after another (`Document.prepare` of the events
    /// of one read): they share them, so reading a piece of a stream allocates per piece, not
    /// per patch, and its patches are freed together.
    package struct Arena: Sendable {
        var operations: [Operation] = []
        var tokenBytes: [UInt8] = []
        var tokenEnds: [Int32] = []
        var words: [UInt64] = []
        var bytes: [UInt8] = []

        package init() {}

        /// The arrays as they are now, for the patches read into them (read nothing more into
        /// them after: they would be copied).
        package func storage() -> Storage {
            Storage(
                operations: operations, values: JSONTree(words: words, bytes: bytes, root: .null),
                tokenBytes: tokenBytes, tokenEnds: tokenEnds)
        }
    }
}
