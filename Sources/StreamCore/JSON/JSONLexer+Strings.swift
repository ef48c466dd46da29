// Strings: plain runs eight bytes at a time, escapes and `\u` surrogate pairs decoded into
// `scratch`, multi-byte UTF-8 validated where it stands so that the error can name its offset.

/// Where the decoded bytes of a string just read are.
enum JSONStringBytes {
    /// In the input, as written (no escapes).
    case input(Range<Int>)
    /// In the lexer's `scratch` (it had escapes).
    case scratch
}

extension JSONLexer {
    /// A string of at most 15 printable ASCII bytes without escapes, read with two loads: its
    /// bytes as two little-endian words, zero past `count`. Nil, with nothing consumed, for any
    /// other string (longer, escaped, non-ASCII, invalid or near the end of the input):
    /// `scanString` reads those, from the same position, as it reads every string.
    @inline(__always)
    mutating func scanShortString() -> (low: UInt64, high: UInt64, count: Int)? {
        let start = position + 1  // after the opening quote
        guard start + 16 <= bytes.count else { return nil }
        let raw = UnsafeRawPointer(bytes.baseAddress!)
        var low = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt64.self))
        var high = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8, as: UInt64.self))
        let count: Int
        let lowSpecial = Self.specialBytes(low)
        if lowSpecial != 0 {
            count = lowSpecial.trailingZeroBitCount >> 3
            low &= (1 << (8 * UInt64(count))) &- 1
            high = 0
        } else {
            let highSpecial = Self.specialBytes(high)
            guard highSpecial != 0 else { return nil }
            count = 8 + highSpecial.trailingZeroBitCount >> 3
            high &= (1 << (8 * UInt64(count - 8))) &- 1
        }
        guard bytes[start + count] == UInt8(ascii: "\"") else { return nil }
        position = start + count + 1
        return (low, high, count)
    }

    /// Reads the string at `position` (its opening quote) up to and past its closing quote,
    /// and says where its decoded bytes are. ASCII runs are scanned eight bytes at a time.
    @inline(__always)
    mutating func scanString() throws(JSONParseError) -> JSONStringBytes {
        position += 1  // opening quote
        let start = position
        while position < bytes.count {
            position = Self.plainRunEnd(bytes, from: position)
            guard position < bytes.count else { break }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return .input(start..<(position - 1))
            }
            if byte == UInt8(ascii: "\\") {
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
                try scanEscapedRest()
                return .scratch
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
        runEnd(bytes, from: from, stops: specialBytes) { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 || $0 >= 0x80 }
    }

    /// The first index from `from` whose byte `stops` (or the end): eight bytes at a time
    /// through `stopsIn`, which gives the high bit of at least the first such byte of a
    /// little-endian word (bits above it may be wrong), then a byte at a time near the end.
    @inline(__always)
    static func runEnd(
        _ bytes: UnsafeBufferPointer<UInt8>, from: Int, stops stopsIn: (UInt64) -> UInt64, _ stops: (UInt8) -> Bool
    ) -> Int {
        let raw = UnsafeRawPointer(bytes.baseAddress!)
        var i = from
        while i &+ 8 <= bytes.count {
            let found = stopsIn(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            if found != 0 { return i &+ found.trailingZeroBitCount >> 3 }
            i &+= 8
        }
        while i < bytes.count && !stops(bytes[i]) { i &+= 1 }
        return i
    }

    /// The rest of a string once an escape was seen, decoded into `scratch`, up to and past
    /// its closing quote.
    mutating func scanEscapedRest() throws(JSONParseError) {
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return
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
        guard let (length, low, high) = UTF8Bytes.sequence(lead) else { throw fail(.invalidUTF8, at: index) }
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
