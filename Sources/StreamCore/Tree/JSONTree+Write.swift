// Writing a tree as JSON text, straight from its slots: the same bytes, compact or pretty, as
// `JSONWriter` writes for `tree.value`. Strings go through the writer's one escaper; a string
// in its slot that needs no escape (most keys and short values) takes one check and two stores.

extension JSONWriter {
    public static func string(_ tree: JSONTree, pretty: Bool = false) -> String {
        var writer = JSONWriter(pretty: pretty)
        writer.write(tree)
        return writer.buffer.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    public static func data(_ tree: JSONTree, pretty: Bool = false) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
        writer.write(tree)
        return writer.bytes
    }

    /// Writes the whole document.
    public mutating func write(_ tree: JSONTree) {
        write(tree.root, in: tree)
    }

    /// Writes the value at `slot` of `tree`, for a caller that frames it (a JSONL record's member).
    package mutating func write(_ slot: JSONTree.Slot, in tree: JSONTree) {
        // One uniqueness check for the whole value; below, the storage is written directly, and
        // the tree is read through pointers (nothing retained or released on the way).
        let storage = buffer.reserve(0)
        let pretty = self.pretty
        tree.words.withUnsafeBufferPointer { words in
            tree.bytes.withUnsafeBufferPointer { bytes in
                let source = TreeSource(words: words.baseAddress!, bytes: bytes.baseAddress)
                if pretty {
                    source.writePretty(slot, indent: 0, into: storage)
                } else {
                    source.writeCompact(slot, into: storage)
                }
            }
        }
    }
}

/// A tree's storage, borrowed for one write.
private struct TreeSource {
    typealias Slot = JSONTree.Slot

    let words: UnsafePointer<UInt64>
    /// Nil when the tree has no out-of-line bytes (then no slot points into them).
    let bytes: UnsafePointer<UInt8>?

    func writeCompact(_ slot: Slot, into storage: ByteBuffer.Storage) {
        let n = slot.count
        let entries = words + slot.offset
        switch slot.kind {
        case .array:
            storage.append(UInt8(ascii: "["))
            for i in 0..<n {
                if i > 0 { storage.append(UInt8(ascii: ",")) }
                writeNested(Slot(raw: entries[i]), into: storage)
            }
            storage.append(UInt8(ascii: "]"))
        case .object:
            storage.append(UInt8(ascii: "{"))
            for i in 0..<n {
                if i > 0 { storage.append(UInt8(ascii: ",")) }
                writeString(Slot(raw: entries[2 &* i]), then: .colon, into: storage)
                writeNested(Slot(raw: entries[2 &* i &+ 1]), into: storage)
            }
            storage.append(UInt8(ascii: "}"))
        default:
            writeScalar(slot, into: storage)
        }
    }

    /// A member's or element's value: a scalar written in the container's loop, a container by
    /// recursion.
    @inline(__always)
    func writeNested(_ slot: Slot, into storage: ByteBuffer.Storage) {
        if slot.isContainer { writeCompact(slot, into: storage) } else { writeScalar(slot, into: storage) }
    }

    /// Pretty output: each element or member on a line of its own, indented two spaces a level.
    func writePretty(_ slot: Slot, indent: Int, into storage: ByteBuffer.Storage) {
        guard slot.isContainer else { return writeScalar(slot, into: storage) }
        let isObject = slot.kind == .object
        storage.append(isObject ? UInt8(ascii: "{") : UInt8(ascii: "["))
        let n = slot.count
        if n > 0 {
            let entries = words + slot.offset
            let stride = slot.stride
            for i in 0..<n {
                if i > 0 { storage.append(UInt8(ascii: ",")) }
                JSONWriter.newline(indent + 1, into: storage)
                // An object's entry is its key, then its value; an array's is the element.
                if isObject { writeString(Slot(raw: entries[2 &* i]), then: .colonSpace, into: storage) }
                writePretty(Slot(raw: entries[stride &* i &+ stride &- 1]), indent: indent + 1, into: storage)
            }
            JSONWriter.newline(indent, into: storage)
        }
        storage.append(isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
    }

    @inline(__always)
    func writeScalar(_ slot: Slot, into storage: ByteBuffer.Storage) {
        switch slot.kind {
        case .null: storage.append("null")
        case .true: storage.append("true")
        case .false: storage.append("false")
        case .number:
            // A number's text needs no escaping: copied as it is.
            if slot.isInline {
                storage.ensure(8)
                UnsafeMutableRawPointer(storage.base + storage.count).storeBytes(
                    of: slot.inlineBytes.littleEndian, as: UInt64.self)
                storage.count &+= slot.count
            } else {
                storage.append(UnsafeBufferPointer(start: bytes! + slot.offset, count: slot.count))
            }
        case .string: writeString(slot, then: .nothing, into: storage)
        case .array, .object: writeCompact(slot, into: storage)
        }
    }

    /// A string slot, quoted and escaped, then `suffix`.
    @inline(__always)
    func writeString(_ slot: Slot, then suffix: JSONWriter.StringSuffix, into storage: ByteBuffer.Storage) {
        let closing = suffix.closing
        let n = slot.count
        guard slot.isInline else {
            let utf8 = UnsafeBufferPointer(start: bytes! + slot.offset, count: n)
            return JSONWriter.writeString(utf8: utf8, closing: closing.word, count: closing.count, into: storage)
        }
        let little = slot.inlineBytes
        // The escaper's own check: the lowest flag is exact, and the zeros above the string are
        // flagged, so the string is clean when the first flag is at its end.
        if JSONWriter.needsCare(little).trailingZeroBitCount &>> 3 == n {
            // The quote and up to seven bytes in one word, then the closing quote and suffix.
            storage.ensure(16)
            let out = UnsafeMutableRawPointer(storage.base + storage.count)
            out.storeBytes(of: (little &<< 8 | 0x22).littleEndian, as: UInt64.self)
            out.storeBytes(of: closing.word.littleEndian, toByteOffset: 1 &+ n, as: UInt32.self)
            storage.count &+= 1 &+ n &+ closing.count
            return
        }
        var word = little.littleEndian
        withUnsafeBytes(of: &word) { raw in
            let utf8 = UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n)
            JSONWriter.writeString(utf8: utf8, closing: closing.word, count: closing.count, into: storage)
        }
    }
}
