/// What the values built from one JSON text may take in memory, and what they take so far.
///
/// A parsed value costs more than its text: `[0]` is 4 bytes of text but a 64-byte heap block
/// for the array plus 24 bytes for its slot in the enclosing one, so `[[0],[0],…]` takes 22×
/// its text. The parser charges each allocation it is about to make (a container's storage, an
/// object's index, a string too long to be stored inline, the growth of its scratch stacks) at
/// the sizes those blocks really have, and stops with `JSONParseError.Reason.tooMuchMemory`
/// before the total passes the limit. Scalars in place cost nothing to check: they are paid for
/// by the container that holds them.
struct MemoryBudget {
    /// The least any document may take: documents under ~500 KB of text parse however small
    /// their values (an array of one-digit numbers takes 12× its text, records of 20 one-digit
    /// members up to 14×: legit shapes the 6× rule alone would refuse).
    static let floorBytes = 8 << 20

    private(set) var used = 0
    private var highest = 0
    let limit: Int
    let textBytes: Int
    let perTextByte: Int

    init(textBytes: Int, options: JSONParser.Options) {
        self.textBytes = textBytes
        perTextByte = options.maxMemoryPerTextByte
        let proportional = textBytes.multipliedReportingOverflow(by: perTextByte)
        let scaled = proportional.overflow ? Int.max : max(MemoryBudget.floorBytes, proportional.partialValue)
        limit = min(options.maxMemoryBytes, scaled)
    }

    private init(limit: Int) {
        self.limit = limit
        textBytes = 0
        perTextByte = 0
    }

    /// For values built from something other than text (nothing to be in proportion to).
    static var unlimited: MemoryBudget { MemoryBudget(limit: .max) }

    /// Records an allocation of `bytes`; false when it would take the total past the limit.
    @inline(__always)
    mutating func charge(_ bytes: Int) -> Bool {
        used &+= bytes
        return used <= limit
    }

    /// Records that `bytes` charged earlier are no longer in memory.
    mutating func credit(_ bytes: Int) {
        guard bytes > 0 else { return }
        highest = max(highest, used)
        used -= bytes
    }

    /// The most that was in use at any time (`used` only goes down through `credit`).
    var peak: Int { max(highest, used) }

    var isExceeded: Bool { used > limit }

    var reason: JSONParseError.Reason {
        .tooMuchMemory(limit: limit, textBytes: textBytes, perTextByte: perTextByte)
    }

    // MARK: What blocks cost

    /// A malloc block holding `request` bytes: glibc adds an 8-byte header and rounds to 16.
    @inline(__always)
    static func block(_ request: Int) -> Int { (request &+ 23) & ~15 }

    /// The header of a Swift array's storage (object header, count, capacity).
    static let arrayHeader = 32
    /// The header of a native Swift string's storage; strings of up to 15 UTF-8 bytes are
    /// stored inline and cost nothing.
    static let stringHeader = 32
    static let largestInlineString = 15

    /// A non-empty array of `count` elements of `stride` bytes (empty arrays share one
    /// storage).
    @inline(__always)
    static func array(count: Int, stride: Int) -> Int {
        count == 0 ? 0 : block(arrayHeader &+ count &* stride)
    }

    /// A string of `utf8Count` bytes (its storage holds them and a NUL, rounded up to 16).
    @inline(__always)
    static func string(utf8Count: Int) -> Int {
        utf8Count <= largestInlineString ? 0 : block(stringHeader &+ ((utf8Count &+ 16) & ~15))
    }

    /// A native dictionary of keys and positions able to hold `capacity` entries: buckets are
    /// a power of two, at most three quarters full; each holds a key, a value and a bit.
    static func index(capacity: Int) -> Int {
        guard capacity > 0 else { return 0 }
        let buckets = max(2, ((capacity * 4 + 2) / 3).nextPowerOfTwo)
        let entry = MemoryLayout<JSONKey>.stride + MemoryLayout<Int>.stride
        return block(64 + buckets * entry + buckets / 8)
    }
}

extension Int {
    fileprivate var nextPowerOfTwo: Int {
        self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}
