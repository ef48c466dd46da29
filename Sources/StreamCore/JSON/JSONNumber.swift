/// A JSON number kept as its exact source text.
///
/// Numbers are never rounded through `Double`: a 30-digit integer survives a parse/write round
/// trip unchanged. Two numbers are equal when their mathematical values are equal, so
/// `1`, `1.0`, `1e0` and `10e-1` are all the same number, and `-0` equals `0`.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number as JSON text, e.g. `-12.5e3`. Always valid RFC 8259 number syntax.
    public let text: String

    /// Wraps text already known to be a valid JSON number (the parser's path).
    init(validatedText: String) {
        self.text = validatedText
    }

    /// Creates a number from JSON number text; `nil` when the text is not RFC 8259 number syntax.
    public init?(_ text: String) {
        var copy = text
        let valid = copy.withUTF8 { JSONNumber.isValidSyntax(UnsafeBufferPointer(rebasing: $0[...])) }
        guard valid else { return nil }
        self.text = text
    }

    public init(_ value: Int) {
        self.text = String(value)
    }

    /// Creates a number from a finite `Double`, using the shortest text that reads back exactly.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        if abs(value) < 1e15, let integer = Int64(exactly: value) {
            self.text = String(integer)
        } else {
            // Swift's description is the shortest round-tripping form ("0.1", "1e-07",
            // "1e+16"), and each of those spellings is valid JSON number syntax.
            self.text = "\(value)"
        }
    }

    public var description: String { text }

    /// The nearest `Double` (big or very precise numbers lose precision here, never in `text`).
    public var doubleValue: Double { Double(text) ?? .nan }

    /// The value as an `Int` when it is an integer that fits, whatever its spelling (`1e2` is 100).
    public var intValue: Int? {
        if let plain = Int(text) { return plain }
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

    /// True when the text is a plain integer: such texts are equal only when identical,
    /// because JSON forbids leading zeros.
    private var isPlainInteger: Bool {
        for byte in text.utf8 where byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            return false
        }
        return text != "-0"
    }

    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if lhs.text == rhs.text { return true }
        if lhs.isPlainInteger && rhs.isPlainInteger { return false }
        return lhs.canonical == rhs.canonical
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(canonical)
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
