#if canImport(Glibc)
import Glibc
#endif

/// A point in monotonic time: nanoseconds from an arbitrary origin. Only differences mean
/// anything; wall-clock times (for logs) are taken separately.
public struct Moment: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    public static func < (lhs: Moment, rhs: Moment) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public static func + (lhs: Moment, rhs: Duration) -> Moment {
        Moment(nanoseconds: lhs.nanoseconds &+ rhs.nanoseconds)
    }

    public static func - (lhs: Moment, rhs: Duration) -> Moment {
        Moment(nanoseconds: lhs.nanoseconds &- rhs.nanoseconds)
    }

    public static func - (lhs: Moment, rhs: Moment) -> Duration {
        .nanoseconds(lhs.nanoseconds &- rhs.nanoseconds)
    }

    public var description: String { "\(Double(nanoseconds) / 1e9)s" }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating far beyond any interval used here).
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return whole &+ attoseconds / 1_000_000_000
    }

    public var seconds: Double { Double(nanoseconds) / 1e9 }
}

/// Where components that wait or measure get the time from. Production code uses
/// `SystemTimeSource`; tests drive a `ManualTimeSource`, so backoff, stall timeouts and change
/// windows are tested without sleeping (as SwiftNIO's `EmbeddedEventLoop` does for event loops).
public protocol TimeSource: Sendable {
    func now() -> Moment
}

/// The system's monotonic clock, which keeps counting during sleep (`CLOCK_BOOTTIME`, what
/// `ContinuousClock` reads on Linux). Read directly: every event reads it, and going through a
/// `Duration` costs 128-bit arithmetic each time.
public struct SystemTimeSource: TimeSource {
    public init() {}

    public func now() -> Moment {
        #if canImport(Glibc)
        var time = timespec()
        clock_gettime(CLOCK_BOOTTIME, &time)
        return Moment(nanoseconds: Int64(time.tv_sec) &* 1_000_000_000 &+ Int64(time.tv_nsec))
        #else
        return Moment(nanoseconds: (ContinuousClock.now - SystemTimeSource.origin).nanoseconds)
        #endif
    }

    #if !canImport(Glibc)
    private static let origin = ContinuousClock.now
    #endif
}
