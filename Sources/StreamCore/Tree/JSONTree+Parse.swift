// Parsing text into a tree (see `JSONTreeCursor`).

extension JSONTree {
    /// The tree of the JSON text in `bytes`: the grammar, limits, duplicate-key policy and
    /// errors of `JSONParser.parse`, and memory bounded by the same options (what a tree takes is
    /// far less than `JSONValue`s: a few times its text at the most). Texts over 256 MiB are
    /// refused as too large whatever `maxBytes` says (a tree's slots count in 28 bits).
    public init(parsing bytes: UnsafeBufferPointer<UInt8>, options: JSONParser.Options = .init())
        throws(JSONParseError)
    {
        var cursor = JSONTreeCursor(bytes: bytes, options: options)
        self = try cursor.parseDocument()
    }

    public init(parsing bytes: [UInt8], options: JSONParser.Options = .init()) throws(JSONParseError) {
        self = try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in
            try JSONTree(parsing: buffer, options: options)
        }
    }

    public init(parsing text: String, options: JSONParser.Options = .init()) throws(JSONParseError) {
        var text = text
        self = try text.withUTF8 { buffer in
            Result { () throws(JSONParseError) in try JSONTree(parsing: buffer, options: options) }
        }.get()
    }

    /// The most memory parsing `bytes` into a tree takes, as its budget counts it (the tree's
    /// words and bytes and the scratch stack). Parsed without the memory limit.
    package static func estimatedMemory(parsing bytes: [UInt8], options: JSONParser.Options = .init())
        throws(JSONParseError) -> Int
    {
        var options = options
        options.maxMemoryPerTextByte = .max
        options.maxMemoryBytes = .max
        return try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in
            var cursor = JSONTreeCursor(bytes: buffer, options: options)
            _ = try cursor.parseDocument()
            return cursor.budget.peak
        }
    }
}
