/// The parser's state while walking one buffer: the grammar of RFC 8259, one method per
/// production, building `JSONValue`s from what `JSONLexer` reads. `JSONParser` is the public
/// face; `JSONPatch` uses it to read patches directly.
struct JSONCursor: JSONLexer {
    let bytes: UnsafeBufferPointer<UInt8>
    let options: JSONParser.Options
    var position = 0
    /// Reused for strings with escapes, so only the final String allocates.
    var scratch: [UInt8] = []
    /// Elements and members of the containers being parsed (see `ScratchStack`), and the
    /// hashes of the members' keys, for finding duplicates.
    /// Created on first use: a small input (a patch, a number) has no containers to assemble.
    private var elementStackStorage: ScratchStack<JSONValue>?
    private var memberStackStorage: ScratchStack<JSONObject.Member>?
    private var keyHashStackStorage: ScratchStack<UInt64>?

    var elementStack: ScratchStack<JSONValue> {
        mutating get {
            if let stack = elementStackStorage { return stack }
            let stack = ScratchStack<JSONValue>()
            elementStackStorage = stack
            return stack
        }
    }

    var memberStack: ScratchStack<JSONObject.Member> {
        mutating get {
            if let stack = memberStackStorage { return stack }
            let stack = ScratchStack<JSONObject.Member>()
            memberStackStorage = stack
            return stack
        }
    }

    var keyHashStack: ScratchStack<UInt64> {
        mutating get {
            if let stack = keyHashStackStorage { return stack }
            let stack = ScratchStack<UInt64>()
            keyHashStackStorage = stack
            return stack
        }
    }
    /// Only documents large enough to repeat themselves use an interner.
    let interner: StringInterner?
    /// The FNV-1a hash of the decoded bytes of the last string parsed.
    var lastStringHash: UInt64 = 0
    /// What the values built so far take in memory, and what they may (see `MemoryBudget`).
    var budget: MemoryBudget
    /// Whether strings of up to 15 bytes can be built from their bytes (see `SmallString`).
    let smallStrings = SmallString.layoutHolds

    init(bytes: UnsafeBufferPointer<UInt8>, options: JSONParser.Options) {
        self.bytes = bytes
        self.options = options
        interner = bytes.count >= 4096 ? StringInterner() : nil
        budget = MemoryBudget(textBytes: bytes.count, options: options)
    }

    /// Charges an allocation about to be made; throws when it would pass the memory limit.
    @inline(__always)
    mutating func charge(_ bytes: Int) throws(JSONParseError) {
        guard budget.charge(bytes) else { throw overBudget() }
    }

    @inline(never)
    func overBudget() -> JSONParseError {
        JSONParseError(offset: position, reason: budget.reason)
    }

    /// The whole input as one JSON text: a value, with nothing but whitespace after it.
    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        try checkSize(limit: options.maxBytes)
        let value = try parseValue(depth: 0)
        try expectEnd()
        return value
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        switch try valueToken() {
        case .string:
            if let short = shortString(isKey: false) { return .string(short) }
            return .string(try parseString(isKey: false))
        case .object: return .object(try parseObject(depth: depth + 1))
        case .array: return .array(try parseArray(depth: depth + 1))
        case .number: return .number(try parseNumber())
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .null: return .null
        }
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> [JSONValue] {
        guard try openContainer(depth: depth, maxDepth: options.maxDepth, close: UInt8(ascii: "]")) else { return [] }
        let elementStack = self.elementStack
        let base = elementStack.count
        repeat {
            guard elementStack.push(try parseValue(depth: depth), charging: &budget) else { throw overBudget() }
        } while try arrayContinues()
        guard let elements = elementStack.popArray(from: base, charging: &budget) else { throw overBudget() }
        return elements
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONObject {
        guard try openContainer(depth: depth, maxDepth: options.maxDepth, close: UInt8(ascii: "}")) else {
            return JSONObject()
        }
        let memberStack = self.memberStack
        let keyHashStack = self.keyHashStack
        let base = memberStack.count
        // Duplicate keys are found by a linear search while the object is small, and through
        // a dictionary of positions once it is not (so hostile 100,000-key objects stay linear).
        // Positions count from `base`: the dictionary becomes the object's index.
        var positions: [JSONKey: Int]? = nil
        /// The capacity of `positions` charged to the budget so far.
        var chargedCapacity = 0
        /// One bit per key hash seen (a 64-bit Bloom filter): most keys skip the search.
        var keysSeen: UInt64 = 0
        repeat {
            try expectKey()
            let keyOffset = position
            let key: String
            if let short = shortString(isKey: true) { key = short } else { key = try parseString(isKey: true) }
            try expectColon()
            let keyHash = lastStringHash
            let value = try parseValue(depth: depth)
            var existing: Int? = nil
            let keyBit: UInt64 = 1 << (keyHash >> 58)
            if let positions {
                existing = positions[JSONKey(key)].map { base + $0 }
            } else if keysSeen & keyBit != 0 {  // otherwise no earlier key has this hash
                var i = base
                while i < memberStack.count {
                    if keyHashStack[i] == keyHash && memberStack[i].key.scalarsEqual(key) { existing = i; break }
                    i += 1
                }
            }
            if let existing {
                if options.duplicateKeys == .reject { throw fail(.duplicateKey(key), at: keyOffset) }
                memberStack[existing].value = consume value
            } else {
                if positions != nil {
                    positions![JSONKey(key)] = memberStack.count - base
                    if positions!.capacity != chargedCapacity {  // it grew
                        let grown = positions!.capacity
                        try charge(MemoryBudget.index(capacity: grown) - MemoryBudget.index(capacity: chargedCapacity))
                        chargedCapacity = grown
                    }
                } else if memberStack.count - base == JSONObject.indexThreshold {
                    // As small as it can be: it stays as the object's index.
                    var built = [JSONKey: Int](minimumCapacity: JSONObject.indexThreshold + 1)
                    for i in base..<memberStack.count { built[JSONKey(memberStack[i].key)] = i - base }
                    built[JSONKey(key)] = memberStack.count - base
                    chargedCapacity = built.capacity
                    positions = built
                    try charge(MemoryBudget.index(capacity: chargedCapacity))
                }
                guard memberStack.push(JSONObject.Member(key: consume key, value: consume value), charging: &budget),
                    keyHashStack.push(keyHash, charging: &budget)
                else { throw overBudget() }
                keysSeen |= keyBit
            }
        } while try objectContinues()
        keyHashStack.truncate(to: base, crediting: &budget)
        guard let members = memberStack.popArray(from: base, charging: &budget) else { throw overBudget() }
        return JSONObject(uniqueMembers: members, index: positions)
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let (start, decimal) = try scanNumber(accumulating: true)
        if let decimal {
            return JSONNumber(storage: .decimal(significand: decimal.significand, scale: decimal.scale))
        }
        try charge(MemoryBudget.string(utf8Count: position - start))
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        return JSONNumber(storage: .text(text))
    }

    /// Parses a string starting at its opening quote (see `scanString`).
    /// Keys are hashed (for the duplicate check) and interned (they repeat in every object of
    /// a list); values are built directly, as most are unique or short.
    mutating func parseString(isKey: Bool) throws(JSONParseError) -> String {
        guard case .input(let range) = try scanString() else { return try escapedString(isKey: isKey) }
        let start = range.lowerBound
        let end = range.upperBound
        if end - start <= SmallString.maxCount && smallStrings {
            // In the String itself: nothing to allocate, intern or charge.
            let (low, high) = StringInterner.contentWords(bytes, start, end)
            if isKey { lastStringHash = StringInterner.hash(low: low, high: high, length: end - start) }
            return SmallString.make(low: low, high: high, count: end - start)
        }
        if isKey && end - start <= StringInterner.maxLength {
            lastStringHash = StringInterner.hash(bytes, start, end)
            if let interner {
                let (key, built) = interner.string(bytes, start, end, hash: lastStringHash)
                if built && end - start > MemoryBudget.largestInlineString {
                    try charge(MemoryBudget.string(utf8Count: end - start))
                }
                return key
            }
        } else {
            lastStringHash = 0  // long keys are compared directly
        }
        if end - start > MemoryBudget.largestInlineString {
            try charge(MemoryBudget.string(utf8Count: end - start))
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// The string `scanString` decoded into `scratch`.
    mutating func escapedString(isKey: Bool) throws(JSONParseError) -> String {
        if isKey {
            lastStringHash = scratch.count <= StringInterner.maxLength
                ? scratch.withUnsafeBufferPointer { StringInterner.hash($0, 0, $0.count) } : 0
        }
        try charge(MemoryBudget.string(utf8Count: scratch.count))
        return String(decoding: scratch, as: UTF8.self)
    }

    /// A string of at most 15 printable ASCII bytes without escapes, built in place: most keys
    /// and many values (see `scanShortString`). Nil, with nothing consumed, for any other.
    @inline(__always)
    mutating func shortString(isKey: Bool) -> String? {
        guard smallStrings, let (low, high, count) = scanShortString() else { return nil }
        if isKey { lastStringHash = StringInterner.hash(low: low, high: high, length: count) }
        return SmallString.make(low: low, high: high, count: count)
    }
}
