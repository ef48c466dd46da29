/// A strict RFC 8259 parser over UTF-8 bytes.
///
/// Rejects everything the grammar does not allow (trailing commas, leading zeros, lone
/// surrogates, unescaped control characters, invalid UTF-8, trailing data), each with the
/// byte offset and reason. Nesting depth and input size are limited so that hostile input
/// is an error, never a crash or an unbounded allocation.
public struct JSONParser {
    public enum DuplicateKeyPolicy: Sendable {
        /// The later value replaces the earlier one, in the earlier position (ECMAScript's rule).
        case lastWins
        /// A repeated key is a parse error.
        case reject
    }

    public struct Options: Sendable {
        public var maxDepth: Int
        public var maxBytes: Int
        public var duplicateKeys: DuplicateKeyPolicy

        public init(maxDepth: Int = 512, maxBytes: Int = 64 << 20, duplicateKeys: DuplicateKeyPolicy = .lastWins) {
            self.maxDepth = maxDepth
            self.maxBytes = maxBytes
            self.duplicateKeys = duplicateKeys
        }
    }

    public static func parse(_ text: String, options: Options = Options()) throws(JSONParseError) -> JSONValue {
        var text = text
        return try text.withUTF8 { buffer in
            Result { () throws(JSONParseError) in try parse(buffer, options: options) }
        }.get()
    }

    public static func parse(_ bytes: [UInt8], options: Options = Options()) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) in try parse(buffer, options: options) }
        }.get()
    }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, options: Options = Options()) throws(JSONParseError) -> JSONValue {
        guard bytes.count <= options.maxBytes else {
            throw JSONParseError(offset: options.maxBytes, reason: .tooLarge(limit: options.maxBytes))
        }
        var parser = JSONCursor(bytes: bytes, options: options)
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.position < bytes.count {
            throw JSONParseError(offset: parser.position, reason: .trailingData)
        }
        return value
    }
}

