/// Why a JSON text was rejected, and the byte offset where the parser noticed.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case unexpectedEnd
        case unexpectedByte(UInt8, expected: String)
        case trailingComma
        case leadingZero
        case invalidNumber(String)
        case invalidLiteral
        case unescapedControlCharacter(UInt8)
        case invalidEscape
        case invalidUnicodeEscape
        case loneSurrogate(UInt16)
        case invalidUTF8
        case trailingData
        case tooDeep(limit: Int)
        case tooLarge(limit: Int)
        /// The values would take more than `limit` bytes in memory: `perTextByte` times the
        /// `textBytes` of their text (within `JSONParser.Options`'s floor and ceiling).
        case tooMuchMemory(limit: Int, textBytes: Int, perTextByte: Int)
        case duplicateKey(String)
    }

    /// Offset of the offending byte from the start of the input (0-based).
    public var offset: Int
    public var reason: Reason

    public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        (isLimit ? "JSON refused at byte \(offset): " : "invalid JSON at byte \(offset): ") + reasonText
    }

    /// Whether the text was refused for a limit (depth, size, memory) rather than for its syntax.
    public var isLimit: Bool {
        switch reason {
        case .tooDeep, .tooLarge, .tooMuchMemory: return true
        default: return false
        }
    }

    public var reasonText: String {
        switch reason {
        case .unexpectedEnd: return "unexpected end of input"
        case .unexpectedByte(let byte, let expected):
            return "unexpected \(JSONParseError.describe(byte)), expected \(expected)"
        case .trailingComma: return "trailing comma"
        case .leadingZero: return "leading zero in number"
        case .invalidNumber(let what): return "invalid number: \(what)"
        case .invalidLiteral: return "invalid literal (expected true, false or null)"
        case .unescapedControlCharacter(let byte):
            return "unescaped control character U+\(hex4(UInt16(byte))) in string"
        case .invalidEscape: return "invalid escape sequence in string"
        case .invalidUnicodeEscape: return "invalid \\u escape (expected 4 hex digits)"
        case .loneSurrogate(let unit): return "lone surrogate \\u\(hex4(unit)) in string"
        case .invalidUTF8: return "invalid UTF-8"
        case .trailingData: return "unexpected data after the JSON value"
        case .tooDeep(let limit): return "nesting deeper than the limit of \(limit)"
        case .tooLarge(let limit): return "document larger than the limit of \(limit) bytes"
        case .tooMuchMemory(let limit, let textBytes, let perTextByte):
            return JSONParseError.describeMemory(limit: limit, textBytes: textBytes, perTextByte: perTextByte)
        case .duplicateKey(let key): return "duplicate key \"\(Sanitizer.line(key))\""
        }
    }

    /// "the document would take more than 12.0 MiB in memory (6× its 2.0 MiB of text): …"
    static func describeMemory(limit: Int, textBytes: Int, perTextByte: Int) -> String {
        let text = HumanUnits.bytes(textBytes)
        let product = textBytes.multipliedReportingOverflow(by: perTextByte)
        let proportional = product.overflow ? Int.max : product.partialValue
        let why: String
        if limit == proportional {
            why = "\(perTextByte)× its \(text) of text"
        } else if limit < proportional {
            why = "the most any document is allowed; its text is \(text)"
        } else {
            why = "the least any document is allowed; its text is \(text)"
        }
        return "the document would take more than \(HumanUnits.bytes(limit)) in memory (\(why)): too many small values"
    }

    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }
}

func hex4(_ value: UInt16) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: 4 - digits.count) + digits
}
