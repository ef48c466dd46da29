/// Writes JSON text, compact or pretty (2-space indent).
///
/// Strings escape `"`, `\`, every C0 control, DEL and every C1 control (U+0080–U+009F) as
/// `\uXXXX` (or the short forms `\n`, `\t`, …), so the output is valid JSON *and* safe to print
/// on a terminal. Numbers are written as their exact text.
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

    public mutating func write(_ value: JSONValue) {
        write(value, indent: 0)
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
        JSONNumber(value).write(into: &buffer)
    }

    public mutating func removeAll() {
        buffer.removeAll()
    }

    private mutating func newline(_ indent: Int) {
        let storage = buffer.reserve(1 + 2 * indent)
        storage.unsafeAppend(0x0A)
        for _ in 0..<(2 * indent) { storage.unsafeAppend(0x20) }
    }

    private mutating func write(_ value: JSONValue, indent: Int) {
        switch value {
        case .null: buffer.append("null")
        case .bool(let b): b ? buffer.append("true") : buffer.append("false")
        case .number(let n): n.write(into: &buffer)
        case .string(let s): writeString(s)
        case .array(let elements):
            buffer.append(UInt8(ascii: "["))
            if elements.isEmpty { buffer.append(UInt8(ascii: "]")); return }
            for (i, element) in elements.enumerated() {
                if i > 0 { buffer.append(UInt8(ascii: ",")) }
                if pretty { newline(indent + 1) }
                write(element, indent: indent + 1)
            }
            if pretty { newline(indent) }
            buffer.append(UInt8(ascii: "]"))
        case .object(let object):
            buffer.append(UInt8(ascii: "{"))
            if object.isEmpty { buffer.append(UInt8(ascii: "}")); return }
            for (i, member) in object.members.enumerated() {
                if i > 0 { buffer.append(UInt8(ascii: ",")) }
                if pretty { newline(indent + 1) }
                writeString(member.key, then: pretty ? ": " : ":")
                write(member.value, indent: indent + 1)
            }
            if pretty { newline(indent) }
            buffer.append(UInt8(ascii: "}"))
        }
    }

    /// Writes a quoted, escaped string.
    public mutating func writeString(_ string: String) {
        writeString(string, then: "")
    }

    /// Writes a quoted, escaped string followed by `suffix` (a key's colon), with one
    /// reservation for the worst case: every byte escaped as `\u00XX`.
    private mutating func writeString(_ string: String, then suffix: StaticString) {
        var string = string  // withUTF8 copies only when the string is not already contiguous UTF-8
        string.withUTF8 { utf8 in
            let storage = buffer.reserve(utf8.count * 6 + 2 + suffix.utf8CodeUnitCount)
            storage.unsafeAppend(UInt8(ascii: "\""))
            JSONWriter.writeEscaped(utf8, into: storage)
            storage.unsafeAppend(UInt8(ascii: "\""))
            storage.unsafeAppend(UnsafeBufferPointer(start: suffix.utf8Start, count: suffix.utf8CodeUnitCount))
        }
    }

    /// Bytes that need an escape, or (0xC2) a look at the next byte: C2 80…C2 9F encode the
    /// C1 controls.
    private static let needsCare: [Bool] = (0..<256).map { byte in
        byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F || byte == 0xC2
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

    private static func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>, into storage: ByteBuffer.Storage) {
        let n = utf8.count
        var runStart = 0
        var i = 0
        needsCare.withUnsafeBufferPointer { care in
            while i < n {
                let byte = utf8[i]
                if !care[Int(byte)] || (byte == 0xC2 && (i + 1 >= n || utf8[i + 1] >= 0xA0)) {
                    i += 1
                    continue
                }
                if runStart < i { storage.unsafeAppend(UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
                storage.unsafeAppend(UInt8(ascii: "\\"))
                if byte == 0x22 || byte == 0x5C {
                    storage.unsafeAppend(byte)
                    i += 1
                } else if byte < 0x20 && shortEscapes[Int(byte)] != 0 {
                    storage.unsafeAppend(shortEscapes[Int(byte)])
                    i += 1
                } else if byte == 0xC2 {
                    appendUnicodeEscape(UInt16(utf8[i + 1]), into: storage)  // C2 xx encodes U+00xx
                    i += 2
                } else {
                    appendUnicodeEscape(UInt16(byte), into: storage)
                    i += 1
                }
                runStart = i
            }
        }
        if runStart < n { storage.unsafeAppend(UnsafeBufferPointer(rebasing: utf8[runStart..<n])) }
    }

    private static func appendUnicodeEscape(_ unit: UInt16, into storage: ByteBuffer.Storage) {
        let hexDigits: StaticString = "0123456789abcdef"
        storage.unsafeAppend(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) {
            storage.unsafeAppend(hexDigits.utf8Start[Int(unit >> UInt16(shift) & 0xF)])
        }
    }
}
