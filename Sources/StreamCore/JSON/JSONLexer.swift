/// The lexical layer of RFC 8259 over one buffer, shared by the parser that builds `JSONValue`s
/// (`JSONCursor`) and the one that builds a `JSONTree` (`JSONTreeCursor`): whitespace,
/// punctuation, literals, numbers and strings, each rejected with the offset and reason of its
/// first error. What a parser builds from them is its own; that both accept and reject alike
/// holds because this code exists once.
protocol JSONLexer {
    var bytes: UnsafeBufferPointer<UInt8> { get }
    var position: Int { get set }
    /// The decoded bytes of the last string read with escapes in it.
    var scratch: [UInt8] { get set }
}

/// What a value starts with: the literals are already read.
enum JSONToken {
    case string, object, array, number, null, `true`, `false`
}

extension JSONLexer {
    @inline(__always)
    func fail(_ reason: JSONParseError.Reason, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(offset: offset ?? position, reason: reason)
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

    // MARK: The document

    /// Refuses a text over `limit` bytes before reading any of it.
    @inline(__always)
    func checkSize(limit: Int) throws(JSONParseError) {
        guard bytes.count <= limit else { throw JSONParseError(offset: limit, reason: .tooLarge(limit: limit)) }
    }

    /// After the document's value: nothing but whitespace.
    @inline(__always)
    mutating func expectEnd() throws(JSONParseError) {
        skipWhitespace()
        if position < bytes.count { throw fail(.trailingData) }
    }

    /// The start of a value after any whitespace, at `position`; `true`, `false` and `null` are
    /// read whole.
    @inline(__always)
    mutating func valueToken() throws(JSONParseError) -> JSONToken {
        skipWhitespace()
        guard position < bytes.count else { throw fail(.unexpectedEnd) }
        switch bytes[position] {
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .true
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .false
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

    // MARK: Containers

    /// Reads the `[` or `{` at `position` of a container at `depth`: false when `close` follows
    /// (the container is empty, and read), true when its first element or member does.
    @inline(__always)
    mutating func openContainer(depth: Int, maxDepth: Int, close: UInt8) throws(JSONParseError) -> Bool {
        guard depth <= maxDepth else { throw fail(.tooDeep(limit: maxDepth)) }
        position += 1
        skipWhitespace()
        guard position < bytes.count else { throw fail(.unexpectedEnd) }
        if bytes[position] == close {
            position += 1
            return false
        }
        return true
    }

    /// After an array's element: true past a `,` (another element follows), false past the `]`.
    @inline(__always)
    mutating func arrayContinues() throws(JSONParseError) -> Bool {
        try containerContinues(close: UInt8(ascii: "]"), trailingComma: true)
    }

    /// After an object member's value: true past a `,` (another member follows), false past the
    /// `}`. (`expectKey` finds a trailing comma.)
    @inline(__always)
    mutating func objectContinues() throws(JSONParseError) -> Bool {
        try containerContinues(close: UInt8(ascii: "}"), trailingComma: false)
    }

    @inline(__always)
    mutating func containerContinues(close: UInt8, trailingComma: Bool) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard position < bytes.count else { throw fail(.unexpectedEnd) }
        let byte = bytes[position]
        position += 1
        if byte == UInt8(ascii: ",") {
            guard trailingComma else { return true }
            skipWhitespace()
            if position < bytes.count && bytes[position] == close { throw fail(.trailingComma) }
            return true
        }
        if byte == close { return false }
        let expected = close == UInt8(ascii: "]") ? "',' or ']' in array" : "',' or '}' in object"
        throw fail(.unexpectedByte(byte, expected: expected), at: position - 1)
    }

    /// Before an object member: its key's opening quote, left at `position`.
    @inline(__always)
    mutating func expectKey() throws(JSONParseError) {
        skipWhitespace()
        guard position < bytes.count else { throw fail(.unexpectedEnd) }
        guard bytes[position] == UInt8(ascii: "\"") else {
            if bytes[position] == UInt8(ascii: "}") { throw fail(.trailingComma) }
            throw fail(.unexpectedByte(bytes[position], expected: "a string key in object"))
        }
    }

    /// After a member's key: the `:`.
    @inline(__always)
    mutating func expectColon() throws(JSONParseError) {
        try expect(UInt8(ascii: ":"), "':' after object key")
        position += 1
    }

    /// `byte` after any whitespace, at `position`.
    @inline(__always)
    mutating func expect(_ byte: UInt8, _ what: StaticString) throws(JSONParseError) {
        skipWhitespace()
        guard position < bytes.count else { throw fail(.unexpectedEnd) }
        guard bytes[position] == byte else { throw unexpected(what) }
    }

    @inline(never)
    func unexpected(_ what: StaticString) -> JSONParseError {
        fail(.unexpectedByte(bytes[position], expected: "\(what)"))
    }

    // MARK: Numbers

    /// Reads the number at `position` (a `-` or a digit) and returns where its text starts (it
    /// ends at `position`). With `accumulating`, also its value when it is a plain decimal of up
    /// to 18 digits, not `-0`, worked out as it is scanned (see `JSONNumber.Storage`); without,
    /// digits are skipped eight at a time.
    @inline(__always)
    mutating func scanNumber(accumulating: Bool) throws(JSONParseError)
        -> (start: Int, decimal: (significand: Int64, scale: UInt8)?)
    {
        let start = position
        let bytes = self.bytes
        let end = bytes.count
        var i = position
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
            i = Self.digits(bytes, from: i, accumulating: accumulating, into: &significand, counting: &digits)
        }
        if i < end && bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < end, bytes[i] &- 48 < 10 else {
                position = i
                throw fail(.invalidNumber("'.' must be followed by a digit"))
            }
            let fraction = i
            i = Self.digits(bytes, from: i, accumulating: accumulating, into: &significand, counting: &digits)
            scale = i - fraction
        }
        var plain = accumulating && digits <= 18 && !(negative && significand == 0)
        if i < end && (bytes[i] | 0x20) == UInt8(ascii: "e") {
            plain = false
            i += 1
            if i < end && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < end, bytes[i] &- 48 < 10 else {
                position = i
                throw fail(.invalidNumber("exponent must have digits"))
            }
            i = Self.digitsEnd(bytes, from: i)
        }
        position = i
        guard plain else { return (start, nil) }
        return (start, (negative ? -significand : significand, UInt8(scale)))
    }

    /// The end of the run of digits starting at `from`. With `accumulating`, each is counted in
    /// `digits` and the first 18 worked into `significand`; without, they are skipped eight at
    /// a time.
    @inline(__always)
    static func digits(
        _ bytes: UnsafeBufferPointer<UInt8>, from: Int, accumulating: Bool,
        into significand: inout Int64, counting digits: inout Int
    ) -> Int {
        guard accumulating else { return digitsEnd(bytes, from: from) }
        var i = from
        while i < bytes.count {
            let digit = bytes[i] &- 48
            guard digit < 10 else { break }
            digits += 1
            if digits <= 18 { significand = significand &* 10 &+ Int64(digit) }
            i += 1
        }
        return i
    }

    /// The end of the run of ASCII digits starting at `from`, eight bytes at a time.
    @inline(__always)
    static func digitsEnd(_ bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        runEnd(bytes, from: from, stops: nonDigits) { $0 &- 48 >= 10 }
    }

    /// The high bit of every byte of `word` that is not an ASCII digit.
    @inline(__always)
    static func nonDigits(_ word: UInt64) -> UInt64 {
        let high: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        let threes: UInt64 = 0x3030_3030_3030_3030
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        // A digit's high nibble is 3, and still 3 once 6 is added (0x30…0x39). A carry out of a
        // byte of 0xFA or more only reaches the bytes after that non-digit.
        let other = ((word & high) ^ threes) | (((word &+ 0x0606_0606_0606_0606) & high) ^ threes)
        // The high bit of every byte of `other` that is not zero.
        return (other | ((other & low7) &+ low7)) & ~low7
    }
}
