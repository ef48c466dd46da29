// Reading a JSON Patch straight from its bytes.
//
// A Streamdata stream is mostly small patch events, so reading them is on the hot path: this
// reader builds `PatchOperation`s directly, without an intermediate JSONValue per operation
// object, and parses `path`/`from` into pointer tokens without an intermediate String. Only
// `value` members become JSONValues.
//
// It handles the well-formed case only. On anything unusual (an escape in a member name or a
// pointer, a missing member, a wrong type, a syntax error) it returns nil, and the caller reads
// the patch the general way, which produces the precise error. So both ways always agree.
//
// Both ways charge what they build (values, operations, pointer tokens) to the parser's
// `MemoryBudget`. A patch over it is refused at once, without trying the general way.

extension JSONPatch {
    /// What the quick way made of a patch.
    enum QuickRead {
        case patch(JSONPatch)
        /// Refused: the patch would take more memory than its text allows.
        case overBudget(JSONParseError)
        /// Not the usual shape: the general way must decide (and explain).
        case general
    }

    static func readQuickly(
        _ bytes: UnsafeBufferPointer<UInt8>, options: JSONParser.Options, tokens: inout PointerTokenCache
    ) -> QuickRead {
        guard bytes.count <= options.maxBytes else { return .general }
        return tokens.withEntries { entries in
            var cursor = JSONCursor(bytes: bytes, options: options)
            guard let operations = cursor.readPatchOperations(tokens: entries) else {
                return cursor.budget.isExceeded ? .overBudget(cursor.overBudget()) : .general
            }
            return .patch(JSONPatch(operations))
        }
    }

    /// Reads a well-formed patch quickly; nil when the general path must decide (and explain).
    static func readWellFormed(_ bytes: UnsafeBufferPointer<UInt8>, options: JSONParser.Options) -> JSONPatch? {
        var tokens = PointerTokenCache()
        if case .patch(let patch) = readQuickly(bytes, options: options, tokens: &tokens) { return patch }
        return nil
    }

    /// Reads patch text: the fast path for well-formed patches, the general path otherwise.
    /// JSON syntax errors are reported as `.malformed`, structural ones as `.invalid`.
    public static func read(_ text: String, options: JSONParser.Options = JSONParser.Options()) -> Result<JSONPatch, PatchReadError> {
        var tokens = PointerTokenCache()
        return read(text, options: options, tokens: &tokens)
    }

    /// Reads patch text, reusing the pointer tokens of earlier patches of the same stream.
    public static func read(_ text: String, options: JSONParser.Options, tokens: inout PointerTokenCache) -> Result<JSONPatch, PatchReadError> {
        var text = text
        return text.withUTF8 { read($0, options: options, tokens: &tokens) }
    }

    public static func read(_ bytes: UnsafeBufferPointer<UInt8>, options: JSONParser.Options, tokens: inout PointerTokenCache) -> Result<JSONPatch, PatchReadError> {
        switch readQuickly(bytes, options: options, tokens: &tokens) {
        case .patch(let patch): return .success(patch)
        case .overBudget(let error): return .failure(.malformed(error))
        case .general: break
        }
        var cursor = JSONCursor(bytes: bytes, options: options)
        let json: JSONValue
        do { json = try cursor.parseDocument() } catch { return .failure(.malformed(error)) }
        do {
            return .success(try JSONPatch(json: json, budget: &cursor.budget))
        } catch {
            // Pointers are charged before they are split: past the budget, the patch is refused.
            if cursor.budget.isExceeded { return .failure(.malformed(cursor.overBudget())) }
            return .failure(.invalid(error))
        }
    }
}

/// Why patch text could not be read: not JSON at all, or JSON that is not a valid patch.
public enum PatchReadError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(JSONParseError)
    case invalid(PatchError)

    public var description: String {
        switch self {
        case .malformed(let error) where error.isLimit: return "patch refused: \(error.reasonText)"
        case .malformed(let error): return "malformed patch: \(error)"
        case .invalid(let error): return "invalid patch: \(error)"
        }
    }
}

extension JSONCursor {
    @inline(__always)
    private mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    mutating func readPatchOperations(tokens: UnsafeMutableBufferPointer<PointerTokenCache.Entry>) -> [PatchOperation]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var operations: [PatchOperation] = []
        operations.reserveCapacity(8)  // one allocation for the usual 1–6 operations
        if consume(UInt8(ascii: "]")) {
            skipWhitespace()
            return position == bytes.count ? operations : nil
        }
        while true {
            guard let operation = readOperation(tokens: tokens) else { return nil }
            if operations.count == operations.capacity {
                let stride = MemoryLayout<PatchOperation>.stride
                guard budget.charge(MemoryBudget.array(count: operations.capacity * 2, stride: stride)) else {
                    return nil
                }
            }
            operations.append(operation)
            if consume(UInt8(ascii: ",")) { continue }
            guard consume(UInt8(ascii: "]")) else { return nil }
            skipWhitespace()
            return position == bytes.count ? operations : nil
        }
    }

    private enum Member {
        case op, path, from, value, other
    }

    private mutating func readOperation(tokens: UnsafeMutableBufferPointer<PointerTokenCache.Entry>) -> PatchOperation? {
        guard consume(UInt8(ascii: "{")) else { return nil }
        var op: UnsafeBufferPointer<UInt8>?
        var path: JSONPointer?
        var from: JSONPointer?
        var value: JSONValue?
        if !consume(UInt8(ascii: "}")) {
            while true {
                skipWhitespace()
                guard let name = readPlainString() else { return nil }
                guard consume(UInt8(ascii: ":")) else { return nil }
                skipWhitespace()
                switch JSONCursor.member(name) {
                case .op:
                    guard let text = readPlainString() else { return nil }
                    op = text
                case .path:
                    guard let pointer = readPointer(tokens: tokens) else { return nil }
                    path = pointer
                case .from:
                    guard let pointer = readPointer(tokens: tokens) else { return nil }
                    from = pointer
                case .value:
                    // The operation object sits at depth 2 (inside the patch array).
                    guard let parsed = try? parseValue(depth: 2) else { return nil }
                    value = parsed
                case .other:
                    guard (try? parseValue(depth: 2)) != nil else { return nil }
                }
                if consume(UInt8(ascii: ",")) { continue }
                guard consume(UInt8(ascii: "}")) else { return nil }
                break
            }
        }
        guard let op, let path else { return nil }
        if op.equals("replace") { return value.map { .replace(path: path, value: $0) } }
        if op.equals("add") { return value.map { .add(path: path, value: $0) } }
        if op.equals("remove") { return .remove(path: path) }
        if op.equals("test") { return value.map { .test(path: path, value: $0) } }
        if op.equals("move") { return from.map { .move(from: $0, path: path) } }
        if op.equals("copy") { return from.map { .copy(from: $0, path: path) } }
        return nil
    }

    private static func member(_ name: UnsafeBufferPointer<UInt8>) -> Member {
        if name.equals("op") { return .op }
        if name.equals("path") { return .path }
        if name.equals("value") { return .value }
        if name.equals("from") { return .from }
        return .other
    }

    /// A string without escapes or non-ASCII bytes, as the bytes between its quotes.
    private mutating func readPlainString() -> UnsafeBufferPointer<UInt8>? {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
        let start = position + 1
        let end = JSONCursor.plainRunEnd(bytes, from: start)
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }  // an escape, a control or non-ASCII
        position = end + 1
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }

    /// A JSON Pointer written as a plain string, split into tokens with `~0`/`~1` decoded.
    private mutating func readPointer(tokens cache: UnsafeMutableBufferPointer<PointerTokenCache.Entry>) -> JSONPointer? {
        guard let text = readPlainString() else { return nil }
        if text.isEmpty { return .root }
        guard text[0] == UInt8(ascii: "/") else { return nil }
        var tokens: [String] = []
        tokens.reserveCapacity(4)  // most pointers into API documents are this shallow
        guard budget.charge(MemoryBudget.array(count: 4, stride: MemoryLayout<String>.stride)) else { return nil }
        var tokenStart = 1
        var hasTilde = false
        for i in 1...text.count {
            if i == text.count || text[i] == UInt8(ascii: "/") {
                let raw = UnsafeBufferPointer(rebasing: text[tokenStart..<i])
                if tokens.count == tokens.capacity {
                    let grown = MemoryBudget.array(count: tokens.capacity * 2, stride: MemoryLayout<String>.stride)
                    guard budget.charge(grown) else { return nil }
                }
                guard budget.charge(MemoryBudget.string(utf8Count: raw.count)) else { return nil }
                if hasTilde {
                    guard let token = JSONCursor.unescapeToken(raw) else { return nil }
                    tokens.append(token)
                } else {
                    tokens.append(PointerTokenCache.token(raw, readableEnd: bytes.baseAddress! + bytes.count, in: cache))
                }
                tokenStart = i + 1
                hasTilde = false
            } else if text[i] == UInt8(ascii: "~") {
                hasTilde = true
            }
        }
        return JSONPointer(tokens: tokens)
    }

    private static func unescapeToken(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        var bytes: [UInt8] = []
        var i = 0
        while i < raw.count {
            if raw[i] == UInt8(ascii: "~") {
                guard i + 1 < raw.count else { return nil }
                switch raw[i + 1] {
                case UInt8(ascii: "0"): bytes.append(UInt8(ascii: "~"))
                case UInt8(ascii: "1"): bytes.append(UInt8(ascii: "/"))
                default: return nil
                }
                i += 2
            } else {
                bytes.append(raw[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
