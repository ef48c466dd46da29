/// Parses JSON text straight into a `JSONTree`: the grammar of `JSONCursor` over the same
/// lexer (`JSONLexer`), so the same text is accepted or refused with the same error, but
/// building slots instead of values.
///
/// Nothing is allocated per value. A container's entries are pushed on one scratch stack while
/// it is parsed (its elements' own containers are finished, and off the stack, by then), then
/// appended to `words` in one go; strings and numbers of up to 7 bytes go in their slot, longer
/// ones in `bytes`. What the tree, the stack and the key tables of large objects take is
/// charged to a `MemoryBudget`, so the limits of `JSONParser.Options` bound it. A tree takes
/// at most 4× its text (8 bytes a value, `[0,0,…]`) and its parse about that, so the default
/// proportional limit (6×) lets every text through: only the ceiling on any one document
/// (64 MiB) refuses hostile ones, and any lower limit set.
struct JSONTreeCursor: JSONLexer {
    typealias Slot = JSONTree.Slot

    let bytes: UnsafeBufferPointer<UInt8>
    let options: JSONParser.Options
    var position = 0
    var scratch: [UInt8] = []
    var tree: JSONTree
    /// Where the bytes of long strings and numbers end in `tree.bytes`, which is kept longer
    /// (zeros) while parsing, so that they are copied in place instead of appended: an append
    /// to an array costs more than a short string's bytes.
    var stringsEnd = 0
    /// Where this text's strings start in `tree.bytes` (after other patches' in an arena).
    var stringsBase = 0
    var budget: MemoryBudget
    /// The entries of the containers being parsed, made when the first container is (a patch of
    /// scalar values needs none). Handed down the parse as an argument, so that it is not
    /// retained for every container.
    private var stackStorage: ScratchStack<UInt64>?

    /// The longest text a tree holds: its slots count bytes and entries in 28 bits.
    static let maxBytes = Slot.maxLength

    init(bytes: UnsafeBufferPointer<UInt8>, options: JSONParser.Options) {
        self.bytes = bytes
        self.options = options
        budget = MemoryBudget(textBytes: bytes.count, options: options)
        // No storage yet: word 0 goes in when the first entries do (a patch of scalar values has none).
        tree = JSONTree(words: [], bytes: [], root: .null)
    }

    /// The stack for containers' entries.
    mutating func containerStack() -> ScratchStack<UInt64> {
        if let stackStorage { return stackStorage }
        let stack = ScratchStack<UInt64>()
        stackStorage = stack
        return stack
    }

    @inline(never)
    func overBudget() -> JSONParseError {
        JSONParseError(offset: position, reason: budget.reason)
    }

    /// The whole input as one JSON text: a value, with nothing but whitespace after it.
    mutating func parseDocument() throws(JSONParseError) -> JSONTree {
        try checkSize(limit: min(options.maxBytes, JSONTreeCursor.maxBytes))
        // Room for a typical document's entries, so that they rarely move.
        tree.words.reserveCapacity(bytes.count / 16 + 2)
        tree.words.append(0)
        let root = try parseValue(depth: 0, containerStack())
        try expectEnd()
        try trimStrings()
        return JSONTree(words: tree.words, bytes: tree.bytes, root: root)
    }

    mutating func parseValue(depth: Int, _ stack: ScratchStack<UInt64>) throws(JSONParseError) -> Slot {
        let token = try valueToken()
        switch token {
        case .object: return try parseObject(depth: depth + 1, stack)
        case .array: return try parseArray(depth: depth + 1, stack)
        default: return try parseScalar(token)
        }
    }

    /// The value `token` starts, which is not a container.
    @inline(__always)
    mutating func parseScalar(_ token: JSONToken) throws(JSONParseError) -> Slot {
        switch token {
        case .string: return try parseString()
        case .number:
            let start = try scanNumber(accumulating: false).start
            return try scalar(.number, from: start, to: position)
        case .true: return .true
        case .false: return .false
        case .null, .object, .array: return .null
        }
    }

    mutating func parseArray(depth: Int, _ stack: ScratchStack<UInt64>) throws(JSONParseError) -> Slot {
        guard try openContainer(depth: depth, maxDepth: options.maxDepth, close: UInt8(ascii: "]")) else {
            return .container(.array, offset: 0, count: 0, grown: false)
        }
        let base = stack.count
        repeat {
            guard stack.push(try parseValue(depth: depth, stack).raw, charging: &budget) else { throw overBudget() }
        } while try arrayContinues()
        return try finish(.array, stack, from: base)
    }

    /// Appends the entries of the container just parsed (the stack's from `base`) to `words`.
    @inline(__always)
    mutating func finish(_ kind: JSONTree.Kind, _ stack: ScratchStack<UInt64>, from base: Int)
        throws(JSONParseError) -> Slot
    {
        let offset = tree.words.count
        let count = kind == .object ? (stack.count - base) >> 1 : stack.count - base
        guard stack.popAppending(from: base, to: &tree.words, charging: &budget) else { throw overBudget() }
        return .container(kind, offset: offset, count: count, grown: false)
    }

    // MARK: Scalars

    /// The string at `position`: in its slot when its decoded bytes fit, else in `bytes`.
    @inline(__always)
    mutating func parseString() throws(JSONParseError) -> Slot {
        if let (low, _, count) = scanShortString() {
            if count <= Slot.maxInline { return .inline(.string, bytes: low, count: count) }
            return try store(.string, (position &- 1 &- count)..<(position &- 1))
        }
        return try parseAnyString()
    }

    /// A string `scanShortString` does not read: long, escaped, not ASCII, or near the end.
    @inline(never)
    mutating func parseAnyString() throws(JSONParseError) -> Slot {
        switch try scanString() {
        case .input(let range):
            return try scalar(.string, from: range.lowerBound, to: range.upperBound)
        case .scratch:
            let decoded = scratch
            return try decoded.withUnsafeBufferPointer { text throws(JSONParseError) in
                if text.count <= Slot.maxInline {
                    return .inline(.string, bytes: JSONTree.load(text), count: text.count)
                }
                return try store(.string, text, readable: text.count)
            }
        }
    }

    /// The string or number whose text is the input from `start` to `end`.
    @inline(__always)
    mutating func scalar(_ kind: JSONTree.Kind, from start: Int, to end: Int) throws(JSONParseError) -> Slot {
        let count = end &- start
        guard count <= Slot.maxInline else { return try store(kind, start..<end) }
        if start &+ 8 <= bytes.count {
            let word = UnsafeRawPointer(bytes.baseAddress!).loadUnaligned(fromByteOffset: start, as: UInt64.self)
            return .inline(kind, bytes: UInt64(littleEndian: word) & ((1 << (8 &* UInt64(count))) &- 1), count: count)
        }
        return .inline(kind, bytes: JSONTree.load(UnsafeBufferPointer(rebasing: bytes[start..<end])), count: count)
    }

    /// Stores the input's `range` in `bytes`: a string or number too long for its slot.
    @inline(__always)
    mutating func store(_ kind: JSONTree.Kind, _ range: Range<Int>) throws(JSONParseError) -> Slot {
        try store(kind, UnsafeBufferPointer(rebasing: bytes[range]), readable: bytes.count &- range.lowerBound)
    }

    /// Stores `text`, of which `readable` bytes can be read (at least its own).
    @inline(__always)
    mutating func store(_ kind: JSONTree.Kind, _ text: UnsafeBufferPointer<UInt8>, readable: Int)
        throws(JSONParseError) -> Slot
    {
        let n = text.count
        if stringsEnd &+ n &+ 16 > tree.bytes.count { try growStrings(for: n) }
        let offset = stringsEnd
        tree.bytes.withUnsafeMutableBufferPointer { all in
            let target = UnsafeMutableRawPointer(all.baseAddress! + offset)
            let source = UnsafeRawPointer(text.baseAddress!)
            if n <= 16 && readable >= 16 {
                // Two moves: a call to memcpy costs more than a short string (the source has 16
                // bytes, `bytes` has room for them).
                target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
                target.storeBytes(of: source.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8,
                                  as: UInt64.self)
            } else {
                target.copyMemory(from: source, byteCount: n)
            }
        }
        stringsEnd = offset &+ n
        return .outOfLine(kind, offset: offset, count: n)
    }

    /// Makes `bytes` longer, with room for `n` bytes and 16 to spare: this text's part twice as
    /// long, or an eighth of the text to start with, and charged.
    @inline(never)
    mutating func growStrings(for n: Int) throws(JSONParseError) {
        let length = max(stringsEnd + n + 16, 2 * tree.bytes.count - stringsBase, stringsBase + bytes.count / 8)
        try charge(length - tree.bytes.count)
        tree.bytes.append(contentsOf: repeatElement(0, count: length - tree.bytes.count))
    }

    /// Ends `bytes` where the strings do, and copies them to storage of their size when more
    /// than a quarter of it would be spare.
    mutating func trimStrings() throws(JSONParseError) {
        let length = tree.bytes.count
        tree.bytes.removeLast(length - stringsEnd)
        guard length - stringsEnd > stringsEnd / 4 + 1024 else { return }
        try charge(stringsEnd)
        tree.bytes = tree.bytes.withUnsafeBufferPointer { Array($0) }
        budget.credit(length)
    }

    @inline(__always)
    mutating func charge(_ bytes: Int) throws(JSONParseError) {
        guard budget.charge(bytes) else { throw overBudget() }
    }
}
