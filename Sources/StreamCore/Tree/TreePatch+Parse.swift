// Reading a patch straight from its text, in one pass: the operations' members are recognised
// as they are read, their pointers decoded from the text and their values parsed into the
// patch's tree; the operations' objects and the array that holds them are never built.
//
// The pass reads only what a patch usually is. At anything else (a JSON error, a patch error,
// a member named twice, a member no operation has) it gives up, and the text is read again the
// general way, `TreePatch(tree: JSONTree(parsing:))`, which reads every text and says what is
// wrong with the same words. So both ways give the same patch, or the same error.

extension TreePatch {
    /// The patch whose text is `bytes`: `JSONTree(parsing:options:)` and then
    /// `TreePatch(tree:)`, with their errors, in one pass when the text is an ordinary patch.
    public init(parsing bytes: UnsafeBufferPointer<UInt8>, options: JSONParser.Options = .init())
        throws(PatchReadError)
    {
        var arena = Arena()
        if let range = arena.read(bytes, options: options) {
            self = TreePatch(storage: arena.storage(), range: range)
            return
        }
        let tree: JSONTree
        do { tree = try JSONTree(parsing: bytes, options: options) } catch { throw .malformed(error) }
        do { self = try TreePatch(tree: tree) } catch { throw .invalid(error) }
    }

    public init(parsing text: String, options: JSONParser.Options = .init()) throws(PatchReadError) {
        var text = text
        self = try text.withUTF8 { buffer in
            Result { () throws(PatchReadError) in try TreePatch(parsing: buffer, options: options) }
        }.get()
    }
}

extension TreePatch.Arena {
    /// Reads the ordinary patch whose text is `bytes` after the patches already read, and
    /// returns where its operations are; nil, with nothing read, where the general way must
    /// read it (`TreePatch(parsing:)` then says what is wrong).
    package mutating func read(_ bytes: UnsafeBufferPointer<UInt8>, options: JSONParser.Options) -> Range<Int>? {
        var cursor = JSONTreeCursor(bytes: bytes, options: options)
        return cursor.parsePatch(into: &self)
    }

    package mutating func read(_ text: String, options: JSONParser.Options) -> Range<Int>? {
        var text = text
        return text.withUTF8 { read($0, options: options) }
    }
}

extension JSONTreeCursor {
    /// What one operation's members said so far.
    private struct Members {
        var kind: TreePatch.Kind?
        var path: TreePatch.Pointer?
        var from: TreePatch.Pointer?
        var value: Slot?
        var count = 0
    }

    /// Reads the patch in the input into `arena`'s arrays, after what they hold, and returns
    /// where its operations are; nil, with the arrays as they were, where the general way must
    /// read it (see above).
    mutating func parsePatch(into arena: inout TreePatch.Arena) -> Range<Int>? {
        let before = (
            operations: arena.operations.count, tokenBytes: arena.tokenBytes.count, tokenEnds: arena.tokenEnds.count,
            words: arena.words.count, bytes: arena.bytes.count)
        swap(&tree.words, &arena.words)
        swap(&tree.bytes, &arena.bytes)
        stringsEnd = tree.bytes.count
        stringsBase = stringsEnd
        var read = false
        do throws(JSONParseError) {
            read = try readPatch(into: &arena.operations, &arena.tokenBytes, &arena.tokenEnds)
        } catch {}
        swap(&tree.words, &arena.words)
        swap(&tree.bytes, &arena.bytes)
        if read { return before.operations..<arena.operations.count }
        arena.operations.removeLast(arena.operations.count - before.operations)
        arena.tokenBytes.removeLast(arena.tokenBytes.count - before.tokenBytes)
        arena.tokenEnds.removeLast(arena.tokenEnds.count - before.tokenEnds)
        arena.words.removeLast(arena.words.count - before.words)
        arena.bytes.removeLast(arena.bytes.count - before.bytes)
        return nil
    }

    /// Reads the patch, appending to the arrays given; false where the general way must read it.
    private mutating func readPatch(
        into operations: inout [TreePatch.Operation], _ tokenBytes: inout [UInt8], _ tokenEnds: inout [Int32]
    ) throws(JSONParseError) -> Bool {
        try checkSize(limit: min(options.maxBytes, JSONTreeCursor.maxBytes))
        guard try valueToken() == .array else { return false }
        if operations.isEmpty {
            // A first patch: room for a typical one (later ones grow the arrays geometrically).
            operations.reserveCapacity(bytes.count / 48 + 1)
            tokenBytes.reserveCapacity(bytes.count / 4 + 16)
            tokenEnds.reserveCapacity(bytes.count / 16 + 4)
        }
        if try openContainer(depth: 1, maxDepth: options.maxDepth, close: UInt8(ascii: "]")) {
            repeat {
                guard let operation = try readOperation(into: &tokenBytes, ends: &tokenEnds) else { return false }
                operations.append(operation)
            } while try arrayContinues()
        }
        try expectEnd()
        try trimStrings()
        return true
    }

    /// One operation's object, at depth 2 as in the general way, its pointers decoded into
    /// `tokenBytes`; nil where the general way must read the patch.
    private mutating func readOperation(into tokenBytes: inout [UInt8], ends tokenEnds: inout [Int32])
        throws(JSONParseError) -> TreePatch.Operation?
    {
        guard try valueToken() == .object,
              try openContainer(depth: 2, maxDepth: options.maxDepth, close: UInt8(ascii: "}"))
        else { return nil }
        var members = Members()
        repeat {
            try expectKey()
            let key = try parseString()
            try expectColon()
            members.count += 1
            switch key.raw {
            case TreePatch.Member.op:
                guard members.kind == nil, try valueToken() == .string,
                      let kind = TreePatch.Kind(try parseString()) else { return nil }
                members.kind = kind
            case TreePatch.Member.path:
                guard members.path == nil,
                      let path = try readPointer(into: &tokenBytes, ends: &tokenEnds) else { return nil }
                members.path = path
            case TreePatch.Member.from:
                guard members.from == nil,
                      let from = try readPointer(into: &tokenBytes, ends: &tokenEnds) else { return nil }
                members.from = from
            case TreePatch.Member.value:
                guard members.value == nil else { return nil }
                let token = try valueToken()
                if token == .object || token == .array, tree.words.isEmpty { tree.words.append(0) }
                switch token {
                case .object: members.value = try parseObject(depth: 3, containerStack())
                case .array: members.value = try parseArray(depth: 3, containerStack())
                default: members.value = try parseScalar(token)
                }
            default:
                return nil
            }
        } while try objectContinues()
        // What the general way's tree holds for the operation: its slot and its members'.
        try charge(8 &+ 16 &* members.count)
        return Self.operation(members)
    }

    /// The operation `members` make, or nil when one it needs is missing.
    private static func operation(_ members: Members) -> TreePatch.Operation? {
        guard let kind = members.kind, let path = members.path else { return nil }
        let none = TreePatch.Pointer(first: 0, count: 0)
        switch kind {
        case .add, .replace, .test:
            guard let value = members.value else { return nil }
            return TreePatch.Operation(kind: kind, path: path, from: none, value: value)
        case .remove:
            return TreePatch.Operation(kind: kind, path: path, from: none, value: .null)
        case .move, .copy:
            guard let from = members.from else { return nil }
            return TreePatch.Operation(kind: kind, path: path, from: from, value: .null)
        }
    }

    /// A pointer member's string, its tokens decoded; nil when it is not a string or not a pointer.
    private mutating func readPointer(into tokenBytes: inout [UInt8], ends tokenEnds: inout [Int32])
        throws(JSONParseError) -> TreePatch.Pointer?
    {
        guard try valueToken() == .string else { return nil }
        let first = Int32(tokenEnds.count)
        let string = try scanString()
        do throws(JSONPointerError) {
            switch string {
            case .input(let range):
                try JSONPointer.decode(UnsafeBufferPointer(rebasing: bytes[range]), into: &tokenBytes, ends: &tokenEnds)
            case .scratch:
                try scratch.withUnsafeBufferPointer { text throws(JSONPointerError) in
                    try JSONPointer.decode(text, into: &tokenBytes, ends: &tokenEnds)
                }
            }
        } catch {
            return nil
        }
        return TreePatch.Pointer(first: first, count: Int32(tokenEnds.count) - first)
    }
}
