/// A JSON document in contiguous storage: parsed once, then patched in place, diffed, compared
/// and written out, without a heap object per value.
///
/// Every value is one 64-bit `Slot`. Scalars live in their slot: `null`, `true`, `false`, and
/// strings and numbers of up to 7 bytes (most keys, most values). Longer strings and numbers
/// keep their bytes in one buffer (`bytes`; strings decoded, numbers as their exact text). A
/// container's slot holds its count and where its entries start in one array of words
/// (`words`): an array's elements one slot each, an object's members two (key, value), in
/// order. An empty container has no entries at all. So `[[0],[0],…]` takes 16 bytes per 4 of
/// text, and a member such as `"price":123.45` its own size.
///
/// Edits are made in place: a container that grows past its room moves to the end of `words`
/// with room to spare, and what it left behind (and removed values) is garbage, collected by
/// copying the live document once the storage has doubled since the last collection.
///
/// `JSONValue` remains the friendly API; convert with `JSONTree(_:)` and `value`.
public struct JSONTree: Sendable {
    /// Container entries. Word 0 is never used, so that no container's entries start there.
    package var words: [UInt64]
    /// The bytes of strings and numbers that do not fit in a slot.
    package var bytes: [UInt8]
    package var root: Slot
    /// `words.count` and `bytes.count` after the last collection (or the parse): when the
    /// storage doubles past them, the garbage is collected.
    var liveWords: Int
    var liveBytes: Int

    /// An empty tree holding `null`.
    public init() {
        words = [0]
        bytes = []
        root = .null
        liveWords = 1
        liveBytes = 0
    }

    package init(words: [UInt64], bytes: [UInt8], root: Slot) {
        self.words = words
        self.bytes = bytes
        self.root = root
        liveWords = words.count
        liveBytes = bytes.count
    }

    /// What the tree's storage takes in memory (its arrays' capacities).
    public var memoryBytes: Int { words.capacity * 8 + bytes.capacity }
}

extension JSONTree {
    /// The JSON type of a slot.
    package enum Kind: UInt8, Sendable {
        case null = 0, `false`, `true`, number, string, array, object

        package var typeName: String {
            switch self {
            case .null: return "null"
            case .false, .true: return "boolean"
            case .number: return "number"
            case .string: return "string"
            case .array: return "array"
            case .object: return "object"
            }
        }
    }

    /// One value.
    ///
    /// - bits 0–2: the kind;
    /// - scalars, bit 3 set: inline, bits 4–7 the length (0…7), bits 8–63 the bytes;
    /// - scalars, bit 3 clear: bits 4–31 the length, bits 32–63 the offset in `bytes`;
    /// - containers: bits 4–31 the count, bits 32–63 the offset of the entries in `words`; bit 3
    ///   clear when the entries have room for exactly `count` (as parsed), set when they moved
    ///   to room to grow: then the word before them holds how many entries it has room for.
    package struct Slot: Hashable, Sendable {
        package var raw: UInt64

        @inline(__always) package init(raw: UInt64) { self.raw = raw }

        package static let null = Slot(raw: UInt64(Kind.null.rawValue))
        package static let `true` = Slot(raw: UInt64(Kind.true.rawValue))
        package static let `false` = Slot(raw: UInt64(Kind.false.rawValue))
        static let inlineFlag: UInt64 = 8
        /// The most a container may count, and a string or number's longest length.
        package static let maxLength = (1 << 28) - 1
        package static let maxInline = 7

        @inline(__always) package var kind: Kind { Kind(rawValue: UInt8(truncatingIfNeeded: raw & 7))! }
        @inline(__always) package var isContainer: Bool { raw & 7 >= UInt64(Kind.array.rawValue) }
        @inline(__always) package var isInline: Bool { raw & Slot.inlineFlag != 0 }
        /// Whether the slot is its whole value (`null`, a boolean, an inline string or number):
        /// then slots of any two trees hold equal values when they are the same word.
        @inline(__always) package var isWhole: Bool { !isContainer && (isInline || raw & 7 < 3) }

        @inline(__always)
        package static func bool(_ value: Bool) -> Slot { value ? .true : .false }

        /// A string or number of at most 7 bytes, in the slot.
        @inline(__always)
        package static func inline(_ kind: Kind, bytes: UInt64, count: Int) -> Slot {
            Slot(raw: UInt64(kind.rawValue) | inlineFlag | UInt64(count) << 4 | bytes << 8)
        }

        @inline(__always)
        package static func outOfLine(_ kind: Kind, offset: Int, count: Int) -> Slot {
            Slot(raw: UInt64(kind.rawValue) | UInt64(count) << 4 | UInt64(offset) << 32)
        }

        @inline(__always)
        package static func container(_ kind: Kind, offset: Int, count: Int, grown: Bool) -> Slot {
            Slot(raw: UInt64(kind.rawValue) | (grown ? inlineFlag : 0) | UInt64(count) << 4 | UInt64(offset) << 32)
        }

        /// A string's or number's byte count, or a container's element or member count.
        @inline(__always)
        package var count: Int {
            let mask: UInt64 = isInline && !isContainer ? 0xF : 0xFFF_FFFF
            return Int(truncatingIfNeeded: (raw >> 4) & mask)
        }

        /// Where an out-of-line scalar's bytes or a container's entries start.
        @inline(__always) package var offset: Int { Int(truncatingIfNeeded: raw >> 32) }

        /// The inline bytes, little-endian, zero above `count`.
        @inline(__always) package var inlineBytes: UInt64 { raw >> 8 }

        /// Words per entry: 1 for an array, 2 for an object.
        @inline(__always) package var stride: Int { kind == .object ? 2 : 1 }

        @inline(__always)
        package func with(count: Int) -> Slot {
            Slot(raw: raw & ~(0xFFF_FFFF << 4) | UInt64(count) << 4)
        }
    }
}

// MARK: - Reading

extension JSONTree {
    @inline(__always)
    package func element(_ container: Slot, _ index: Int) -> Slot {
        Slot(raw: words[container.offset &+ index])
    }

    @inline(__always)
    package func key(_ object: Slot, _ position: Int) -> Slot {
        Slot(raw: words[object.offset &+ 2 &* position])
    }

    @inline(__always)
    package func memberValue(_ object: Slot, _ position: Int) -> Slot {
        Slot(raw: words[object.offset &+ 2 &* position &+ 1])
    }

    /// Calls `body` with the bytes of a string or number (decoded UTF-8, or the number's text).
    @inline(__always)
    package func withBytes<R>(_ slot: Slot, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if slot.isInline {
            return try withUnsafeBytes(of: slot.inlineBytes.littleEndian) { raw in
                let start = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                return try body(UnsafeBufferPointer(start: start, count: slot.count))
            }
        }
        return try bytes.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[slot.offset..<(slot.offset &+ slot.count)]))
        }
    }

    /// A string slot's text (or a number's).
    package func string(_ slot: Slot) -> String {
        withBytes(slot) { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether two string (or number) slots of this tree hold the same bytes.
    @inline(__always)
    package func bytesEqual(_ a: Slot, _ b: Slot) -> Bool {
        if a.isInline || b.isInline { return a.raw == b.raw }
        guard a.count == b.count else { return false }
        return withBytes(a) { x in withBytes(b) { y in UTF8Bytes.equal(x, y) } }
    }

    /// The position of the member named `key` (its UTF-8 bytes), or nil.
    package func position(of key: UnsafeBufferPointer<UInt8>, in object: Slot) -> Int? {
        let n = object.count
        guard n > 0 else { return nil }
        return words.withUnsafeBufferPointer { words in
            let base = object.offset
            if key.count <= Slot.maxInline {
                // One comparison of words per member: an inline key equals only an inline key.
                let wanted = Slot.inline(.string, bytes: JSONTree.load(key), count: key.count).raw
                for i in 0..<n where words[base &+ 2 &* i] == wanted { return i }
                return nil
            }
            return bytes.withUnsafeBufferPointer { all in
                for i in 0..<n {
                    let slot = Slot(raw: words[base &+ 2 &* i])
                    guard !slot.isInline, slot.count == key.count else { continue }
                    let bytes = UnsafeBufferPointer(rebasing: all[slot.offset..<(slot.offset &+ slot.count)])
                    if UTF8Bytes.equal(bytes, key) { return i }
                }
                return nil
            }
        }
    }

    package func position(of key: String, in object: Slot) -> Int? {
        var key = key
        return key.withUTF8 { position(of: $0, in: object) }
    }

    /// Up to 7 bytes as a little-endian word, zero above them.
    @inline(__always)
    package static func load(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var word: UInt64 = 0
        for i in 0..<bytes.count { word |= UInt64(bytes[i]) << (8 &* UInt64(i)) }
        return word
    }
}
