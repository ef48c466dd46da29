/// Recently seen JSON Pointer tokens, so that reading a stream's patches, which name the same
/// few members and indices again and again ("quotes", "12", "price"), does not build the same
/// Strings every time.
///
/// Direct-mapped (256 entries by default) of tokens up to 16 bytes, compared by their bytes: a
/// value type owned by whoever reads one stream's patches (it is an optimization only: results
/// are the same with or without it, and with any size).
public struct PointerTokenCache: Sendable {
    struct Entry: Sendable {
        var length = -1
        var low: UInt64 = 0
        var high: UInt64 = 0
        var string = ""
    }

    /// log2 of the number of entries.
    private let bits: Int
    /// Empty until the first patch is read: 256 entries cost 10 KB, and thousands of streams
    /// each own a cache (some never read a patch).
    private var entries: [Entry] = []

    /// A cache of `slots` entries (a power of two from 1 to 256). One stream among thousands
    /// in the engine takes a small one (its patches name few members); `tail`, reading one
    /// busy stream, the default.
    public init(slots: Int = 256) {
        precondition(slots > 0 && slots <= 256 && slots & (slots - 1) == 0, "slots must be a power of two up to 256")
        bits = slots.trailingZeroBitCount
    }

    /// The entries, allocated on first use, for reading one patch.
    mutating func withEntries<Result>(_ body: (UnsafeMutableBufferPointer<Entry>) -> Result) -> Result {
        if entries.isEmpty { entries = [Entry](repeating: Entry(), count: 1 << bits) }
        return entries.withUnsafeMutableBufferPointer { body($0) }
    }

    /// The token for `bytes` (valid UTF-8, already unescaped). Memory up to `readableEnd` may
    /// be read past the token (to load it as two whole words).
    static func token(_ bytes: UnsafeBufferPointer<UInt8>, readableEnd: UnsafePointer<UInt8>, in entries: UnsafeMutableBufferPointer<Entry>) -> String {
        let length = bytes.count
        guard length <= 16, let base = bytes.baseAddress else { return String(decoding: bytes, as: UTF8.self) }
        var low: UInt64 = 0
        var high: UInt64 = 0
        if base + 16 <= readableEnd {
            let raw = UnsafeRawPointer(base)
            low = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            high = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            if length < 8 {
                low &= (1 << (8 * UInt64(length))) &- 1
                high = 0
            } else if length < 16 {
                high &= (1 << (8 * UInt64(length - 8))) &- 1
            }
        } else {
            for i in 0..<length {
                if i < 8 { low |= UInt64(bytes[i]) << (8 * UInt64(i)) } else { high |= UInt64(bytes[i]) << (8 * UInt64(i - 8)) }
            }
        }
        let mixed = (low ^ (high &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(length)) &* 0xBF58_476D_1CE4_E5B9
        // The top bits mix best. One entry shifts by 64, which Swift's smart `>>` makes 0.
        let slot = Int(truncatingIfNeeded: mixed >> UInt64(64 - entries.count.trailingZeroBitCount))
        if entries[slot].length == length && entries[slot].low == low && entries[slot].high == high {
            return entries[slot].string
        }
        let string = String(decoding: bytes, as: UTF8.self)
        entries[slot] = Entry(length: length, low: low, high: high, string: string)
        return string
    }
}
