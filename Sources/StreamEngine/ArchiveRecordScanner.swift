#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamCore

/// The top-level fields of one archive record that a report reads, found in its JSON line
/// without building any value: `t`, `kind` and `type` as byte ranges of the line, `data` as
/// its size once unescaped, `body` present or not, `bodyBytes` as a number. Everything else is
/// validated and passed over.
package struct ArchiveRecordFields: Equatable {
    /// The bytes between the quotes (never with escapes).
    package var time: Range<Int>?
    package var kind: Range<Int>?
    package var type: Range<Int>?
    package var data: DataString?
    package var hasBody = false
    package var bodyBytes: Int?

    /// An event's `data`: where its text is in the line (with its quotes), and its UTF-8 size
    /// unescaped (the size of the string `JSONParser` would build).
    package struct DataString: Equatable {
        package var token: Range<Int>
        package var utf8Count: Int
    }
}

/// Reads `ArchiveRecordFields` from a line, or declines: `scan` accepts only lines that
/// `JSONParser` parses too (RFC 8259 strictly: UTF-8, escapes, surrogates, numbers, nesting
/// to `maxDepth`) and reads the same values from them; for anything else (not JSON, not an
/// object, one of its fields of another type or spelled with escapes, a line long enough for
/// the parser's memory limits to matter) it returns nil, and the caller parses the line
/// instead, which says why it is not JSON or yields the record.
package struct ArchiveRecordScanner {
    /// The longest line scanned: a parse of a shorter one can never reach the parser's memory
    /// floor (8 MiB, more than 64 bytes for every byte of text) or size limit.
    package static let maxLineBytes = 128 << 10
    static let maxDepth = 512

    private let bytes: UnsafePointer<UInt8>
    private let end: Int
    private var position = 0

    private init(_ line: UnsafeBufferPointer<UInt8>) {
        bytes = line.baseAddress!
        end = line.count
    }

    package static func scan(_ line: UnsafeBufferPointer<UInt8>) -> ArchiveRecordFields? {
        guard line.count > 0, line.count <= maxLineBytes else { return nil }
        var scanner = ArchiveRecordScanner(line)
        return scanner.record()
    }

    private mutating func record() -> ArchiveRecordFields? {
        skipWhitespace()
        guard position < end, bytes[position] == 0x7B else { return nil }  // {
        position += 1
        var fields = ArchiveRecordFields()
        skipWhitespace()
        guard position < end else { return nil }
        if bytes[position] == 0x7D {  // }
            position += 1
        } else {
            guard members(into: &fields) else { return nil }
        }
        skipWhitespace()
        return position == end ? fields : nil
    }

    private enum Key {
        case time, kind, type, data, body, bodyBytes, other
    }

    /// The members of the top-level object, up to and with its `}`.
    private mutating func members(into fields: inout ArchiveRecordFields) -> Bool {
        while true {
            skipWhitespace()
            guard position < end, bytes[position] == 0x22 else { return false }
            let keyStart = position + 1
            guard let key = string(), !key.escaped else { return false }
            let name = ArchiveRecordScanner.key(bytes + keyStart, count: position - 1 - keyStart)
            skipWhitespace()
            guard position < end, bytes[position] == 0x3A else { return false }  // :
            position += 1
            skipWhitespace()
            guard position < end else { return false }
            let valueStart = position
            switch name {
            case .time, .kind, .type:
                guard bytes[position] == 0x22, let text = string(), !text.escaped else { return false }
                let range = valueStart + 1..<position - 1
                switch name {
                case .time: fields.time = range
                case .kind: fields.kind = range
                default: fields.type = range
                }
            case .data:
                guard bytes[position] == 0x22, let text = string() else { return false }
                fields.data = .init(token: valueStart..<position, utf8Count: text.utf8Count)
            case .bodyBytes:
                guard let value = plainInteger() else { return false }
                fields.bodyBytes = value
            case .body, .other:
                guard value(depth: 1) else { return false }  // inside the record's object
                if name == .body { fields.hasBody = true }
            }
            skipWhitespace()
            guard position < end else { return false }
            let byte = bytes[position]
            position += 1
            if byte == 0x7D { return true }  // }
            guard byte == 0x2C else { return false }  // ,
        }
    }

    private static func key(_ start: UnsafePointer<UInt8>, count: Int) -> Key {
        func equals(_ text: StaticString) -> Bool {
            text.utf8CodeUnitCount == count && memcmp(start, text.utf8Start, count) == 0
        }
        switch count {
        case 1: return start[0] == 0x74 ? .time : .other  // t
        case 4:
            if equals("kind") { return .kind }
            if equals("type") { return .type }
            if equals("data") { return .data }
            if equals("body") { return .body }
            return .other
        case 9: return equals("bodyBytes") ? .bodyBytes : .other
        default: return .other
        }
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while position < end {
            let byte = bytes[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position += 1
        }
    }

    /// Any JSON value at `position` (after whitespace), nested in `depth` containers.
    private mutating func value(depth: Int) -> Bool {
        guard position < end else { return false }
        switch bytes[position] {
        case 0x22: return string() != nil
        case 0x7B: return object(depth: depth + 1)
        case 0x5B: return array(depth: depth + 1)
        case 0x2D, 0x30...0x39: return number()
        case 0x74: return literal("true")
        case 0x66: return literal("false")
        case 0x6E: return literal("null")
        default: return false
        }
    }

    private mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard end - position >= count, memcmp(bytes + position, text.utf8Start, count) == 0 else { return false }
        position += count
        return true
    }

    private mutating func object(depth: Int) -> Bool {
        guard depth <= ArchiveRecordScanner.maxDepth else { return false }
        position += 1
        skipWhitespace()
        guard position < end else { return false }
        if bytes[position] == 0x7D {
            position += 1
            return true
        }
        while true {
            skipWhitespace()
            guard position < end, bytes[position] == 0x22, string() != nil else { return false }
            skipWhitespace()
            guard position < end, bytes[position] == 0x3A else { return false }
            position += 1
            skipWhitespace()
            guard value(depth: depth) else { return false }
            skipWhitespace()
            guard position < end else { return false }
            let byte = bytes[position]
            position += 1
            if byte == 0x7D { return true }
            guard byte == 0x2C else { return false }
        }
    }

    private mutating func array(depth: Int) -> Bool {
        guard depth <= ArchiveRecordScanner.maxDepth else { return false }
        position += 1
        skipWhitespace()
        guard position < end else { return false }
        if bytes[position] == 0x5D {
            position += 1
            return true
        }
        while true {
            skipWhitespace()
            guard value(depth: depth) else { return false }
            skipWhitespace()
            guard position < end else { return false }
            let byte = bytes[position]
            position += 1
            if byte == 0x5D { return true }
            guard byte == 0x2C else { return false }
        }
    }

    /// A number in RFC 8259's grammar.
    private mutating func number() -> Bool {
        var i = position
        if bytes[i] == 0x2D { i += 1 }
        guard i < end, bytes[i] &- 0x30 < 10 else { return false }
        if bytes[i] == 0x30 {
            i += 1
            if i < end, bytes[i] &- 0x30 < 10 { return false }  // a leading zero
        } else {
            while i < end, bytes[i] &- 0x30 < 10 { i += 1 }
        }
        if i < end, bytes[i] == 0x2E {  // .
            i += 1
            guard i < end, bytes[i] &- 0x30 < 10 else { return false }
            while i < end, bytes[i] &- 0x30 < 10 { i += 1 }
        }
        if i < end, bytes[i] | 0x20 == 0x65 {  // e, E
            i += 1
            if i < end, bytes[i] == 0x2B || bytes[i] == 0x2D { i += 1 }
            guard i < end, bytes[i] &- 0x30 < 10 else { return false }
            while i < end, bytes[i] &- 0x30 < 10 { i += 1 }
        }
        position = i
        return true
    }

    /// A number of digits alone (no sign, fraction or exponent; at most 18 digits, no leading
    /// zero), as `JSONNumber.intValue` reads it; nil for any other value.
    private mutating func plainInteger() -> Int? {
        var i = position
        var value = 0
        while i < end, bytes[i] &- 0x30 < 10, i - position < 18 {
            value = value * 10 + Int(bytes[i] &- 0x30)
            i += 1
        }
        guard i > position, !(bytes[position] == 0x30 && i - position > 1) else { return nil }
        if i < end {
            let next = bytes[i]
            guard next &- 0x30 >= 10, next != 0x2E, next | 0x20 != 0x65 else { return nil }
        }
        position = i
        return value
    }

    /// A string at its opening quote: its size unescaped, and whether it has escapes.
    private mutating func string() -> (utf8Count: Int, escaped: Bool)? {
        position += 1
        var count = 0
        var escaped = false
        while true {
            let run = ArchiveRecordScanner.plainRunEnd(bytes, from: position, end: end)
            count += run - position
            position = run
            guard position < end else { return nil }
            let byte = bytes[position]
            if byte == 0x22 {
                position += 1
                return (count, escaped)
            }
            if byte == 0x5C {
                escaped = true
                guard let size = escape() else { return nil }
                count += size
            } else if byte < 0x20 {
                return nil
            } else {  // not ASCII
                guard let next = utf8Sequence(at: position) else { return nil }
                count += next - position
                position = next
            }
        }
    }

    /// One escape at its backslash: the UTF-8 size of what it stands for.
    private mutating func escape() -> Int? {
        guard position + 1 < end else { return nil }
        let byte = bytes[position + 1]
        position += 2
        switch byte {
        case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: return 1  // " \ / b f n r t
        case 0x75:  // u
            guard let unit = hex4() else { return nil }
            if unit >= 0xD800 && unit < 0xDC00 {
                guard position + 1 < end, bytes[position] == 0x5C, bytes[position + 1] == 0x75 else { return nil }
                position += 2
                guard let low = hex4(), low >= 0xDC00 && low < 0xE000 else { return nil }
                return 4
            }
            if unit >= 0xDC00 && unit < 0xE000 { return nil }
            return unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3
        default:
            return nil
        }
    }

    private mutating func hex4() -> UInt16? {
        guard end - position >= 4 else { return nil }
        var value: UInt16 = 0
        for i in 0..<4 {
            let byte = bytes[position + i]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x61...0x66: digit = byte - 0x57
            case 0x41...0x46: digit = byte - 0x37
            default: return nil
            }
            value = value << 4 | UInt16(digit)
        }
        position += 4
        return value
    }

    /// The end of the valid multi-byte UTF-8 sequence at `index` (Unicode Table 3-7), or nil.
    private func utf8Sequence(at index: Int) -> Int? {
        let lead = bytes[index]
        guard let (length, low, high) = UTF8Bytes.sequence(lead) else { return nil }
        guard index + length <= end else { return nil }
        let second = bytes[index + 1]
        guard second >= low && second <= high else { return nil }
        for k in 2..<max(length, 2) where bytes[index + k] & 0xC0 != 0x80 { return nil }
        return index + length
    }

    /// The end of the run of printable ASCII other than `"` and `\` from `from`: eight bytes
    /// at a time (as `JSONCursor` scans strings).
    @inline(__always)
    private static func plainRunEnd(_ bytes: UnsafePointer<UInt8>, from: Int, end: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quotes = ones &* 0x22
        let backslashes = ones &* 0x5C
        let raw = UnsafeRawPointer(bytes)
        var i = from
        while i + 8 <= end {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let q = word ^ quotes
            let b = word ^ backslashes
            let special = ((q &- ones) & ~q) | ((b &- ones) & ~b) | (word &- ones &* 0x20) | word
            let found = special & highs
            if found != 0 { return i + found.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < end {
            let byte = bytes[i]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 || byte >= 0x80 { return i }
            i += 1
        }
        return i
    }
}
