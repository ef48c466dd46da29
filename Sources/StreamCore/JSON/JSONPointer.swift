/// A JSON Pointer (RFC 6901): a path of reference tokens into a JSON document.
///
/// `""` is the whole document; `"/"` is the member named `""` of the root. In a token, `~1`
/// stands for `/` and `~0` for `~`. The token `-` names the position after the last array
/// element, which only `add` may use. Tokens match keys, and pointers compare, by Unicode
/// scalars (as JSON strings do).
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    public var tokens: [String]

    public init(tokens: [String]) {
        self.tokens = tokens
    }

    public static let root = JSONPointer(tokens: [])

    /// Parses pointer text. Throws for text that does not start with `/` (other than the
    /// empty root pointer) and for a `~` not followed by `0` or `1`.
    public init(_ text: String) throws(JSONPointerError) {
        var text = text
        var bytes: [UInt8] = []
        var ends: [Int32] = []
        try text.withUTF8 { utf8 in
            Result { () throws(JSONPointerError) in try JSONPointer.decode(utf8, into: &bytes, ends: &ends) }
        }.get()
        var start = 0
        tokens = ends.map { end in
            defer { start = Int(end) }
            return String(decoding: bytes[start..<Int(end)], as: UTF8.self)
        }
    }

    /// Splits pointer text into its tokens, `~1` and `~0` decoded: appends each token's bytes
    /// to `bytes` and where it ends there to `ends`. On an error, some may have been appended.
    static func decode(_ text: UnsafeBufferPointer<UInt8>, into bytes: inout [UInt8], ends: inout [Int32])
        throws(JSONPointerError)
    {
        guard !text.isEmpty else { return }
        guard text[0] == UInt8(ascii: "/") else { throw .doesNotStartWithSlash(String(decoding: text, as: UTF8.self)) }
        var i = 1
        var run = 1  // the start of the bytes not yet appended
        while i < text.count {
            let byte = text[i]
            if byte == UInt8(ascii: "/") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[run..<i]))
                ends.append(Int32(bytes.count))
                run = i + 1
            } else if byte == UInt8(ascii: "~") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[run..<i]))
                i += 1
                guard i < text.count, text[i] == UInt8(ascii: "0") || text[i] == UInt8(ascii: "1") else {
                    throw .invalidEscape(String(decoding: text, as: UTF8.self))
                }
                bytes.append(text[i] == UInt8(ascii: "0") ? UInt8(ascii: "~") : UInt8(ascii: "/"))
                run = i + 1
            }
            i += 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[run..<text.count]))
        ends.append(Int32(bytes.count))
    }

    /// At most what parsing `text` takes in memory: its tokens' array, and their bytes when
    /// they are too long to be stored inline (with their headers, at most 4× their bytes).
    static func memoryBound(_ text: String) -> Int {
        var slashes = 0
        for byte in text.utf8 where byte == UInt8(ascii: "/") { slashes += 1 }
        let bytes = text.utf8.count
        return MemoryBudget.array(count: slashes, stride: MemoryLayout<String>.stride)
            + (bytes > MemoryBudget.largestInlineString ? 4 * bytes : 0)
    }

    public var isRoot: Bool { tokens.isEmpty }

    public static func == (lhs: JSONPointer, rhs: JSONPointer) -> Bool {
        lhs.tokens.count == rhs.tokens.count && lhs.hasPrefix(rhs.tokens.count, of: rhs)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(tokens.count)
        for token in tokens { token.hashScalars(into: &hasher) }
    }

    /// Whether the first `count` tokens of `self` and `other` are the same.
    private func hasPrefix(_ count: Int, of other: JSONPointer) -> Bool {
        for i in 0..<count where !tokens[i].scalarsEqual(other.tokens[i]) { return false }
        return true
    }

    public var parent: JSONPointer { JSONPointer(tokens: Array(tokens.dropLast())) }

    public func appending(_ token: String) -> JSONPointer {
        JSONPointer(tokens: tokens + [token])
    }

    public func appending(_ index: Int) -> JSONPointer {
        appending(String(index))
    }

    /// True when `self` is a proper prefix of `other` (a location inside it).
    public func isProperPrefix(of other: JSONPointer) -> Bool {
        tokens.count < other.tokens.count && hasPrefix(tokens.count, of: other)
    }

    /// The pointer as text, with `~` and `/` in tokens escaped.
    public var description: String {
        var text = ""
        for token in tokens {
            text.append("/")
            text.append(JSONPointer.escape(token))
        }
        return text
    }

    public static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        var escaped = ""
        for scalar in token.unicodeScalars {
            switch scalar {
            case "~": escaped += "~0"
            case "/": escaped += "~1"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// The array index a token names, per RFC 6901: `0` or digits without a leading zero.
    /// `-` is `count` (after the last element) when `allowEnd` is set.
    public static func arrayIndex(_ token: String, count: Int, allowEnd: Bool) throws(JSONPointerError) -> Int {
        var copy = token
        return try copy.withUTF8 { utf8 in
            Result { () throws(JSONPointerError) in try arrayIndex(utf8: utf8, count: count, allowEnd: allowEnd) }
        }.get()
    }

    /// `arrayIndex` on a token's UTF-8 bytes. One pass over the digits: this runs for every
    /// array step of every patch.
    @inline(__always)
    static func arrayIndex(utf8: UnsafeBufferPointer<UInt8>, count: Int, allowEnd: Bool)
        throws(JSONPointerError) -> Int
    {
        var index = 0
        var digits = 0
        for byte in utf8 {
            guard byte &- 48 < 10 else {
                if utf8.count == 1 && byte == UInt8(ascii: "-") {
                    guard allowEnd else { throw .indexOutOfRange("-", count: count) }
                    return count
                }
                throw .invalidArrayIndex(String(decoding: utf8, as: UTF8.self))
            }
            digits += 1
            if digits <= 18 { index = index &* 10 &+ Int(byte &- 48) }
        }
        guard digits > 0, !(utf8[0] == UInt8(ascii: "0") && digits > 1) else {
            throw .invalidArrayIndex(String(decoding: utf8, as: UTF8.self))
        }
        guard digits <= 18, index < count || (allowEnd && index == count) else {
            throw .indexOutOfRange(String(decoding: utf8, as: UTF8.self), count: count)
        }
        return index
    }
}

/// Why a pointer could not be parsed or resolved.
public enum JSONPointerError: Error, Sendable, Equatable, CustomStringConvertible {
    case doesNotStartWithSlash(String)
    case invalidEscape(String)
    case invalidArrayIndex(String)
    case indexOutOfRange(String, count: Int)
    case notFound(String)
    case notAContainer(String, type: String)

    public var description: String {
        switch self {
        case .doesNotStartWithSlash(let text): return "pointer \"\(Sanitizer.line(text))\" must be empty or start with '/'"
        case .invalidEscape(let text): return "pointer \"\(Sanitizer.line(text))\" has '~' not followed by '0' or '1'"
        case .invalidArrayIndex(let token):
            return "\"\(Sanitizer.line(token))\" is not an array index (digits without leading zeros, or '-')"
        case .indexOutOfRange(let token, let count):
            return "array index \(Sanitizer.line(token)) is out of range for an array of \(count) element\(count == 1 ? "" : "s")"
        case .notFound(let token): return "member \"\(Sanitizer.line(token))\" does not exist"
        case .notAContainer(let token, let type): return "cannot look up \"\(Sanitizer.line(token))\" in a \(type)"
        }
    }
}

extension JSONValue {
    /// The value a pointer refers to.
    public func value(at pointer: JSONPointer) throws(JSONPointerError) -> JSONValue {
        var current = self
        for token in pointer.tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { throw .notFound(token) }
                current = next
            case .array(let elements):
                current = elements[try JSONPointer.arrayIndex(token, count: elements.count, allowEnd: false)]
            default:
                throw .notAContainer(token, type: current.typeName)
            }
        }
        return current
    }
}
