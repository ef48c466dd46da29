/// Remembers the strings already built while parsing one document, by their bytes.
///
/// API documents repeat themselves: every object of a list has the same keys, and many values
/// ("USD", "active") recur. Building a Swift String validates and copies its bytes; finding it
/// here costs a hash and a `memcmp` against the first occurrence in the same input. The table
/// is direct-mapped (a collision simply replaces the entry) and its size is fixed.
final class StringInterner {
    static let slots = 512
    static let maxLength = 32

    private let hashes: UnsafeMutablePointer<UInt64>
    private let offsets: UnsafeMutablePointer<Int>
    private let lengths: UnsafeMutablePointer<Int>
    private let strings: UnsafeMutablePointer<String>

    init() {
        hashes = .allocate(capacity: StringInterner.slots)
        hashes.initialize(repeating: 0, count: StringInterner.slots)
        offsets = .allocate(capacity: StringInterner.slots)
        lengths = .allocate(capacity: StringInterner.slots)
        lengths.initialize(repeating: -1, count: StringInterner.slots)
        strings = .allocate(capacity: StringInterner.slots)
        strings.initialize(repeating: "", count: StringInterner.slots)
    }

    deinit {
        hashes.deallocate()
        offsets.deallocate()
        lengths.deallocate()
        strings.deinitialize(count: StringInterner.slots)
        strings.deallocate()
    }

    /// The bytes of a string of at most 16 bytes as two little-endian words, zero-padded.
    @inline(__always)
    static func contentWords(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (UInt64, UInt64) {
        let length = end - start
        if start + 16 <= bytes.count {
            // Two unaligned loads, then clear the bytes past the end of the string.
            let raw = UnsafeRawPointer(bytes.baseAddress!)
            var low = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt64.self))
            var high = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8, as: UInt64.self))
            if length < 8 {
                low &= (1 << (8 * UInt64(length))) &- 1
                high = 0
            } else if length < 16 {
                high &= (1 << (8 * UInt64(length - 8))) &- 1
            }
            return (low, high)
        }
        var low: UInt64 = 0
        var high: UInt64 = 0
        for i in 0..<length {
            if i < 8 { low |= UInt64(bytes[start + i]) << (8 * UInt64(i)) } else { high |= UInt64(bytes[start + i]) << (8 * UInt64(i - 8)) }
        }
        return (low, high)
    }

    /// A hash of the bytes; depends only on them (so a key written with or without escapes
    /// hashes alike once decoded). Up to 16 bytes it mixes the content words; beyond, it walks
    /// eight bytes at a time.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt64 {
        let length = end - start
        if length <= 16 {
            let (low, high) = contentWords(bytes, start, end)
            return hash(low: low, high: high, length: length)
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(length)
        var i = start
        let raw = UnsafeRawPointer(bytes.baseAddress!)
        while i + 8 <= end {
            hash = (hash ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))) &* 0x9E37_79B9_7F4A_7C15
            hash ^= hash >> 29
            i += 8
        }
        while i < end {
            hash = (hash ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01B3
            i += 1
        }
        return hash
    }

    /// The hash of up to 16 bytes from their content words (what `hash` computes for them).
    @inline(__always)
    static func hash(low: UInt64, high: UInt64, length: Int) -> UInt64 {
        var hash = (low ^ (high &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(length)) &* 0xBF58_476D_1CE4_E5B9
        hash ^= hash >> 31
        return hash
    }

    /// The string for `bytes[start..<end]` (valid UTF-8 without escapes), built at most once,
    /// and whether it was built now (and so takes memory of its own).
    @inline(__always)
    func string(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, hash: UInt64) -> (String, built: Bool) {
        let slot = Int(truncatingIfNeeded: hash >> 40) & (StringInterner.slots - 1)
        let length = end - start
        if hashes[slot] == hash && lengths[slot] == length
            && (length <= 8 || UTF8Bytes.equal(bytes.baseAddress! + offsets[slot], bytes.baseAddress! + start, length))
        {
            // Up to 8 bytes the hash is a bijection of the content (for a given length: xor,
            // multiply by an odd constant and xorshift are each invertible), so an equal hash
            // is equal content. Longer strings are compared.
            return (strings[slot], false)
        }
        let string = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        hashes[slot] = hash
        offsets[slot] = start
        lengths[slot] = length
        strings[slot] = string
        return (string, true)
    }
}
