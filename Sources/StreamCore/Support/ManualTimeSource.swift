import Synchronization

/// A clock that moves only when told to: for deterministic tests of anything time-based.
public final class ManualTimeSource: TimeSource {
    private let current: Mutex<Moment>

    public init(start: Moment = Moment(nanoseconds: 0)) {
        current = Mutex(start)
    }

    public func now() -> Moment {
        current.withLock { $0 }
    }

    public func advance(by duration: Duration) {
        current.withLock { $0 = $0 + duration }
    }

    public func set(to moment: Moment) {
        current.withLock { $0 = moment }
    }
}
