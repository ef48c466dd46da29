// JSON strings are equal when their Unicode scalars are (RFC 8259 §8.3). Swift's `String`
// `==` and `hash(into:)` use canonical equivalence instead: "Zoë" written with U+00EB equals
// "Zoë" written "e" + U+0308, and "K" equals KELVIN SIGN. Those are different JSON strings
// and different object keys, so every JSON comparison goes through these.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension String {
    /// Whether `self` and `other` are the same Unicode scalars, i.e. the same UTF-8 bytes.
    ///
    /// As fast as `==` where it matters: the same string value (a small string, or one storage
    /// shared) is recognised inline from its two words alone; the bytes are compared out of
    /// line, so that callers (JSONValue's `==`) stay small. Neither string is retained.
    @inline(__always)
    package func scalarsEqual(_ other: String) -> Bool {
        hasIdenticalRepresentation(to: other) || utf8Equal(other)
    }

    /// `readonly` (as the standard library marks its own string comparison) tells callers that
    /// nothing is released here, so they need not retain the strings around the call.
    @inline(never) @_effects(readonly)
    private func utf8Equal(_ other: String) -> Bool {
        let count = utf8.count
        guard count == other.utf8.count else { return false }
        let equal = utf8.withContiguousStorageIfAvailable { a in
            other.utf8.withContiguousStorageIfAvailable { b in UTF8Bytes.equal(a, b) }
        }
        if let equal, let equal { return equal }
        return utf8.elementsEqual(other.utf8)
    }

    /// Feeds the UTF-8 bytes to `hasher`: consistent with `scalarsEqual`.
    @inline(__always)
    package func hashScalars(into hasher: inout Hasher) {
        if utf8.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer($0)) }) == nil {
            Array(utf8).withUnsafeBytes { hasher.combine(bytes: $0) }
        }
        hasher.combine(0xFF as UInt8)  // a terminator, so that ["ab", "c"] and ["a", "bc"] hash apart
    }

    /// Whether the two values are bit for bit the same: then they are the same string (the
    /// converse does not hold). A String is two words on the 64-bit platforms streamtop runs on.
    @inline(__always)
    private func hasIdenticalRepresentation(to other: String) -> Bool {
        guard MemoryLayout<String>.size == MemoryLayout<(UInt64, UInt64)>.size else { return false }
        return unsafeBitCast(self, to: (UInt64, UInt64).self) == unsafeBitCast(other, to: (UInt64, UInt64).self)
    }
}

/// A String as a Dictionary or Set key with JSON equality: equal and hashed by Unicode scalars.
package struct JSONKey: Hashable, Sendable {
    package var string: String

    @inline(__always)
    package init(_ string: String) { self.string = string }

    @inline(__always)
    package static func == (lhs: JSONKey, rhs: JSONKey) -> Bool { lhs.string.scalarsEqual(rhs.string) }

    @inline(__always)
    package func hash(into hasher: inout Hasher) { string.hashScalars(into: &hasher) }
}

package enum UTF8Bytes {
    /// The length of the multi-byte UTF-8 sequence a lead byte starts, and the range its second
    /// byte must be in (Unicode Table 3-7); nil for a byte that starts none.
    @inline(__always)
    package static func sequence(_ lead: UInt8) -> (length: Int, low: UInt8, high: UInt8)? {
        switch lead {
        case 0xC2...0xDF: return (2, 0x80, 0xBF)
        case 0xE0: return (3, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: return (3, 0x80, 0xBF)
        case 0xED: return (3, 0x80, 0x9F)
        case 0xF0: return (4, 0x90, 0xBF)
        case 0xF1...0xF3: return (4, 0x80, 0xBF)
        case 0xF4: return (4, 0x80, 0x8F)
        default: return nil
        }
    }

    /// Whether the two buffers hold the same bytes: short ones compared here, longer through
    /// `memcmp` (vectorised).
    @inline(__always)
    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = a.count
        guard count == b.count else { return false }
        if count == 0 { return true }
        if count <= 16 { return equal(a.baseAddress!, b.baseAddress!, count) }
        return memcmp(a.baseAddress!, b.baseAddress!, count) == 0
    }

    /// Whether `count` bytes at `a` and `b` are equal, eight at a time.
    @inline(__always)
    static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var i = 0
        while i + 8 <= count {
            if UnsafeRawPointer(a).loadUnaligned(fromByteOffset: i, as: UInt64.self)
                != UnsafeRawPointer(b).loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < count {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }
}
