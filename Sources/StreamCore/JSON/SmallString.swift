/// Strings of at most 15 UTF-8 bytes, built from bytes the parser has already validated.
///
/// Such strings are stored in the String value itself (no allocation), but `String(decoding:)`
/// still checks and repairs the bytes through several calls, about 120 instructions a string
/// (a third of parsing the quote document's values). On 64-bit platforms a small String is two
/// words: the bytes, zero-padded, with the last byte of the second word giving the form and
/// the count (0xE0 | count when every byte is ASCII, 0xA0 | count otherwise). `layoutHolds`
/// checks that against strings the standard library builds itself, once per process; where it
/// does not hold, callers build strings as before.
enum SmallString {
    static let maxCount = 15

    /// Whether `make` builds the same Strings as `String(decoding:as:)` on this platform.
    static let layoutHolds: Bool = {
        guard MemoryLayout<String>.size == 16 else { return false }
        let samples = [
            "", "a", "abcdefgh", "abcdefghi", "abcdefghijklmno", "é", "日本語", "x\u{7F}\u{80}y", "😀 abcdefghij",
        ]
        for sample in samples {
            let bytes = Array(sample.utf8)
            let built = bytes.withUnsafeBufferPointer { buffer in
                let (low, high) = StringInterner.contentWords(buffer, 0, buffer.count)
                return make(low: low, high: high, count: buffer.count)
            }
            let decoded = String(decoding: bytes, as: UTF8.self)
            let builtWords = unsafeBitCast(built, to: (UInt64, UInt64).self)
            let decodedWords = unsafeBitCast(decoded, to: (UInt64, UInt64).self)
            guard builtWords == decodedWords, built == decoded, Array(built.utf8) == bytes
            else { return false }
        }
        return true
    }()

    /// The String of `count` (at most 15) bytes of valid UTF-8 held in `low` and `high` as
    /// `StringInterner.contentWords` loads them (little-endian, zero-padded). Only when
    /// `layoutHolds`.
    @inline(__always)
    static func make(low: UInt64, high: UInt64, count: Int) -> String {
        let ascii = (low | high) & 0x8080_8080_8080_8080 == 0
        let form: UInt64 = ascii ? 0xE0 : 0xA0
        let discriminator = (form | UInt64(truncatingIfNeeded: count)) << 56
        // Stored as words and moved out as a String: the caller owns it without a retain (a
        // String from `unsafeBitCast` is a copy, retained through a runtime call).
        return withUnsafeTemporaryAllocation(of: String.self, capacity: 1) { slot in
            let raw = UnsafeMutableRawPointer(slot.baseAddress!)
            raw.storeBytes(of: low, as: UInt64.self)
            raw.storeBytes(of: high | discriminator, toByteOffset: 8, as: UInt64.self)
            return slot.baseAddress!.move()
        }
    }
}
