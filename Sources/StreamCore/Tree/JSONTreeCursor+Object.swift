// Objects, and finding a repeated key while one is parsed.
//
// A key's slot is its identity: a key of up to 7 bytes is always in its slot, so two short keys
// are equal exactly when their slots are, and a short key never equals a long one. While an
// object is small, a 64-bit Bloom filter of cheap key hashes lets most keys skip the search,
// and the search compares one word a member. Past `ObjectKeys.tableThreshold` members the
// positions go in an open-addressing table keyed by a seeded hash (`Hasher`), so that no text
// can make the search quadratic: a hostile 100,000-key object takes linear time.

/// What is known of the keys of the object being parsed.
struct ObjectKeys {
    /// Objects of this many members get a table.
    static let tableThreshold = 16
    /// One bit per cheap key hash seen, while there is no table.
    var seen: UInt64 = 0
    /// Open addressing by the keys' seeded hashes, a power of two of buckets at most half full:
    /// 0 for an empty bucket, else a member's position plus one.
    var table: [UInt32] = []
}

extension JSONTreeCursor {
    mutating func parseObject(depth: Int, _ stack: ScratchStack<UInt64>) throws(JSONParseError) -> Slot {
        guard try openContainer(depth: depth, maxDepth: options.maxDepth, close: UInt8(ascii: "}")) else {
            return .container(.object, offset: 0, count: 0, grown: false)
        }
        let base = stack.count
        var keys = ObjectKeys()
        repeat {
            try expectKey()
            let keyOffset = position
            let key = try parseString()
            try expectColon()
            let hash = keys.table.isEmpty ? JSONTreeCursor.bloomBit(cheapHash(key)) : tableHash(key)
            let existing = member(key, hash: hash, in: stack, from: base, keys: keys)
            if existing != nil && !key.isInline {
                stringsEnd -= key.count  // the earlier key's bytes are the same
            }
            let value = try parseValue(depth: depth, stack)
            if let existing {
                if options.duplicateKeys == .reject {
                    throw fail(.duplicateKey(tree.string(Slot(raw: stack[base &+ 2 &* existing]))), at: keyOffset)
                }
                stack[base &+ 2 &* existing &+ 1] = value.raw
            } else {
                guard stack.push(key.raw, charging: &budget), stack.push(value.raw, charging: &budget) else {
                    throw overBudget()
                }
                try remember(key, hash: hash, in: stack, from: base, keys: &keys)
            }
        } while try objectContinues()
        budget.credit(keys.table.count &* 4)
        return try finish(.object, stack, from: base)
    }

    // MARK: Finding keys

    /// The position of the member with `key` of the object whose entries are on `stack` from
    /// `base`, or nil. `hash` is its Bloom bit while there is no table, else its table hash.
    @inline(__always)
    func member(_ key: Slot, hash: UInt64, in stack: ScratchStack<UInt64>, from base: Int, keys: ObjectKeys) -> Int? {
        let n = (stack.count &- base) >> 1
        guard !keys.table.isEmpty else {
            guard keys.seen & hash != 0 else { return nil }  // no earlier key has this bit
            for i in 0..<n where tree.bytesEqual(Slot(raw: stack[base &+ 2 &* i]), key) { return i }
            return nil
        }
        let mask = keys.table.count &- 1
        var bucket = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = keys.table[bucket]
            if entry == 0 { return nil }
            let i = Int(entry) &- 1
            if tree.bytesEqual(Slot(raw: stack[base &+ 2 &* i]), key) { return i }
            bucket = (bucket &+ 1) & mask
        }
    }

    /// Records the key of the member just pushed, building or growing the table as it must.
    @inline(__always)
    mutating func remember(
        _ key: Slot, hash: UInt64, in stack: ScratchStack<UInt64>, from base: Int, keys: inout ObjectKeys
    ) throws(JSONParseError) {
        let n = (stack.count &- base) >> 1
        if keys.table.isEmpty {
            keys.seen |= hash
            if n == ObjectKeys.tableThreshold { try index(&keys, buckets: 4 &* n, in: stack, from: base) }
        } else if 2 &* n > keys.table.count {
            try index(&keys, buckets: 2 &* keys.table.count, in: stack, from: base)
        } else {
            JSONTreeCursor.insert(position: n &- 1, hash: hash, into: &keys.table)
        }
    }

    /// A new table of `buckets` buckets holding every member so far.
    @inline(never)
    mutating func index(_ keys: inout ObjectKeys, buckets: Int, in stack: ScratchStack<UInt64>, from base: Int)
        throws(JSONParseError)
    {
        try charge(buckets &* 4)
        budget.credit(keys.table.count &* 4)
        var table = [UInt32](repeating: 0, count: buckets)
        for i in 0..<((stack.count &- base) >> 1) {
            JSONTreeCursor.insert(position: i, hash: tableHash(Slot(raw: stack[base &+ 2 &* i])), into: &table)
        }
        keys.table = table
    }

    @inline(__always)
    static func insert(position: Int, hash: UInt64, into table: inout [UInt32]) {
        let mask = table.count &- 1
        var bucket = Int(truncatingIfNeeded: hash) & mask
        while table[bucket] != 0 { bucket = (bucket &+ 1) & mask }
        table[bucket] = UInt32(truncatingIfNeeded: position &+ 1)
    }

    /// A hash of a key's bytes for the Bloom filter: the slot itself for a short key; the
    /// length and first and last eight bytes for a long one.
    @inline(__always)
    func cheapHash(_ key: Slot) -> UInt64 {
        guard !key.isInline else { return key.raw }
        return tree.bytes.withUnsafeBytes { raw in
            let first = raw.loadUnaligned(fromByteOffset: key.offset, as: UInt64.self)
            let last = raw.loadUnaligned(fromByteOffset: key.offset &+ key.count &- 8, as: UInt64.self)
            return first ^ (last &* 0xBF58_476D_1CE4_E5B9) ^ UInt64(key.count)
        }
    }

    @inline(__always)
    static func bloomBit(_ hash: UInt64) -> UInt64 {
        1 << ((hash &* 0x9E37_79B9_7F4A_7C15) >> 58)
    }

    /// A key's hash under this process's random seed.
    func tableHash(_ key: Slot) -> UInt64 {
        var hasher = Hasher()
        if key.isInline {
            hasher.combine(key.raw)
        } else {
            tree.withBytes(key) { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }
}
