// Editing a tree in place, with a journal that can undo every edit since it began.
//
// A slot is written where it is stored: at the root, or in a word of its container's entries
// (a `Location`). Inserting shifts the later entries of the container, or, when it has no room
// left, copies its entries to the end of `words` with room for twice as many (the room is
// written in the word before them: a remove does not lose it). Nothing is ever freed: what is
// left behind is garbage until `collectGarbageIfNeeded` copies the live tree.

extension JSONTree {
    /// Where a slot is stored: `JSONTree.rootLocation`, or the index of a word in `words`.
    package typealias Location = Int
    package static let rootLocation: Location = -1

    @inline(__always)
    package subscript(location: Location) -> Slot {
        get { location < 0 ? root : Slot(raw: words[location]) }
    }

    /// The location of an array's element or an object member's value.
    @inline(__always)
    package func location(ofElement index: Int, in container: Slot) -> Location {
        container.offset &+ index &* container.stride &+ (container.kind == .object ? 1 : 0)
    }

    /// Every change made to a tree since a point, so that they can be undone.
    ///
    /// A change is two words: a slot written (its location and the slot it replaced), or the
    /// entries of a container shifted by an insert or a remove (undone by shifting them back,
    /// so that an edit at the front of a large container takes two words, not one per entry).
    package struct Journal {
        /// Whether changes are recorded. A single edit that fails changes nothing, so the last
        /// operation of a patch need not be recorded.
        package var recording = true
        /// Pairs of (location, old slot), or (`Journal.shift` | …, …) for a shift.
        var entries: [UInt64] = []
        let root: Slot
        let wordCount: Int
        let byteCount: Int

        /// Marks a shift (a location is below 2^62): bit 62 set for an insert's, clear for a
        /// remove's; bit 61 set for an object's entries; bits 0–60 where the entries start. The
        /// second word: the index of the entry inserted or removed, and the count before it
        /// (bits 32–63).
        static let shift: UInt64 = 1 << 63
        static let shiftInsert: UInt64 = 1 << 62
        static let shiftObject: UInt64 = 1 << 61

        package init(_ tree: JSONTree) {
            root = tree.root
            wordCount = tree.words.count
            byteCount = tree.bytes.count
        }

        /// Records the slot that was at `location` (a word of `words`, not the root).
        @inline(__always)
        mutating func record(_ location: Location, _ old: UInt64) {
            if recording { entries.append(UInt64(bitPattern: Int64(location))); entries.append(old) }
        }

        /// Records that the entries from `index` of a container (`count` of them before) were
        /// shifted up by an insert or down by a remove.
        @inline(__always)
        mutating func recordShift(base: Int, stride: Int, index: Int, count: Int, insert: Bool) {
            guard recording else { return }
            let flags = Journal.shift | (insert ? Journal.shiftInsert : 0) | (stride == 2 ? Journal.shiftObject : 0)
            entries.append(flags | UInt64(base))
            entries.append(UInt64(index) | UInt64(count) << 32)
        }

        /// Undoes every recorded change, newest first, and drops what was appended since.
        package func rollBack(_ tree: inout JSONTree) {
            var i = entries.count - 2
            while i >= 0 {
                let word = entries[i]
                if word & Journal.shift == 0 {
                    let location = Int(Int64(bitPattern: word))
                    if location < wordCount { tree.words[location] = entries[i + 1] }
                } else {
                    let base = Int(word & (Journal.shiftObject - 1))
                    if base < wordCount {
                        let stride = word & Journal.shiftObject != 0 ? 2 : 1
                        let index = Int(entries[i + 1] & 0xFFFF_FFFF)
                        let count = Int(entries[i + 1] >> 32)
                        tree.unshift(base: base, stride: stride, index: index, count: count,
                                     insert: word & Journal.shiftInsert != 0)
                    }
                }
                i -= 2
            }
            tree.root = root
            tree.words.removeLast(tree.words.count - wordCount)
            tree.bytes.removeLast(tree.bytes.count - byteCount)
        }
    }

    /// Undoes the shift of an insert at `index` (moves the later entries back down over it) or
    /// of a remove (moves them back up, leaving the removed entry's place to be restored), in a
    /// container of `count` entries before it.
    mutating func unshift(base: Int, stride: Int, index: Int, count: Int, insert: Bool) {
        if insert {
            for j in (index &* stride)..<(count &* stride) { words[base &+ j] = words[base &+ j &+ stride] }
        } else {
            var j = count &* stride &- 1
            while j >= (index &+ 1) &* stride {
                words[base &+ j] = words[base &+ j &- stride]
                j &-= 1
            }
        }
    }

    /// Stores `slot` at `location`.
    @inline(__always)
    package mutating func write(_ slot: Slot, at location: Location, journal: inout Journal) {
        if location < 0 {
            root = slot  // the journal keeps the root it started with
        } else {
            journal.record(location, words[location])
            words[location] = slot.raw
        }
    }

    /// The entries a container's storage has room for: its count as parsed, or as much as it
    /// was given when it grew.
    @inline(__always)
    package func room(_ container: Slot) -> Int {
        container.isInline ? Int(truncatingIfNeeded: words[container.offset &- 1]) : container.count
    }

    /// Inserts `entry` (one word for an array, two for an object) at `index` of the container
    /// stored at `location` (`index == count` appends).
    package mutating func insert(
        _ entry: (UInt64, UInt64), at index: Int, inContainerAt location: Location, journal: inout Journal
    ) {
        let container = self[location]
        let n = container.count
        let stride = container.stride
        if n < room(container) {
            let base = container.offset
            journal.recordShift(base: base, stride: stride, index: index, count: n, insert: true)
            var j = (n &+ 1) &* stride &- 1
            let first = index &* stride &+ stride
            while j >= first {  // shift the later entries up
                words[base &+ j] = words[base &+ j &- stride]
                j &-= 1
            }
            words[base &+ index &* stride] = entry.0
            if stride == 2 { words[base &+ index &* 2 &+ 1] = entry.1 }
            write(container.with(count: n &+ 1), at: location, journal: &journal)
            return
        }
        // No room: copy the entries to the end, after their room, with room to grow.
        let capacity = Swift.max(4, 2 &* n)
        words.reserveCapacity(words.count &+ 1 &+ capacity &* stride)
        words.append(UInt64(capacity))
        let base = words.count
        let old = container.offset
        for j in 0..<(index &* stride) { words.append(words[old &+ j]) }
        words.append(entry.0)
        if stride == 2 { words.append(entry.1) }
        for j in (index &* stride)..<(n &* stride) { words.append(words[old &+ j]) }
        words.append(contentsOf: repeatElement(0, count: (capacity &- n &- 1) &* stride))
        write(.container(container.kind, offset: base, count: n &+ 1, grown: true), at: location, journal: &journal)
    }

    /// Removes the entry at `index` of the container stored at `location`, and returns it.
    @discardableResult
    package mutating func remove(
        at index: Int, inContainerAt location: Location, journal: inout Journal
    ) -> (UInt64, UInt64) {
        let container = self[location]
        let n = container.count
        let stride = container.stride
        let base = container.offset
        let removed = (words[base &+ index &* stride], stride == 2 ? words[base &+ index &* 2 &+ 1] : 0)
        // Undone newest first: the shift back, then the removed entry put back in its place.
        journal.record(base &+ index &* stride, removed.0)
        if stride == 2 { journal.record(base &+ index &* 2 &+ 1, removed.1) }
        journal.recordShift(base: base, stride: stride, index: index, count: n, insert: false)
        var j = index &* stride
        let end = (n &- 1) &* stride
        while j < end {  // shift the later entries down
            words[base &+ j] = words[base &+ j &+ stride]
            j &+= 1
        }
        write(container.with(count: n &- 1), at: location, journal: &journal)
        return removed
    }

    /// A deep copy of the value at `slot` of `source`, stored in this tree. `keepingRoom`: a
    /// container that grew keeps its room to grow (the garbage collection's copy: a list that
    /// grows by one entry per patch must not be copied to grow again after each collection).
    package mutating func copy(_ slot: Slot, from source: JSONTree, keepingRoom: Bool = false) -> Slot {
        copyValue(slot, from: source, keepingRoom: keepingRoom)
    }

    /// A deep copy of one of this tree's own values (for `copy` operations).
    package mutating func duplicate(_ slot: Slot) -> Slot {
        copyValue(slot, from: nil, keepingRoom: false)
    }

    /// A deep copy of the value at `slot` of `source`, or of this tree when nil. This tree's own
    /// entries and bytes are read from its storage, which appending does not move from under
    /// the copy (the indices stay valid), and never shared (which would copy all of it).
    private mutating func copyValue(_ slot: Slot, from source: JSONTree?, keepingRoom: Bool) -> Slot {
        switch slot.kind {
        case .null, .true, .false: return slot
        case .string, .number:
            if slot.isInline { return slot }
            if let source { return source.withBytes(slot) { makeScalar(slot.kind, $0) } }
            let offset = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: slot.count))
            bytes.withUnsafeMutableBufferPointer { all in
                (all.baseAddress! + offset).update(from: all.baseAddress! + slot.offset, count: slot.count)
            }
            return .outOfLine(slot.kind, offset: offset, count: slot.count)
        case .array, .object:
            let n = slot.count
            guard n > 0 else { return .container(slot.kind, offset: 0, count: 0, grown: false) }
            let stride = slot.stride
            let grown = keepingRoom && slot.isInline
            let room = grown ? (source?.room(slot) ?? room(slot)) : n
            if grown { words.append(UInt64(room)) }
            let base = words.count
            words.append(contentsOf: repeatElement(0, count: room &* stride))
            for j in 0..<(n &* stride) {
                let entry = source?.words[slot.offset &+ j] ?? words[slot.offset &+ j]
                words[base &+ j] = copyValue(Slot(raw: entry), from: source, keepingRoom: keepingRoom).raw
            }
            return .container(slot.kind, offset: base, count: n, grown: grown)
        }
    }

    /// How many containers nest in `slot` (0 for a scalar), counting no further than `limit`:
    /// past it, `limit + 1`.
    package func nesting(_ slot: Slot, upTo limit: Int) -> Int {
        guard slot.isContainer else { return 0 }
        guard limit > 0 else { return 1 }
        var deepest = 0
        let stride = slot.stride
        for i in 0..<slot.count {
            let child = Slot(raw: words[slot.offset &+ i &* stride &+ stride &- 1])
            guard child.isContainer else { continue }
            deepest = max(deepest, nesting(child, upTo: limit &- 1))
            if deepest >= limit { return limit &+ 1 }
        }
        return deepest &+ 1
    }

    /// How many values a copy of `slot` would add (keys not counted), counting no further than
    /// `limit`: past it, some number above `limit`.
    package func countValues(_ slot: Slot, upTo limit: Int) -> Int {
        guard slot.isContainer else { return 1 }
        var total = 1
        let stride = slot.stride
        for i in 0..<slot.count {
            let child = Slot(raw: words[slot.offset &+ i &* stride &+ stride &- 1])
            total &+= child.isContainer ? countValues(child, upTo: limit &- total) : 1
            if total > limit { return total }
        }
        return total
    }

    /// Copies the live tree into fresh storage once `words` or `bytes` has grown to twice what
    /// it was after the last collection: garbage never passes the live document's own size
    /// (plus slack), at an amortised cost of one copy per word appended. Containers that grew
    /// keep their room, so that the next insert does not move them again.
    package mutating func collectGarbageIfNeeded() {
        guard words.count > 2 &* liveWords &+ 4096 || bytes.count > 2 &* liveBytes &+ 16384 else { return }
        var fresh = JSONTree()
        fresh.words.reserveCapacity(liveWords)
        fresh.bytes.reserveCapacity(liveBytes)
        fresh.root = fresh.copy(root, from: self, keepingRoom: true)
        fresh.liveWords = fresh.words.count
        fresh.liveBytes = fresh.bytes.count
        self = fresh
    }
}
