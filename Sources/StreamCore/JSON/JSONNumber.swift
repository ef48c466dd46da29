/// A JSON number kept as its exact source text.
///
/// Numbers are never rounded through `Double`: a 30-digit integer survives a parse/write round
/// trip unchanged. Two numbers are equal when their mathematical values are equal, so
/// `1`, `1.0`, `1e0` and `10e-1` are all the same number, and `-0` equals `0`.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// Most numbers in API data are integers or short decimals: those are kept as a scaled
    /// integer (no allocation, cheap to compare and write) that reproduces the original text
    /// exactly, trailing zeros included. Everything else (exponents, more than 18 digits,
    /// negative zero) keeps its text.
    enum Storage: Sendable {
        /// `significand / 10^scale`, written with exactly `scale` fraction digits.
        case decimal(significand: Int64, scale: UInt8)
        case text(String)
    }

    let storage: Storage

    init(storage: Storage) {
        self.storage = storage
    }

    /// Wraps text already known to be a valid JSON number (the parser's path).
    init(validatedText: String) {
        self.storage = JSONNumber.compact(validatedText) ?? .text(validatedText)
    }

    /// Creates a number from JSON number text; `nil` when the text is not RFC 8259 number syntax.
    public init?(_ text: String) {
        var copy = text
        let valid = copy.withUTF8 { JSONNumber.isValidSyntax(UnsafeBufferPointer(rebasing: $0[...])) }
        guard valid else { return nil }
        self.init(validatedText: text)
    }

    public init(_ value: Int) {
        self.storage = .decimal(significand: Int64(value), scale: 0)
    }

    /// Creates a number from a finite `Double`, using the shortest text that reads back exactly.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        if abs(value) < 1e15, let integer = Int64(exactly: value) {
            self.init(storage: .decimal(significand: integer, scale: 0))
        } else {
            // Swift's description is the shortest round-tripping form ("0.1", "1e-07",
            // "1e+16"), and each of those spellings is valid JSON number syntax.
            self.init(validatedText: "\(value)")
        }
    }

    /// The number as JSON text, e.g. `-12.5e3`, exactly as it was parsed.
    public var text: String {
        switch storage {
        case .text(let text): return text
        case .decimal:
            var buffer = ByteBuffer(capacity: 24)
            write(into: buffer.reserve(0))
            return buffer.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// Appends the number's text. Releases nothing, so that a writer walking a document need
    /// not retain a number's text around the call.
    @_effects(releasenone)
    func write(into storage: ByteBuffer.Storage) {
        switch self.storage {
        case .text(let text):
            if text.utf8.withContiguousStorageIfAvailable({ storage.append($0) }) == nil {
                var text = text  // a bridged string: withUTF8 makes it contiguous
                text.withUTF8 { storage.append($0) }
            }
        case .decimal(let significand, let scale):
            JSONNumber.writeDecimal(significand, scale: Int(scale), into: storage)
        }
    }

    /// Writes `significand / 10^scale` with exactly `scale` fraction digits, straight into the
    /// buffer: sign, integer part, point, zero-padded fraction. The fraction's digits are
    /// written first, from the right; what is left of the magnitude is the integer part (no
    /// division by a variable power of ten).
    @inline(__always)
    static func writeDecimal(_ significand: Int64, scale: Int, into storage: ByteBuffer.Storage) {
        let magnitude = significand.magnitude
        let digits = digitCount(magnitude)
        let integerDigits = scale < digits ? digits - scale : 1
        let sign = significand < 0 ? 1 : 0
        let length = sign + integerDigits + (scale > 0 ? 1 + scale : 0)
        storage.ensure(length)
        let start = storage.base + storage.count
        start.pointee = UInt8(ascii: "-")  // overwritten by the first digit when not negative
        var integer = magnitude
        if scale > 0 {
            integer = writeDigits(magnitude, count: scale, at: start + sign + integerDigits + 1)
            start[sign + integerDigits] = UInt8(ascii: ".")
        }
        writeDigits(integer, count: integerDigits, at: start + sign)
        storage.count += length
    }

    /// 10^0 through 10^19, for `digitCount`.
    private static let powersOfTen: [UInt64] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
        10_000_000_000, 100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000,
        1_000_000_000_000_000, 10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
        10_000_000_000_000_000_000,
    ]

    /// Decimal digits of `value` (1 for zero): the bit length gives the count or one less
    /// (bits × log10 2, as 1233 / 4096), one comparison tells which.
    @inline(__always)
    static func digitCount(_ value: UInt64) -> Int {
        let odd = value | 1  // same count (no power of ten is odd but 1), and zero counts as one digit
        let estimate = ((64 - odd.leadingZeroBitCount) &* 1233) >> 12
        return estimate + (odd >= powersOfTen[estimate] ? 1 : 0)
    }

    /// Writes the last `count` decimal digits of `value` (zero-padded) ending at `start + count`,
    /// two digits per division, and returns what is left: `value / 10^count`.
    @inline(__always) @discardableResult
    static func writeDigits(_ value: UInt64, count: Int, at start: UnsafeMutablePointer<UInt8>) -> UInt64 {
        var value = value
        var position = count
        let pairs = twoDigits.utf8Start
        while position >= 2 {
            let pair = Int(value % 100)
            value /= 100
            start[position - 1] = pairs[2 * pair + 1]
            start[position - 2] = pairs[2 * pair]
            position -= 2
        }
        if position == 1 {
            start[0] = UInt8(truncatingIfNeeded: value % 10) &+ 48
            value /= 10
        }
        return value
    }

    /// "00" through "99", for writing two digits per division.
    private static let twoDigits: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """

    public var description: String { text }

    /// The nearest `Double` (big or very precise numbers lose precision here, never in `text`).
    public var doubleValue: Double {
        if case .decimal(let significand, 0) = storage { return Double(significand) }
        return Double(text) ?? .nan
    }

    /// The value as an `Int` when it is an integer that fits, whatever its spelling (`1e2` is 100).
    public var intValue: Int? {
        if case .decimal(let significand, let scale) = storage {
            var value = significand
            for _ in 0..<scale {
                guard value % 10 == 0 else { return nil }
                value /= 10
            }
            return Int(value)
        }
        let canonical = self.canonical
        if canonical.digits.isEmpty { return 0 }
        guard canonical.exponent >= canonical.digits.count, canonical.exponent <= 19 else { return nil }
        var result = 0
        for digit in canonical.digits {
            let (m, o1) = result.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(digit - 48))
            if o1 || o2 { return nil }
            result = a
        }
        for _ in 0..<(canonical.exponent - canonical.digits.count) {
            let (m, o) = result.multipliedReportingOverflow(by: 10)
            if o { return nil }
            result = m
        }
        return canonical.negative ? -result : result
    }

    /// The compact storage for plain decimals of up to 18 digits; nil for other spellings.
    static func compact(_ text: String) -> Storage? { compact(utf8: text.utf8) }

    /// `compact` over any UTF-8 bytes (a tree's number text).
    static func compact<Bytes: Sequence<UInt8>>(utf8: Bytes) -> Storage? {
        var significand: Int64 = 0
        var scale = 0
        var digits = 0
        var negative = false
        var inFraction = false
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "-"): negative = true
            case UInt8(ascii: "."): inFraction = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits += 1
                if digits > 18 { return nil }
                significand = significand * 10 + Int64(byte - 48)
                if inFraction { scale += 1 }
            default: return nil  // an exponent
            }
        }
        if negative {
            if significand == 0 { return nil }  // keep "-0" as written
            significand = -significand
        }
        return .decimal(significand: significand, scale: UInt8(scale))
    }

    // MARK: Equality by value

    /// Sign, significant digits (no leading or trailing zeros) and the decimal exponent such
    /// that the value is `0.d1d2d3… × 10^exponent`. Zero has no digits and is never negative.
    struct Canonical: Hashable {
        var negative: Bool
        var digits: [UInt8]
        var exponent: Int
    }

    var canonical: Canonical {
        var negative = false
        var digits: [UInt8] = []
        var pointPosition: Int? = nil  // number of integer+fraction digits before the "."
        var explicitExponent = 0
        var seenNonZero = false
        var leadingZerosAfterPoint = 0
        var integerDigits = 0
        let text = self.text
        var utf8 = Array(text.utf8)[...]
        if utf8.first == UInt8(ascii: "-") {
            negative = true
            utf8 = utf8.dropFirst()
        }
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: ".") {
                pointPosition = integerDigits
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                explicitExponent = JSONNumber.saturatingExponent(utf8[(index + 1)...])
                break
            } else {
                if pointPosition == nil { integerDigits += 1 }
                if byte != UInt8(ascii: "0") || seenNonZero {
                    seenNonZero = true
                    digits.append(byte)
                } else if pointPosition != nil {
                    leadingZerosAfterPoint += 1
                } else {
                    // A leading zero of the integer part ("0" in "0.5"): not significant.
                    integerDigits -= 1
                }
            }
            index += 1
        }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        if digits.isEmpty { return Canonical(negative: false, digits: [], exponent: 0) }
        // Value = 0.digits × 10^(integerDigits - leadingZerosAfterPoint + explicitExponent),
        // where the leading zeros only count when there is no integer part.
        let shift = integerDigits > 0 ? integerDigits : -leadingZerosAfterPoint
        let (exponent, overflow) = shift.addingReportingOverflow(explicitExponent)
        return Canonical(
            negative: negative, digits: digits,
            exponent: overflow ? (explicitExponent > 0 ? Int.max : Int.min) : exponent)
    }

    /// Exponent digits as an Int, saturating far beyond any representable magnitude
    /// (exponents past ±4.6e18 compare equal to each other; nothing real is that large).
    private static func saturatingExponent(_ bytes: ArraySlice<UInt8>) -> Int {
        var negative = false
        var rest = bytes
        if let sign = rest.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            rest = rest.dropFirst()
        }
        var value = 0
        for byte in rest {
            value = value > Int.max / 20 ? Int.max / 2 : value * 10 + Int(byte - 48)
        }
        return negative ? -value : value
    }

    /// `(s, e)` with value `s × 10^e` and `s` not divisible by 10: one spelling per value, for
    /// numbers of up to 18 significant digits. Nil for longer ones.
    var reduced: (significand: Int64, exponent: Int)? {
        switch storage {
        case .decimal(var significand, let scale):
            var exponent = -Int(scale)
            if significand == 0 { return (0, 0) }
            while significand % 10 == 0 {
                significand /= 10
                exponent += 1
            }
            return (significand, exponent)
        case .text:
            let canonical = self.canonical
            if canonical.digits.isEmpty { return (0, 0) }
            guard canonical.digits.count <= 18 else { return nil }
            var significand: Int64 = 0
            for digit in canonical.digits { significand = significand * 10 + Int64(digit - 48) }
            let (exponent, overflow) = canonical.exponent.subtractingReportingOverflow(canonical.digits.count)
            if overflow { return nil }
            return (canonical.negative ? -significand : significand, exponent)
        }
    }

    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case let (.decimal(a, scaleA), .decimal(b, scaleB)):
            if scaleA == scaleB { return a == b }
            // Bring both to the larger scale; if that overflows, the values differ
            // (the other one fits in 18 digits).
            let (low, lowScale, high, highScale) = scaleA < scaleB ? (a, scaleA, b, scaleB) : (b, scaleB, a, scaleA)
            var scaled = low
            for _ in 0..<(highScale - lowScale) {
                let (m, overflow) = scaled.multipliedReportingOverflow(by: 10)
                if overflow { return false }
                scaled = m
            }
            return scaled == high
        case let (.text(a), .text(b)) where a == b:
            return true
        default:
            return lhs.canonical == rhs.canonical
        }
    }

    public func hash(into hasher: inout Hasher) {
        if let reduced {
            hasher.combine(reduced.significand)
            hasher.combine(reduced.exponent)
        } else {
            hasher.combine(canonical)
        }
    }

    // MARK: Syntax

    /// RFC 8259: `-? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?`
    static func isValidSyntax(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        func digit(_ k: Int) -> Bool { k < n && bytes[k] >= 48 && bytes[k] <= 57 }
        if i < n && bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard digit(i) else { return false }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else { while digit(i) { i += 1 } }
        if i < n && bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digit(i) else { return false }
            while digit(i) { i += 1 }
        }
        if i < n && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            if i < n && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard digit(i) else { return false }
            while digit(i) { i += 1 }
        }
        return i == n
    }
}
