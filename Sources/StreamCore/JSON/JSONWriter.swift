/// Writes JSON text, compact or pretty (2-space indent).
///
/// Strings escape `"`, `\`, every C0 control, DEL and every C1 control (U+0080–U+009F) as
/// `\uXXXX` (or the short forms `\n`, `\t`, …), and so are the line separators and bidi
/// controls (U+2028, U+2029, U+202A–U+202E, U+2066–U+2069) that would make a line display
/// differently than it reads: the output is valid JSON *and* safe to print on a terminal.
/// Numbers are written as their exact text.
public struct JSONWriter {
    public var pretty: Bool
    public internal(set) var buffer: ByteBuffer

    public init(pretty: Bool = false, reservingCapacity capacity: Int = 256) {
        self.pretty = pretty
        buffer = ByteBuffer(capacity: capacity)
    }

    /// The text written so far (a copy).
    public var bytes: [UInt8] { buffer.bytes }
    public var isEmpty: Bool { buffer.isEmpty }

    public static func string(_ value: JSONValue, pretty: Bool = false) -> String {
        var writer = JSONWriter(pretty: pretty)
        writer.write(value)
        return writer.buffer.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    public static func data(_ value: JSONValue, pretty: Bool = false) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
        writer.write(value)
        return writer.bytes
    }

    /// Appends the caller's own framing (e.g. a JSONL record's punctuation), as is.
    public mutating func appendRaw(_ text: StaticString) {
        buffer.append(text)
    }

    public mutating func appendRaw(_ byte: UInt8) {
        buffer.append(byte)
    }

    /// Appends bytes the caller has already made safe (e.g. sanitized text).
    public mutating func appendBytes(_ raw: UnsafeBufferPointer<UInt8>) {
        buffer.append(raw)
    }

    public mutating func writeInteger(_ value: Int) {
        JSONNumber(value).write(into: buffer.reserve(0))
    }

    /// Writes `"key":`, after a comma unless `first`, in one reservation: a member's name that
    /// needs no escaping (a record's own keys).
    public mutating func writeKey(_ key: StaticString, first: Bool) {
        let storage = buffer.reserve(key.utf8CodeUnitCount + 4)
        if !first { storage.unsafeAppend(UInt8(ascii: ",")) }
        storage.unsafeAppend(UInt8(ascii: "\""))
        storage.unsafeAppend(UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        storage.unsafeAppend(UInt8(ascii: "\""))
        storage.unsafeAppend(UInt8(ascii: ":"))
    }

    /// Writes a finite number as the shortest text that reads back exactly (`JSONNumber`'s
    /// text); `0` for NaN or ±∞, which JSON cannot hold.
    public mutating func writeDouble(_ value: Double) {
        guard value.isFinite else { return buffer.append(UInt8(ascii: "0")) }
        if abs(value) < 1e15, let integer = Int64(exactly: value) { return writeInteger(Int(integer)) }
        var text = value.description
        text.withUTF8 { buffer.append($0) }
    }

    public mutating func removeAll() {
        buffer.removeAll()
    }

    /// Empties the writer, keeping its memory only up to `limit` bytes (see `ByteBuffer`).
    public mutating func removeAll(keepingCapacityUpTo limit: Int) {
        buffer.removeAll(keepingCapacityUpTo: limit)
    }

    public mutating func write(_ value: JSONValue) {
        // One uniqueness check for the whole value; below, the storage is written directly.
        let storage = buffer.reserve(0)
        if pretty {
            JSONWriter.write(value, indent: 0, pretty: true, into: storage)
        } else {
            JSONWriter.writeCompact(value, into: storage)
        }
    }

    /// Writes a time as a quoted ISO 8601 string (`UTCTime.iso8601`), without building a `String`.
    public mutating func writeTime(_ time: UTCTime) {
        let storage = buffer.reserve(26)
        storage.unsafeAppend(UInt8(ascii: "\""))
        time.withISO8601Bytes { storage.append($0) }
        storage.append(UInt8(ascii: "\""))
    }

    /// Writes `,"key":value` for each member of `object` whose key `keep` accepts: the rest of
    /// a record whose first members the caller wrote itself.
    public mutating func writeMembers(of object: JSONObject, where keep: (String) -> Bool) {
        let storage = buffer.reserve(0)
        object.members.withUnsafeBufferPointer { members in
            for i in members.indices where keep(members[i].key) {
                storage.append(UInt8(ascii: ","))
                JSONWriter.writeString(members[i].key, then: .colon, into: storage)
                JSONWriter.writeCompact(members[i].value, into: storage)
            }
        }
    }

    /// Writes a quoted, escaped string.
    public mutating func writeString(_ string: String) {
        JSONWriter.writeString(string, then: .nothing, into: buffer.reserve(0))
    }

    /// Compact output: the common case, without indentation bookkeeping.
    ///
    /// Nothing the writer calls releases anything, and it says so (`releasenone`): otherwise
    /// each member and element read from its array would be retained and released around
    /// the call that writes it, a quarter of the writer's time.
    @_effects(releasenone)
    private static func writeCompact(_ value: JSONValue, into storage: ByteBuffer.Storage) {
        switch value {
        case .object(let object):
            storage.append(UInt8(ascii: "{"))
            object.members.withUnsafeBufferPointer { members in
                for i in members.indices {
                    if i > 0 { storage.append(UInt8(ascii: ",")) }
                    writeString(members[i].key, then: .colon, into: storage)
                    writeNested(members[i].value, into: storage)
                }
            }
            storage.append(UInt8(ascii: "}"))
        case .array(let elements):
            storage.append(UInt8(ascii: "["))
            elements.withUnsafeBufferPointer { elements in
                for i in elements.indices {
                    if i > 0 { storage.append(UInt8(ascii: ",")) }
                    writeNested(elements[i], into: storage)
                }
            }
            storage.append(UInt8(ascii: "]"))
        default:
            writeScalar(value, into: storage)
        }
    }

    /// A member's or element's value: a scalar written in the container's loop (most values
    /// are: no call, no frame), a container by recursion.
    @inline(__always)
    private static func writeNested(_ value: JSONValue, into storage: ByteBuffer.Storage) {
        switch value {
        case .array, .object: writeCompact(value, into: storage)
        default: writeScalar(value, into: storage)
        }
    }

    @inline(__always)
    private static func writeScalar(_ value: JSONValue, into storage: ByteBuffer.Storage) {
        switch value {
        case .null: storage.append("null")
        case .bool(let b): b ? storage.append("true") : storage.append("false")
        case .number(let n): n.write(into: storage)
        case .string(let s): writeString(s, then: .nothing, into: storage)
        case .array, .object: writeCompact(value, into: storage)
        }
    }

    static func newline(_ indent: Int, into storage: ByteBuffer.Storage) {
        storage.ensure(1 + 2 * indent)
        storage.unsafeAppend(0x0A)
        for _ in 0..<(2 * indent) { storage.unsafeAppend(0x20) }
    }

    @_effects(releasenone)
    private static func write(_ value: JSONValue, indent: Int, pretty: Bool, into storage: ByteBuffer.Storage) {
        switch value {
        case .array(let elements):
            storage.append(UInt8(ascii: "["))
            if elements.isEmpty { storage.append(UInt8(ascii: "]")); return }
            elements.withUnsafeBufferPointer { elements in
                for i in elements.indices {
                    if i > 0 { storage.append(UInt8(ascii: ",")) }
                    newline(indent + 1, into: storage)
                    write(elements[i], indent: indent + 1, pretty: pretty, into: storage)
                }
            }
            newline(indent, into: storage)
            storage.append(UInt8(ascii: "]"))
        case .object(let object):
            storage.append(UInt8(ascii: "{"))
            if object.isEmpty { storage.append(UInt8(ascii: "}")); return }
            object.members.withUnsafeBufferPointer { members in
                for i in members.indices {
                    if i > 0 { storage.append(UInt8(ascii: ",")) }
                    newline(indent + 1, into: storage)
                    writeString(members[i].key, then: .colonSpace, into: storage)
                    write(members[i].value, indent: indent + 1, pretty: pretty, into: storage)
                }
            }
            newline(indent, into: storage)
            storage.append(UInt8(ascii: "}"))
        default:
            writeScalar(value, into: storage)
        }
    }

    /// What follows a string: a value nothing, a key its colon (and a space when pretty).
    enum StringSuffix {
        case nothing, colon, colonSpace

        /// The closing quote and the suffix, little-endian, and how many bytes of it to keep.
        @inline(__always)
        var closing: (word: UInt32, count: Int) {
            switch self {
            case .nothing: return (0x22, 1)
            case .colon: return (0x3A22, 2)
            case .colonSpace: return (0x20_3A22, 3)
            }
        }
    }

    /// Writes a quoted, escaped string followed by `suffix`, with one reservation for the worst
    /// case: every byte escaped as `\u00XX`. The string is read in place (borrowed, not
    /// copied) when its UTF-8 is contiguous, as native strings' is.
    @inline(__always)
    private static func writeString(_ string: String, then suffix: StringSuffix, into storage: ByteBuffer.Storage) {
        let closing = suffix.closing
        let written: Void? = string.utf8.withContiguousStorageIfAvailable { utf8 in
            writeString(utf8: utf8, closing: closing.word, count: closing.count, into: storage)
        }
        if written == nil {
            var string = string  // a bridged string: withUTF8 makes it contiguous
            string.withUTF8 { writeString(utf8: $0, closing: closing.word, count: closing.count, into: storage) }
        }
    }

    /// Writes `"`, the escaped bytes, then the `count` (1…3) low bytes of `closing`. Releases
    /// nothing (so that a caller walking a document need not retain the string around the call).
    @_effects(releasenone)
    static func writeString(
        utf8: UnsafeBufferPointer<UInt8>, closing: UInt32, count closingCount: Int, into storage: ByteBuffer.Storage
    ) {
        writeEscaped(utf8: utf8, opening: true, closing: closing, count: closingCount, into: storage)
    }

    /// The opening quote when `opening`, the escaped bytes, then the `count` (0…3) low bytes of
    /// `closing`, with one reservation.
    @_effects(releasenone)
    @inline(__always)
    static func writeEscaped(
        utf8: UnsafeBufferPointer<UInt8>, opening: Bool, closing: UInt32, count closingCount: Int,
        into storage: ByteBuffer.Storage
    ) {
        let n = utf8.count
        // The worst case (every byte as `\u00XX`), the quotes and suffix, and slack for the
        // word-wide stores: the escape loop's eight bytes, the closing's four. A buffer's count
        // times 6 cannot overflow.
        storage.ensure(n &* 6 &+ 12)
        var out = storage.base + storage.count
        if opening {
            out.pointee = UInt8(ascii: "\"")
            out += 1
        }
        if n > 0 { out = writeEscaped(UnsafeRawPointer(utf8.baseAddress!), count: n, at: out) }
        UnsafeMutableRawPointer(out).storeBytes(of: closing.littleEndian, as: UInt32.self)
        storage.count = out + closingCount - storage.base
    }

    /// Writes `utf8` as a quoted, escaped string and returns where, in `buffer`, the escaped
    /// form of its first `prefix` bytes ends: escaping goes character by character, so that is
    /// the escaped form of the prefix (`prefix` must end a character).
    package mutating func writeString(utf8: UnsafeBufferPointer<UInt8>, markingPrefix prefix: Int) -> Int {
        let storage = buffer.reserve(0)
        let head = UnsafeBufferPointer(rebasing: utf8[..<prefix])
        JSONWriter.writeString(utf8: head, closing: 0, count: 0, into: storage)
        let mark = storage.count
        let rest = UnsafeBufferPointer(rebasing: utf8[prefix...])
        let quote = UInt32(UInt8(ascii: "\""))
        JSONWriter.writeEscaped(utf8: rest, opening: false, closing: quote, count: 1, into: storage)
        return mark
    }

    private static let shortEscapes: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 0x20)
        table[0x08] = UInt8(ascii: "b")
        table[0x09] = UInt8(ascii: "t")
        table[0x0A] = UInt8(ascii: "n")
        table[0x0C] = UInt8(ascii: "f")
        table[0x0D] = UInt8(ascii: "r")
        return table
    }()

    /// Copies `count` (> 0) bytes of UTF-8 at `source` to `start` escaped, in one pass, and
    /// returns the position after them. Bytes are stored as they are checked, a word of eight
    /// at a time (SWAR) while none needs care; the last word of a string is assembled from
    /// narrower loads, or shifted out of the string's last eight bytes, so that a short string
    /// (most keys and values) costs one check, not one per byte. The caller reserved room for
    /// the worst case and eight bytes more, so a word's store may run ahead of the checks.
    @inline(__always)
    private static func writeEscaped(
        _ source: UnsafeRawPointer, count n: Int, at start: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8> {
        var out = start
        var i = 0
        if n < 8 {
            // Most keys and values: one word, checked once, and done unless it needs care.
            let little = loadShort(source, count: n)
            UnsafeMutableRawPointer(out).storeBytes(of: little.littleEndian, as: UInt64.self)
            let clean = needsCare(little).trailingZeroBitCount &>> 3  // at most n: the zeros above are flagged
            if clean == n { return out + n }
            (out, i) = writeEscape(source, count: n, at: clean, to: out + clean)
        }
        while i < n {
            let remaining = n &- i
            let little: UInt64
            let length: Int
            if remaining >= 8 {
                little = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                length = 8
            } else if n >= 8 {
                // The bytes already written are shifted out; zeros come in above.
                let last = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self))
                little = last &>> UInt64(64 &- 8 &* remaining)
                length = remaining
            } else {
                little = loadShort(source + i, count: remaining)
                length = remaining
            }
            UnsafeMutableRawPointer(out).storeBytes(of: little.littleEndian, as: UInt64.self)
            // The lowest flag marks the first byte that needs care exactly (a false flag can
            // only sit above a true one; the zeros above a short word are flagged too): keep the
            // clean bytes before it.
            let clean = min(needsCare(little).trailingZeroBitCount &>> 3, length)
            out += clean
            i &+= clean
            if clean == length { continue }
            (out, i) = writeEscape(source, count: n, at: i, to: out)
        }
        return out
    }

    /// Writes the escape for the byte at `i` (which needs care), or copies the run of
    /// non-ASCII characters that starts there, escaping those that need it; returns the
    /// positions after them. `i` is at a character's first byte: the scan moves by ASCII
    /// bytes and whole characters only, and a String's UTF-8 is valid.
    private static func writeEscape(
        _ source: UnsafeRawPointer, count n: Int, at start: Int, to first: UnsafeMutablePointer<UInt8>
    ) -> (UnsafeMutablePointer<UInt8>, Int) {
        let utf8 = source.assumingMemoryBound(to: UInt8.self)
        let byte = utf8[start]
        if byte > 0x7F {
            var i = start
            var out = first
            while i < n && utf8[i] > 0x7F {
                // Non-ASCII needs no escape, except the C1 controls (C2 80…C2 9F) and the
                // invisible characters that reorder or break lines on a terminal: U+2028,
                // U+2029, the bidi embeddings and overrides U+202A…U+202E and isolates
                // U+2066…U+2069.
                let lead = utf8[i]
                if lead == 0xC2 && i + 1 < n && utf8[i + 1] < 0xA0 {
                    out = appendUnicodeEscape(UInt16(utf8[i + 1]), at: out)  // C2 xx encodes U+00xx
                    i += 2
                } else if lead == 0xE2 && i + 2 < n, let unit = invisibleFormatCharacter(utf8[i + 1], utf8[i + 2]) {
                    out = appendUnicodeEscape(unit, at: out)
                    i += 3
                } else {
                    let length = min(lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4, n - i)
                    for k in 0..<length { out[k] = utf8[i + k] }
                    out += length
                    i += length
                }
            }
            return (out, i)
        }
        let out = first
        let i = start
        if byte == 0x22 || byte == 0x5C {
            out[0] = UInt8(ascii: "\\")
            out[1] = byte
            return (out + 2, i + 1)
        }
        if byte < 0x20 && shortEscapes[Int(byte)] != 0 {
            out[0] = UInt8(ascii: "\\")
            out[1] = shortEscapes[Int(byte)]
            return (out + 2, i + 1)
        }
        return (appendUnicodeEscape(UInt16(byte), at: out), i + 1)
    }

    /// The high bit of each byte of `little` (little-endian order) that is a quote, a
    /// backslash, DEL, below 0x20 or above 0x7F; exact up to the first such byte.
    @inline(__always)
    static func needsCare(_ little: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let q = little ^ (ones &* 0x22)
        let b = little ^ (ones &* 0x5C)
        let d = little ^ (ones &* 0x7F)
        let special = ((q &- ones) & ~q) | ((b &- ones) & ~b) | ((d &- ones) & ~d) | (little &- ones &* 0x20) | little
        return special & 0x8080_8080_8080_8080
    }

    /// `count` (1…7) bytes at `source` as the low bytes of a little-endian word, zeros above.
    @inline(__always)
    private static func loadShort(_ source: UnsafeRawPointer, count: Int) -> UInt64 {
        var value: UInt64 = 0
        var offset = 0
        if count & 4 != 0 {
            value = UInt64(UInt32(littleEndian: source.loadUnaligned(as: UInt32.self)))
            offset = 4
        }
        if count & 2 != 0 {
            let pair = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            value |= UInt64(pair) << UInt64(8 * offset)
            offset += 2
        }
        if count & 1 != 0 { value |= UInt64(source.load(fromByteOffset: offset, as: UInt8.self)) << UInt64(8 * offset) }
        return value
    }

    /// The code unit of U+2028, U+2029, U+202A…U+202E or U+2066…U+2069 from the two bytes
    /// after an E2 lead byte; nil for anything else.
    @inline(__always)
    static func invisibleFormatCharacter(_ second: UInt8, _ third: UInt8) -> UInt16? {
        if second == 0x80 && third >= 0xA8 && third <= 0xAE { return 0x2000 | UInt16(third & 0x3F) }
        if second == 0x81 && third >= 0xA6 && third <= 0xA9 { return 0x2040 | UInt16(third & 0x3F) }
        return nil
    }

    /// Writes `\uXXXX` at `out` and returns the position after it.
    private static func appendUnicodeEscape(_ unit: UInt16, at out: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        let hexDigits: StaticString = "0123456789abcdef"
        out[0] = UInt8(ascii: "\\")
        out[1] = UInt8(ascii: "u")
        out[2] = hexDigits.utf8Start[Int(unit >> 12 & 0xF)]
        out[3] = hexDigits.utf8Start[Int(unit >> 8 & 0xF)]
        out[4] = hexDigits.utf8Start[Int(unit >> 4 & 0xF)]
        out[5] = hexDigits.utf8Start[Int(unit & 0xF)]
        return out + 6
    }
}
