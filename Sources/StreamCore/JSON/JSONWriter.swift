/// Writes JSON text, compact or pretty (2-space indent).
///
/// Strings escape `"`, `\`, every C0 control, DEL and every C1 control (U+0080–U+009F) as
/// `\uXXXX` (or the short forms `\n`, `\t`, …), and so are the line separators and bidi
/// controls (U+2028, U+2029, U+202A–U+202E, U+2066–U+2069) that would make a line display
/// differently than it reads: the output is valid JSON *and* safe to print on a terminal.
/// Numbers are written as their exact text.
public struct JSONWriter {
    public var pretty: Bool
    public private(set) var buffer: ByteBuffer

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
                JSONWriter.writeString(members[i].key, then: ":", into: storage)
                JSONWriter.writeCompact(members[i].value, into: storage)
            }
        }
    }

    /// Writes a quoted, escaped string.
    public mutating func writeString(_ string: String) {
        JSONWriter.writeString(string, then: "", into: buffer.reserve(0))
    }

    /// Compact output: the common case, without indentation bookkeeping.
    private static func writeCompact(_ value: JSONValue, into storage: ByteBuffer.Storage) {
        switch value {
        case .object(let object):
            storage.append(UInt8(ascii: "{"))
            object.members.withUnsafeBufferPointer { members in
                for i in members.indices {
                    if i > 0 { storage.append(UInt8(ascii: ",")) }
                    writeString(members[i].key, then: ":", into: storage)
                    writeCompact(members[i].value, into: storage)
                }
            }
            storage.append(UInt8(ascii: "}"))
        case .array(let elements):
            storage.append(UInt8(ascii: "["))
            elements.withUnsafeBufferPointer { elements in
                for i in elements.indices {
                    if i > 0 { storage.append(UInt8(ascii: ",")) }
                    writeCompact(elements[i], into: storage)
                }
            }
            storage.append(UInt8(ascii: "]"))
        default:
            writeScalar(value, into: storage)
        }
    }

    private static func writeScalar(_ value: JSONValue, into storage: ByteBuffer.Storage) {
        switch value {
        case .null: storage.append("null")
        case .bool(let b): b ? storage.append("true") : storage.append("false")
        case .number(let n): n.write(into: storage)
        case .string(let s): writeString(s, then: "", into: storage)
        case .array, .object: writeCompact(value, into: storage)
        }
    }

    private static func newline(_ indent: Int, into storage: ByteBuffer.Storage) {
        storage.ensure(1 + 2 * indent)
        storage.unsafeAppend(0x0A)
        for _ in 0..<(2 * indent) { storage.unsafeAppend(0x20) }
    }

    private static func write(_ value: JSONValue, indent: Int, pretty: Bool, into storage: ByteBuffer.Storage) {
        switch value {
        case .array(let elements):
            storage.append(UInt8(ascii: "["))
            if elements.isEmpty { storage.append(UInt8(ascii: "]")); return }
            for (i, element) in elements.enumerated() {
                if i > 0 { storage.append(UInt8(ascii: ",")) }
                newline(indent + 1, into: storage)
                write(element, indent: indent + 1, pretty: pretty, into: storage)
            }
            newline(indent, into: storage)
            storage.append(UInt8(ascii: "]"))
        case .object(let object):
            storage.append(UInt8(ascii: "{"))
            if object.isEmpty { storage.append(UInt8(ascii: "}")); return }
            for (i, member) in object.members.enumerated() {
                if i > 0 { storage.append(UInt8(ascii: ",")) }
                newline(indent + 1, into: storage)
                writeString(member.key, then: ": ", into: storage)
                write(member.value, indent: indent + 1, pretty: pretty, into: storage)
            }
            newline(indent, into: storage)
            storage.append(UInt8(ascii: "}"))
        default:
            writeScalar(value, into: storage)
        }
    }

    /// Writes a quoted, escaped string followed by `suffix` (a key's colon), with one
    /// reservation for the worst case: every byte escaped as `\u00XX`.
    private static func writeString(_ string: String, then suffix: StaticString, into storage: ByteBuffer.Storage) {
        var string = string  // withUTF8 copies only when the string is not already contiguous UTF-8
        string.withUTF8 { utf8 in
            storage.ensure(utf8.count * 6 + 2 + suffix.utf8CodeUnitCount)
            storage.unsafeAppend(UInt8(ascii: "\""))
            writeEscaped(utf8, into: storage)
            storage.unsafeAppend(UInt8(ascii: "\""))
            storage.unsafeAppend(UnsafeBufferPointer(start: suffix.utf8Start, count: suffix.utf8CodeUnitCount))
        }
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

    /// Copies `utf8` into `storage` escaped, in one pass: bytes are stored as they are checked,
    /// eight at a time while none needs care (SWAR), then one at a time. The caller reserved
    /// room for the worst case, so the copy may run ahead of the checks.
    private static func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>, into storage: ByteBuffer.Storage) {
        let n = utf8.count
        guard n > 0 else { return }
        let source = UnsafeRawPointer(utf8.baseAddress!)
        var out = storage.base + storage.count
        var i = 0
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while i < n {
            while i + 8 <= n {
                let word = source.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let little = UInt64(littleEndian: word)
                let q = little ^ (ones &* 0x22)
                let b = little ^ (ones &* 0x5C)
                let d = little ^ (ones &* 0x7F)
                // A quote, backslash or DEL, a byte below 0x20, or any byte with the high bit set.
                let special = ((q &- ones) & ~q) | ((b &- ones) & ~b) | ((d &- ones) & ~d) | (little &- ones &* 0x20) | little
                UnsafeMutableRawPointer(out).storeBytes(of: word, as: UInt64.self)
                let flags = special & highs
                if flags != 0 {
                    // The lowest flag marks the first byte that needs care exactly (a false
                    // flag can only sit above a true one): keep the clean bytes before it.
                    let clean = flags.trailingZeroBitCount >> 3
                    out += clean
                    i += clean
                    break
                }
                out += 8
                i += 8
            }
            while i < n {
                let byte = utf8[i]
                if byte < 0x20 || byte == 0x22 || byte == 0x5C || byte >= 0x7F { break }
                out.pointee = byte
                out += 1
                i += 1
            }
            guard i < n else { break }
            let byte = utf8[i]
            if byte > 0x7F {
                // Non-ASCII needs no escape, except the C1 controls (C2 80…C2 9F) and the
                // invisible characters that reorder or break lines on a terminal: U+2028,
                // U+2029, the bidi embeddings and overrides U+202A…U+202E and isolates
                // U+2066…U+2069.
                if byte == 0xC2 && i + 1 < n && utf8[i + 1] < 0xA0 {
                    out = appendUnicodeEscape(UInt16(utf8[i + 1]), at: out)  // C2 xx encodes U+00xx
                    i += 2
                } else if byte == 0xE2 && i + 2 < n, let unit = invisibleFormatCharacter(utf8[i + 1], utf8[i + 2]) {
                    out = appendUnicodeEscape(unit, at: out)
                    i += 3
                } else {
                    out.pointee = byte
                    out += 1
                    i += 1
                }
                continue
            }
            out.pointee = UInt8(ascii: "\\")
            out += 1
            if byte == 0x22 || byte == 0x5C {
                out.pointee = byte
                out += 1
            } else if byte < 0x20 && shortEscapes[Int(byte)] != 0 {
                out.pointee = shortEscapes[Int(byte)]
                out += 1
            } else {
                out -= 1
                out = appendUnicodeEscape(UInt16(byte), at: out)
            }
            i += 1
        }
        storage.count = out - storage.base
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
