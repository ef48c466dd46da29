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
    private var slots: [Counters]
    /// The absolute slot number each ring position holds (Int64.min: never used).
    private var slotNumbers: [Int64]

    public init(slotLength: Duration, slotCount: Int) {
        precondition(slotCount > 0 && slotLength > .zero)
        self.slotLength = slotLength
        self.slotCount = slotCount
        slots = Array(repeating: Counters(), count: slotCount)
        slotNumbers = Array(repeating: .min, count: slotCount)
    }

    private func slotNumber(_ moment: Moment) -> Int64 {
        // Floor division, so moments before the origin land in negative slots consistently.
        let length = slotLength.nanoseconds
        let n = moment.nanoseconds
        return n >= 0 ? n / length : -((-n + length - 1) / length)
    }

    public mutating func add(_ counters: Counters, at moment: Moment) {
        let number = slotNumber(moment)
        let position = Int(((number % Int64(slotCount)) + Int64(slotCount)) % Int64(slotCount))
        if slotNumbers[position] != number {
            slotNumbers[position] = number
            slots[position] = Counters()
        }
        slots[position] += counters
    }

    /// The totals of the slots that end within `duration` before `now` (the current slot
    /// included), i.e. of the last `duration / slotLength` slots.
    public func total(over duration: Duration, at now: Moment) -> Counters {
        let newest = slotNumber(now)
        let count = Int(min(Int64(slotCount), max(1, duration.nanoseconds / slotLength.nanoseconds)))
        // Visit only the `count` positions the window maps to (this runs for every published
        // snapshot of every stream), keeping those whose slot still holds that time.
        var total = Counters()
        let ring = Int64(slotCount)
        var number = newest - Int64(count) + 1
        var position = Int(((number % ring) + ring) % ring)
        slotNumbers.withUnsafeBufferPointer { numbers in
            slots.withUnsafeBufferPointer { slots in
                for _ in 0..<count {
                    if numbers[position] == number { total += slots[position] }
                    number += 1
                    position = position + 1 == slotCount ? 0 : position + 1
                }
            }
        }
        return total
    }

    /// Every slot from the oldest the ring can hold to the current one, zero where nothing
    /// was added: the data of a sparkline.
    public func series(at now: Moment) -> [Counters] {
        let newest = slotNumber(now)
        var series = Array(repeating: Counters(), count: slotCount)
        for (position, number) in slotNumbers.enumerated() where number > newest - Int64(slotCount) && number <= newest {
            series[Int(Int64(slotCount) - 1 - (newest - number))] = slots[position]
        }
        return series
    }
}
