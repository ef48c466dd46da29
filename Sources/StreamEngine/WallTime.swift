import StreamCore

/// A process's monotonic moments as wall-clock seconds since the epoch, and back: how STATUS
/// writes its times, so that another process (a monitor attached over the API, a script reading
/// status.json) can place them. The offset is taken once: a moment gives the same seconds for
/// the mapping's lifetime, whatever the wall clock does since (NTP steps).
package struct WallTime: Sendable, Equatable {
    /// Wall seconds minus monotonic seconds.
    package let offset: Double

    package init(offset: Double) {
        self.offset = offset
    }

    /// The offset between `wall` and `time` now.
    package init(time: any TimeSource, wall: any WallClock) {
        offset = wall.now().secondsSinceEpoch - Double(time.now().nanoseconds) / 1e9
    }

    /// `moment` in seconds since the epoch, to the millisecond.
    package func seconds(_ moment: Moment) -> Double {
        ((Double(moment.nanoseconds) / 1e9 + offset) * 1000).rounded() / 1000
    }

    /// The moment of `seconds` since the epoch; nil when it is not finite or too far to hold.
    package func moment(_ seconds: Double) -> Moment? {
        guard let nanoseconds = Int64(exactly: ((seconds - offset) * 1e9).rounded()) else { return nil }
        return Moment(nanoseconds: nanoseconds)
    }
}
