extension UnsafeBufferPointer where Element == UInt8 {
    /// Whether these bytes spell `literal` exactly (for field and member names on hot paths,
    /// where building a String to compare would cost more than the comparison).
    @inline(__always)
    func equals(_ literal: StaticString) -> Bool {
        guard count == literal.utf8CodeUnitCount else { return false }
        let other = literal.utf8Start
        for i in 0..<count where self[i] != other[i] { return false }
        return true
    }
}
