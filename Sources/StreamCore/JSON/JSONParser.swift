/// A strict RFC 8259 parser over UTF-8 bytes.
///
/// Rejects everything the grammar does not allow (trailing commas, leading zeros, lone
/// surrogates, unescaped control characters, invalid UTF-8, trailing data), each with the
/// byte offset and reason. Nesting depth, input size and the memory the parsed values take
/// are limited so that hostile input is an error, never a crash or an unbounded allocation.
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
        /// The most memory the values may take, as a multiple of their text's size (never less
        /// than 8 MiB, so that any document under ~500 KB parses), so that a parse and its text
        /// stay within 7× the text. API documents take
        /// 3–5× their text (a list of quotes 3.2×, GitHub-style records 4.3×); `[[0],[0],…]`
        /// would take 22×, an array of one-digit numbers 12×.
        public var maxMemoryPerTextByte: Int
        /// The most memory the values of any one text may take, whatever its size (bodies and
        /// events are limited to 16 MiB: 64 MiB is 4× that).
        public var maxMemoryBytes: Int

        public init(
            maxDepth: Int = 512, maxBytes: Int = 64 << 20, duplicateKeys: DuplicateKeyPolicy = .lastWins,
            maxMemoryPerTextByte: Int = 6, maxMemoryBytes: Int = 64 << 20
        ) {
            self.maxDepth = maxDepth
            self.maxBytes = maxBytes
            self.duplicateKeys = duplicateKeys
            self.maxMemoryPerTextByte = maxMemoryPerTextByte
            self.maxMemoryBytes = maxMemoryBytes
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
        var parser = JSONCursor(bytes: bytes, options: options)
        return try parser.parseDocument()
    }

    /// What parsing `bytes` takes in memory at most, as the parser estimates it (what its memory
    /// limit measures): the values, and the scratch space used while building them. Parsed
    /// without that limit.
    package static func estimatedMemory(_ bytes: [UInt8], options: Options = Options()) throws(JSONParseError) -> Int {
        var options = options
        options.maxMemoryPerTextByte = .max
        options.maxMemoryBytes = .max
        return try bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) in
                var parser = JSONCursor(bytes: buffer, options: options)
                _ = try parser.parseDocument()
                return parser.budget.peak
            }
        }.get()
    }
}

