/// Errors and reconnects per minute over the last fifteen minutes: what the monitor's ERR and
/// RECON columns show, so that a stream that keeps failing stands out from one that failed once
/// a week ago. Fifteen slots of a minute each, reused as time moves on (fixed memory).
struct RecentTrouble: Sendable {
    static let minutes = 15

    private struct Slot: Sendable {
        var minute: Int64 = -1
        var errors: UInt32 = 0
        var reconnects: UInt32 = 0
    }

    private var slots = [Slot](repeating: Slot(), count: RecentTrouble.minutes)

    mutating func recordError(at moment: Moment) { add(at: moment) { $0.errors &+= 1 } }
    mutating func recordReconnect(at moment: Moment) { add(at: moment) { $0.reconnects &+= 1 } }

    /// Errors and reconnects in the fifteen minutes up to `now` (whole minutes: the current
    /// one and the fourteen before it).
    func counts(at now: Moment) -> (errors: Int64, reconnects: Int64) {
        let current = RecentTrouble.minute(now)
        var errors: Int64 = 0
        var reconnects: Int64 = 0
        for slot in slots where slot.minute >= 0 && current - slot.minute < Int64(RecentTrouble.minutes) {
            errors += Int64(slot.errors)
            reconnects += Int64(slot.reconnects)
        }
        return (errors, reconnects)
    }

    private mutating func add(at moment: Moment, _ change: (inout Slot) -> Void) {
        let minute = RecentTrouble.minute(moment)
        let index = Int(minute % Int64(RecentTrouble.minutes))
        if slots[index].minute != minute { slots[index] = Slot(minute: minute) }
        change(&slots[index])
    }

    private static func minute(_ moment: Moment) -> Int64 {
        max(0, moment.nanoseconds / 60_000_000_000)
    }
}
