// JSON equality on trees, as `JSONValue`'s: numbers by value, strings and keys by their bytes
// (Unicode scalars), objects as unordered sets of members, arrays in order.

extension JSONTree: Hashable {
    public func hash(into hasher: inout Hasher) { hash(root, into: &hasher) }

    public static func == (lhs: JSONTree, rhs: JSONTree) -> Bool {
        equal(lhs.root, in: lhs, rhs.root, in: rhs)
    }

    /// Whether the value at `a` in `x` equals the value at `b` in `y` (`x` and `y` may be one tree).
    package static func equal(_ a: Slot, in x: JSONTree, _ b: Slot, in y: JSONTree) -> Bool {
        let kind = a.kind
        guard kind == b.kind else { return false }
        switch kind {
        case .null, .true, .false:
            return true
        case .string:
            if a.isInline || b.isInline { return a.raw == b.raw }
            return outOfLineBytesEqual(a, in: x, b, in: y)
        case .number:
            // The same text (most often), else the same value in another spelling.
            if a.isInline ? a.raw == b.raw : !b.isInline && outOfLineBytesEqual(a, in: x, b, in: y) { return true }
            return x.withBytes(a) { p in y.withBytes(b) { q in numbersEqual(p, q) } }
        case .array:
            let n = a.count
            guard n == b.count else { return false }
            if a.raw == b.raw && x.sharesStorage(with: y) { return true }
            return entries(of: a, in: x, b, in: y) { u, v in
                for i in 0..<n where !childrenEqual(Slot(raw: u[i]), in: x, Slot(raw: v[i]), in: y) { return false }
                return true
            }
        case .object:
            let n = a.count
            guard n == b.count else { return false }
            if a.raw == b.raw && x.sharesStorage(with: y) { return true }
            return entries(of: a, in: x, b, in: y) { u, v in
                for i in 0..<n {
                    let key = Slot(raw: u[2 &* i])
                    // The same order of members is the common case: try the same position first.
                    var position = i
                    if !y.keysEqual(Slot(raw: v[2 &* i]), key, in: x) {
                        guard let found = x.withBytes(key, { y.position(of: $0, in: b) }) else { return false }
                        position = found
                    }
                    let value = Slot(raw: v[2 &* position &+ 1])
                    guard childrenEqual(Slot(raw: u[2 &* i &+ 1]), in: x, value, in: y) else { return false }
                }
                return true
            }
        }
    }

    /// Whether out-of-line strings or numbers `a` of `x` and `b` of `y` have the same bytes.
    @inline(__always)
    static func outOfLineBytesEqual(_ a: Slot, in x: JSONTree, _ b: Slot, in y: JSONTree) -> Bool {
        guard a.count == b.count else { return false }
        return x.bytes.withUnsafeBufferPointer { p in
            y.bytes.withUnsafeBufferPointer { q in
                UTF8Bytes.equal(UnsafeBufferPointer(start: p.baseAddress! + a.offset, count: a.count),
                                UnsafeBufferPointer(start: q.baseAddress! + b.offset, count: b.count))
            }
        }
    }

    /// Calls `body` with where the entries of container `a` of `x` and `b` of `y` start: the
    /// loops over them read words without bounds checks or reloading the arrays.
    @inline(__always)
    static func entries(
        of a: Slot, in x: JSONTree, _ b: Slot, in y: JSONTree,
        _ body: (UnsafePointer<UInt64>, UnsafePointer<UInt64>) -> Bool
    ) -> Bool {
        x.words.withUnsafeBufferPointer { u in
            y.words.withUnsafeBufferPointer { v in body(u.baseAddress! + a.offset, v.baseAddress! + b.offset) }
        }
    }

    /// `equal` for a container's elements and members: most are values whole in their slot,
    /// identical when equal, and compared without a call.
    @inline(__always)
    static func childrenEqual(_ a: Slot, in x: JSONTree, _ b: Slot, in y: JSONTree) -> Bool {
        (a.raw == b.raw && a.isWhole) || equal(a, in: x, b, in: y)
    }

    /// Whether key slot `a` of this tree and key slot `b` of `other` are the same string.
    @inline(__always)
    package func keysEqual(_ a: Slot, _ b: Slot, in other: JSONTree) -> Bool {
        if a.isInline || b.isInline { return a.raw == b.raw }
        guard a.count == b.count else { return false }
        return withBytes(a) { p in other.withBytes(b) { q in UTF8Bytes.equal(p, q) } }
    }

    /// Whether the two trees are one storage (a copy not yet written to): then equal slots are
    /// equal values.
    @inline(__always)
    func sharesStorage(with other: JSONTree) -> Bool {
        words.withUnsafeBufferPointer { a in
            other.words.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress }
        }
    }

    /// Whether two numbers' texts have the same value: `1`, `1.0` and `10e-1` do.
    package static func numbersEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        if UTF8Bytes.equal(a, b) { return true }
        if sameShape(a, b) { return false }
        return number(a) == number(b)
    }

    /// Whether two numbers' texts are of one shape: as long, without an exponent, with the same
    /// sign and the decimal point (if any) at the same place. Two such texts that differ are
    /// different numbers (a replaced price, a counter): JSON allows no leading zeros, so their
    /// digits line up, and trailing zeros would make one longer.
    @inline(__always)
    static func sameShape(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count, a.count > 0, (a[0] == UInt8(ascii: "-")) == (b[0] == UInt8(ascii: "-")) else {
            return false
        }
        for i in 0..<a.count {
            let x = a[i]
            let y = b[i]
            if x | 0x20 == UInt8(ascii: "e") || y | 0x20 == UInt8(ascii: "e") { return false }
            if (x == UInt8(ascii: ".")) != (y == UInt8(ascii: ".")) { return false }
        }
        return true
    }

    /// A number's text as a `JSONNumber`: without building a String when it is a plain decimal.
    @inline(__always)
    package static func number(_ text: UnsafeBufferPointer<UInt8>) -> JSONNumber {
        if let compact = JSONNumber.compact(utf8: text) { return JSONNumber(storage: compact) }
        return JSONNumber(validatedText: String(decoding: text, as: UTF8.self))
    }

    /// Feeds the value at `slot` to `hasher`, consistently with `equal`: objects' members in any
    /// order hash alike, as do numbers of the same value.
    package func hash(_ slot: Slot, into hasher: inout Hasher) {
        switch slot.kind {
        case .null, .true, .false:
            hasher.combine(slot.raw & 7)
        case .string:
            hasher.combine(4 as UInt8)
            withBytes(slot) { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        case .number:
            hasher.combine(3 as UInt8)
            hasher.combine(withBytes(slot) { JSONTree.number($0) })
        case .array:
            hasher.combine(5 as UInt8)
            hasher.combine(slot.count)
            for i in 0..<slot.count { hash(element(slot, i), into: &hasher) }
        case .object:
            hasher.combine(6 as UInt8)
            hasher.combine(slot.count)
            // Order-independent: the members' own hashes, added.
            var sum = 0
            for i in 0..<slot.count {
                var member = Hasher()
                withBytes(key(slot, i)) { member.combine(bytes: UnsafeRawBufferPointer($0)) }
                hash(memberValue(slot, i), into: &member)
                sum = sum &+ member.finalize()
            }
            hasher.combine(sum)
        }
    }
}
