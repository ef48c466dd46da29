/// The parser's state while walking one buffer: the grammar of RFC 8259, one method per
/// production. `JSONParser` is the public face; `JSONPatch` uses it to read patches directly.
struct JSONCursor {
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

    @inline(__always)
    func fail(_ reason: JSONParseError.Reason, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(offset: offset ?? position, reason: reason)
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

    @inline(__always)
    mutating func skipWhitespace() {
        // Compact JSON has no whitespace at all: check the common case first.
        var i = position
        guard i < bytes.count, bytes[i] <= 0x20 else { return }
        while i < bytes.count {
            let byte = bytes[i]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { break }
            i += 1
        }
        position = i
    }

    /// The whole input as one JSON text: a value, with nothing but whitespace after it.
    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        guard bytes.count <= options.maxBytes else {
            throw JSONParseError(offset: options.maxBytes, reason: .tooLarge(limit: options.maxBytes))
        }
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if position < bytes.count { throw fail(.trailingData) }
        return value
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard position < bytes.count else { throw fail(.unexpectedEnd) }
        switch bytes[position] {
        case UInt8(ascii: "\""):
            if let short = shortString(isKey: false) { return .string(short) }
            return .string(try parseString(isKey: false))
        case UInt8(ascii: "{"):
            return .object(try parseObject(depth: depth + 1))
        case UInt8(ascii: "["):
            return .array(try parseArray(depth: depth + 1))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case let byte:
            throw fail(.unexpectedByte(byte, expected: "a JSON value"))
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let start = literal.utf8Start
        for i in 0..<count {
            guard position + i < bytes.count else { throw fail(.unexpectedEnd, at: position + i) }
            guard bytes[position + i] == start[i] else { throw fail(.invalidLiteral, at: position + i) }
        }
        position += count
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> [JSONValue] {
        guard depth <= options.maxDepth else { throw fail(.tooDeep(limit: options.maxDepth)) }
        position += 1  // [
        skipWhitespace()
        guard position < bytes.count else { throw fail(.unexpectedEnd) }
        if bytes[position] == UInt8(ascii: "]") {
            position += 1
            return []
        }
        let elementStack = self.elementStack
        let base = elementStack.count
        while true {
            guard elementStack.push(try parseValue(depth: depth), charging: &budget) else { throw overBudget() }
            skipWhitespace()
            guard position < bytes.count else { throw fail(.unexpectedEnd) }
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: ",") {
                skipWhitespace()
                if position < bytes.count && bytes[position] == UInt8(ascii: "]") { throw fail(.trailingComma) }
            } else if byte == UInt8(ascii: "]") {
                guard let elements = elementStack.popArray(from: base, charging: &budget) else { throw overBudget() }
                return elements
            } else {
                throw fail(.unexpectedByte(byte, expected: "',' or ']' in array"), at: position - 1)
            }
        }
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONObject {
        guard depth <= options.maxDepth else { throw fail(.tooDeep(limit: options.maxDepth)) }
        position += 1  // {
        skipWhitespace()
        guard position < bytes.count else { throw fail(.unexpectedEnd) }
        if bytes[position] == UInt8(ascii: "}") {
            position += 1
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
        while true {
            skipWhitespace()
            guard position < bytes.count else { throw fail(.unexpectedEnd) }
            guard bytes[position] == UInt8(ascii: "\"") else {
                if bytes[position] == UInt8(ascii: "}") { throw fail(.trailingComma) }
                throw fail(.unexpectedByte(bytes[position], expected: "a string key in object"))
            }
            let keyOffset = position
            let key: String
            if let short = shortString(isKey: true) { key = short } else { key = try parseString(isKey: true) }
            skipWhitespace()
            guard position < bytes.count else { throw fail(.unexpectedEnd) }
            guard bytes[position] == UInt8(ascii: ":") else {
                throw fail(.unexpectedByte(bytes[position], expected: "':' after object key"))
            }
            position += 1
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
            skipWhitespace()
            guard position < bytes.count else { throw fail(.unexpectedEnd) }
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "}") {
                keyHashStack.truncate(to: base, crediting: &budget)
                guard let members = memberStack.popArray(from: base, charging: &budget) else { throw overBudget() }
                return JSONObject(uniqueMembers: members, index: positions)
            }
            guard byte == UInt8(ascii: ",") else {
                throw fail(.unexpectedByte(byte, expected: "',' or '}' in object"), at: position - 1)
            }
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let start = position
        let bytes = self.bytes
        let end = bytes.count
        var i = position
        // Plain decimals of up to 18 digits are accumulated as they are scanned, so most
        // numbers never become a String (see JSONNumber.Storage).
        var significand: Int64 = 0
        var digits = 0
        var scale = 0
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative {
            i += 1
            guard i < end, bytes[i] &- 48 < 10 else {
                position = i
                if i >= end { throw fail(.unexpectedEnd) }
                throw fail(.invalidNumber("'-' must be followed by a digit"))
            }
        }
        if bytes[i] == UInt8(ascii: "0") {
            digits = 1
            i += 1
            if i < end, bytes[i] &- 48 < 10 { throw fail(.leadingZero, at: i - 1) }
        } else {
            while i < end {
                let digit = bytes[i] &- 48
                guard digit < 10 else { break }
                digits += 1
                if digits <= 18 { significand = significand &* 10 &+ Int64(digit) }
                i += 1
            }
        }
        if i < end && bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < end, bytes[i] &- 48 < 10 else {
                position = i
                throw fail(.invalidNumber("'.' must be followed by a digit"))
            }
            while i < end {
                let digit = bytes[i] &- 48
                guard digit < 10 else { break }
                digits += 1
                if digits <= 18 { significand = significand &* 10 &+ Int64(digit) }
                scale += 1
                i += 1
            }
        }
        var plain = digits <= 18 && !(negative && significand == 0)
        if i < end && (bytes[i] | 0x20) == UInt8(ascii: "e") {
            plain = false
            i += 1
            if i < end && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < end, bytes[i] &- 48 < 10 else {
                position = i
                throw fail(.invalidNumber("exponent must have digits"))
            }
            while i < end && bytes[i] &- 48 < 10 { i += 1 }
        }
        position = i
        if plain {
            return JSONNumber(storage: .decimal(significand: negative ? -significand : significand, scale: UInt8(scale)))
        }
        try charge(MemoryBudget.string(utf8Count: i - start))
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        return JSONNumber(storage: .text(text))
    }

    /// Parses a string starting at its opening quote. ASCII runs are scanned in a tight loop;
    /// multi-byte sequences are validated here so the error can name the offset.
    /// Keys are hashed (for the duplicate check) and interned (they repeat in every object of
    /// a list); values are built directly, as most are unique or short.
    mutating func parseString(isKey: Bool) throws(JSONParseError) -> String {
        position += 1  // opening quote
        let start = position
        while position < bytes.count {
            position = JSONCursor.plainRunEnd(bytes, from: position)
            guard position < bytes.count else { break }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let end = position
                position += 1
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
            if byte == UInt8(ascii: "\\") {
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
                return try parseEscapedRest(isKey: isKey)
            }
            if byte < 0x20 { throw fail(.unescapedControlCharacter(byte)) }
            if byte < 0x80 {
                position += 1
            } else {
                position = try validateUTF8Sequence(at: position)
            }
        }
        throw fail(.unexpectedEnd)
    }

    /// A string of at most 15 printable ASCII bytes without escapes, read with two loads and
    /// built in place: most keys and many values. Nil, with nothing consumed, for any other
    /// string (longer, escaped, non-ASCII, invalid or near the end of the input): `parseString`
    /// reads those, from the same position, as it reads every string.
    @inline(__always)
    mutating func shortString(isKey: Bool) -> String? {
        let start = position + 1  // after the opening quote
        guard smallStrings, start + 16 <= bytes.count else { return nil }
        let raw = UnsafeRawPointer(bytes.baseAddress!)
        var low = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt64.self))
        var high = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8, as: UInt64.self))
        let count: Int
        let lowSpecial = JSONCursor.specialBytes(low)
        if lowSpecial != 0 {
            count = lowSpecial.trailingZeroBitCount >> 3
            low &= (1 << (8 * UInt64(count))) &- 1
            high = 0
        } else {
            let highSpecial = JSONCursor.specialBytes(high)
            guard highSpecial != 0 else { return nil }
            count = 8 + highSpecial.trailingZeroBitCount >> 3
            high &= (1 << (8 * UInt64(count - 8))) &- 1
        }
        guard bytes[start + count] == UInt8(ascii: "\"") else { return nil }
        position = start + count + 1
        if isKey { lastStringHash = StringInterner.hash(low: low, high: high, length: count) }
        return SmallString.make(low: low, high: high, count: count)
    }

    /// The high bit of the first byte of `word` (in memory order) that a string scan must stop
    /// at: `"`, `\`, a control character or a byte above 0x7F; zero when there is none. Bits
    /// above the first one may be set falsely (borrows): use only the lowest.
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let q = word ^ (ones &* 0x22)
        let b = word ^ (ones &* 0x5C)
        // A zero byte in q or b, a byte below 0x20, or a byte with the high bit set.
        return (((q &- ones) & ~q) | ((b &- ones) & ~b) | (word &- ones &* 0x20) | word) & (ones &* 0x80)
    }

    /// The end of the run of printable ASCII other than `"` and `\` starting at `from`: the
    /// bytes a string scan can skip. Eight bytes at a time (SWAR).
    @inline(__always)
    static func plainRunEnd(_ bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        let raw = UnsafeRawPointer(bytes.baseAddress!)
        var i = from
        while i + 8 <= bytes.count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let found = specialBytes(word)
            if found != 0 { return i + found.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 || byte >= 0x80 { return i }
            i += 1
        }
        return i
    }

    /// The rest of a string once an escape was seen, built in `scratch`.
    mutating func parseEscapedRest(isKey: Bool) throws(JSONParseError) -> String {
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                if isKey {
                    lastStringHash = scratch.count <= StringInterner.maxLength
                        ? scratch.withUnsafeBufferPointer { StringInterner.hash($0, 0, $0.count) } : 0
                }
                try charge(MemoryBudget.string(utf8Count: scratch.count))
                return String(decoding: scratch, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape()
            case 0..<0x20:
                throw fail(.unescapedControlCharacter(byte))
            case 0x20..<0x80:
                scratch.append(byte)
                position += 1
            default:
                let end = try validateUTF8Sequence(at: position)
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<end]))
                position = end
            }
        }
        throw fail(.unexpectedEnd)
    }

    mutating func parseEscape() throws(JSONParseError) {
        let escapeStart = position
        position += 1
        guard position < bytes.count else { throw fail(.unexpectedEnd) }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): scratch.append(0x22)
        case UInt8(ascii: "\\"): scratch.append(0x5C)
        case UInt8(ascii: "/"): scratch.append(0x2F)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try parseHex4()
            var scalar: UInt32
            if unit >= 0xD800 && unit < 0xDC00 {
                // A high surrogate must be followed by an escaped low surrogate.
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u")
                else { throw fail(.loneSurrogate(unit), at: escapeStart) }
                position += 2
                let low = try parseHex4()
                guard low >= 0xDC00 && low < 0xE000 else { throw fail(.loneSurrogate(unit), at: escapeStart) }
                scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            } else if unit >= 0xDC00 && unit < 0xE000 {
                throw fail(.loneSurrogate(unit), at: escapeStart)
            } else {
                scalar = UInt32(unit)
            }
            appendUTF8(scalar)
        default:
            throw fail(.invalidEscape, at: escapeStart)
        }
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt16 {
        guard position + 4 <= bytes.count else { throw fail(.unexpectedEnd, at: bytes.count) }
        var value: UInt16 = 0
        for i in 0..<4 {
            let byte = bytes[position + i]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - 55
            default: throw fail(.invalidUnicodeEscape, at: position + i)
            }
            value = value << 4 | UInt16(digit)
        }
        position += 4
        return value
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Validates one multi-byte UTF-8 sequence starting at `index` (Unicode Table 3-7) and
    /// returns the index after it.
    func validateUTF8Sequence(at index: Int) throws(JSONParseError) -> Int {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw fail(.invalidUTF8, at: index)
        }
        guard index + length <= bytes.count else {
            // Truncated at the end of input: report the first missing or bad byte.
            for k in 1..<length where index + k >= bytes.count || bytes[index + k] & 0xC0 != 0x80 {
                throw fail(index + k >= bytes.count ? .unexpectedEnd : .invalidUTF8, at: index + k)
            }
            throw fail(.unexpectedEnd, at: bytes.count)
        }
        let second = bytes[index + 1]
        guard second >= low && second <= high else { throw fail(.invalidUTF8, at: index + 1) }
        for k in 2..<max(length, 2) where bytes[index + k] & 0xC0 != 0x80 {
            throw fail(.invalidUTF8, at: index + k)
        }
        return index + length
    }
}
