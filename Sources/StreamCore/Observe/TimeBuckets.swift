/// Counters per fixed time slot, over a bounded past: a ring of `slotCount` slots of
/// `slotLength` each. Adding to a slot that the ring has moved past reuses it, so memory is
/// fixed however long a stream runs.
///
/// Each slot holds the same counters (wire and payload bytes, events, patches, changes), which
/// is all the rates and sparklines need.
public struct TimeBuckets: Sendable, Equatable {
    public struct Counters: Sendable, Equatable {
        public var wireBytes: Int64 = 0
        public var payloadBytes: Int64 = 0
        public var events: Int64 = 0
        public var patches: Int64 = 0
        public var changes: Int64 = 0

        public init(wireBytes: Int64 = 0, payloadBytes: Int64 = 0, events: Int64 = 0, patches: Int64 = 0, changes: Int64 = 0) {
            self.wireBytes = wireBytes
            self.payloadBytes = payloadBytes
            self.events = events
            self.patches = patches
            self.changes = changes
        }

        static func += (lhs: inout Counters, rhs: Counters) {
            lhs.wireBytes += rhs.wireBytes
            lhs.payloadBytes += rhs.payloadBytes
            lhs.events += rhs.events
            lhs.patches += rhs.patches
            lhs.changes += rhs.changes
        }
    }

    public let slotLength: Duration
    public let slotCount: Int
    /// `slotLength` in nanoseconds, converted once: every event and snapshot needs it, and
    /// reading a `Duration`'s nanoseconds takes 128-bit arithmetic.
    private let slotNanoseconds: Int64
    /// The ring: position `number % slotCount` holds slot `number` for the `slotCount` slots
    /// up to `newest`. Counts are stored in 32 bits (a slot is at most two hours long).
    private var slots: [Slot]
    /// The latest slot added to (nil: none yet).
    private var newest: Int64?

    /// One slot as stored: 32 bytes instead of 48 (five 64-bit counters and the slot's
    /// number). Thousands of streams keep 180 each.
    private struct Slot: Sendable, Equatable {
        var wireBytes: Int64 = 0
        var payloadBytes: Int64 = 0
        var events: UInt32 = 0
        var patches: UInt32 = 0
        var changes: UInt32 = 0

        mutating func add(_ counters: Counters) {
            wireBytes += counters.wireBytes
            payloadBytes += counters.payloadBytes
            events = Slot.sum(events, counters.events)
            patches = Slot.sum(patches, counters.patches)
            changes = Slot.sum(changes, counters.changes)
        }

        static func sum(_ stored: UInt32, _ added: Int64) -> UInt32 {
            UInt32(clamping: Int64(stored) + max(0, added))
        }

        var counters: Counters {
            Counters(wireBytes: wireBytes, payloadBytes: payloadBytes, events: Int64(events), patches: Int64(patches), changes: Int64(changes))
        }
    }

    /// The bytes one slot takes in the ring.
    static var bytesPerSlot: Int { MemoryLayout<Slot>.stride }

    public init(slotLength: Duration, slotCount: Int) {
        precondition(slotCount > 0 && slotLength > .zero)
        self.slotLength = slotLength
        self.slotCount = slotCount
        slotNanoseconds = slotLength.nanoseconds
        slots = Array(repeating: Slot(), count: slotCount)
    }

    private func slotNumber(_ moment: Moment) -> Int64 {
        // Floor division, so moments before the origin land in negative slots consistently.
        let length = slotNanoseconds
        let n = moment.nanoseconds
        return n >= 0 ? n / length : -((-n + length - 1) / length)
    }

    private func position(_ number: Int64) -> Int {
        let ring = Int64(slotCount)
        return Int(((number % ring) + ring) % ring)
    }

    /// Whether slot `number` is in the ring: one of the `slotCount` up to the newest.
    private func holds(_ number: Int64) -> Bool {
        guard let newest else { return false }
        return number <= newest && number > newest - Int64(slotCount)
    }

    public mutating func add(_ counters: Counters, at moment: Moment) {
        let number = slotNumber(moment)
        if let newest, number > newest {
            // Moving on: the slots passed over (at most the whole ring) start empty.
            var cleared = newest + 1
            while cleared <= number && cleared <= newest + Int64(slotCount) {
                slots[position(cleared)] = Slot()
                cleared += 1
            }
        }
        if newest.map({ number > $0 }) ?? true { newest = number }
        // A moment older than the ring holds (time going backwards) is dropped.
        guard holds(number) else { return }
        slots[position(number)].add(counters)
    }

    /// The totals of the slots that end within `duration` before `now` (the current slot
    /// included), i.e. of the last `duration / slotLength` slots.
    public func total(over duration: Duration, at now: Moment) -> Counters {
        let last = slotNumber(now)
        let count = Int(min(Int64(slotCount), max(1, duration.nanoseconds / slotNanoseconds)))
        // Visit only the `count` slots the window covers (this runs for every published
        // snapshot of every stream), keeping those the ring still holds.
        var total = Counters()
        guard let newest else { return total }
        // The slots both in the window and in the ring, walked with one division.
        let first = max(last - Int64(count) + 1, newest - Int64(slotCount) + 1)
        let end = min(last, newest)
        guard first <= end else { return total }
        var at = position(first)
        slots.withUnsafeBufferPointer { slots in
            for _ in 0...(end - first) {
                total += slots[at].counters
                at = at + 1 == slotCount ? 0 : at + 1
            }
        }
        return total
    }

    /// Every slot from the oldest the ring can hold to the current one, zero where nothing
    /// was added: the data of a sparkline.
    public func series(at now: Moment) -> [Counters] {
        let last = slotNumber(now)
        let first = last - Int64(slotCount) + 1
        return (first...last).map { holds($0) ? slots[position($0)].counters : Counters() }
    }
}
