/// Writes JSON text, compact or pretty (2-space indent).
///
/// Strings escape `"`, `\`, every C0 control, DEL and every C1 control (U+0080–U+009F) as
/// `\uXXXX` (or the short forms `\n`, `\t`, …), so the output is valid JSON *and* safe to print
/// on a terminal. Numbers are written as their exact text.
public struct JSONWriter {
    public var pretty: Bool
    public private(set) var bytes: [UInt8] = []

    public init(pretty: Bool = false, reservingCapacity capacity: Int = 0) {
        self.pretty = pretty
        bytes.reserveCapacity(capacity)
    }

    public static func string(_ value: JSONValue, pretty: Bool = false) -> String {
        String(decoding: data(value, pretty: pretty), as: UTF8.self)
    }

    public static func data(_ value: JSONValue, pretty: Bool = false) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
        writer.write(value)
        return writer.bytes
    }

    public mutating func write(_ value: JSONValue) {
        write(value, indent: 0)
    }

    /// Appends raw bytes (the caller's own framing, e.g. a JSONL record's punctuation).
    public mutating func appendRaw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends bytes the caller has already made safe (e.g. sanitized text).
    public mutating func appendBytes(_ raw: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: raw)
    }

    public mutating func appendRaw(_ byte: UInt8) {
        bytes.append(byte)
    }

    public mutating func writeInteger(_ value: Int) {
        if value >= 0 && value < 10 {
            bytes.append(UInt8(48 + value))
        } else {
            bytes.append(contentsOf: String(value).utf8)
        }
    }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
    }

    private mutating func newline(_ indent: Int) {
        bytes.append(0x0A)
        for _ in 0..<indent { bytes.append(0x20); bytes.append(0x20) }
    }

    private mutating func write(_ value: JSONValue, indent: Int) {
        switch value {
        case .null: appendRaw("null")
        case .bool(let b): b ? appendRaw("true") : appendRaw("false")
        case .number(let n): n.write(into: &bytes)
        case .string(let s): writeString(s)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            if elements.isEmpty { bytes.append(UInt8(ascii: "]")); return }
            for (i, element) in elements.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                if pretty { newline(indent + 1) }
                write(element, indent: indent + 1)
            }
            if pretty { newline(indent) }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            if object.isEmpty { bytes.append(UInt8(ascii: "}")); return }
            for (i, member) in object.members.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                if pretty { newline(indent + 1) }
                writeString(member.key)
                bytes.append(UInt8(ascii: ":"))
                if pretty { bytes.append(0x20) }
                write(member.value, indent: indent + 1)
            }
            if pretty { newline(indent) }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Writes a quoted, escaped string.
    public mutating func writeString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        var string = string  // withUTF8 copies only when the string is not already contiguous UTF-8
        string.withUTF8 { writeEscaped($0) }
        bytes.append(UInt8(ascii: "\""))
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

    private mutating func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        var i = 0
        let n = utf8.count
        while i < n {
            let byte = utf8[i]
            // Bytes that need no escape: printable ASCII other than " and \, and UTF-8
            // sequences other than the C1 range (encoded as C2 80 … C2 9F).
            if byte >= 0x20 && byte != 0x22 && byte != 0x5C && byte != 0x7F && (byte != 0xC2 || i + 1 >= n || utf8[i + 1] >= 0xA0) {
                i += 1
                continue
            }
            if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
            bytes.append(UInt8(ascii: "\\"))
            if byte == 0x22 || byte == 0x5C {
                bytes.append(byte)
                i += 1
            } else if byte < 0x20 && JSONWriter.shortEscapes[Int(byte)] != 0 {
                bytes.append(JSONWriter.shortEscapes[Int(byte)])
                i += 1
            } else if byte == 0xC2 {
                appendUnicodeEscape(UInt16(utf8[i + 1]))  // C2 xx encodes U+00xx
                i += 2
            } else {
                appendUnicodeEscape(UInt16(byte))
                i += 1
            }
            runStart = i
        }
        if runStart < n { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<n])) }
    }

    private mutating func appendUnicodeEscape(_ unit: UInt16) {
        let hexDigits: StaticString = "0123456789abcdef"
        bytes.append(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) {
            bytes.append(hexDigits.utf8Start[Int(unit >> UInt16(shift) & 0xF)])
        }
    }
}
