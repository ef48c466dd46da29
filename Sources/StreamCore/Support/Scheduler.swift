import Dispatch
import Synchronization

/// Where every deadline goes: a reconnection's backoff, a stall check, a poll's schedule, an
/// alert's threshold, a publication, a notifier's retry. `SystemScheduler` runs them on the
/// real clock; `ManualScheduler` lets a test move time and runs what came due on each piece of
/// work's own queue, the way SwiftNIO's `EmbeddedEventLoop` does: no test sleeps for a
/// deadline, and none depends on how fast a loaded machine is. No production code asks which
/// one it was given.
public protocol Scheduler: TimeSource {
    /// Runs `work` on `queue` once `delay` has passed on this scheduler's clock, unless the
    /// returned handle is cancelled first.
    @discardableResult
    func schedule(
        after delay: Duration, on queue: DispatchQueue, _ work: @escaping @Sendable () -> Void
    ) -> ScheduledWork
}

/// A piece of scheduled work. Cancelling it drops the work at once, and with it whatever the
/// work holds (a connection, a runner): a cancelled timer keeps nothing alive until its time.
public final class ScheduledWork: Sendable {
    private let work: Mutex<(@Sendable () -> Void)?>

    init(_ work: @escaping @Sendable () -> Void) {
        self.work = Mutex(work)
    }

    public func cancel() {
        _ = work.withLock { $0.take() }
    }

    /// Whether it has neither run nor been cancelled.
    public var isPending: Bool { work.withLock { $0 != nil } }

    /// Runs the work, once; nothing when it was cancelled or has run.
    func run() {
        work.withLock { $0.take() }?()
    }
}

/// Deadlines on the system's monotonic clock, through Dispatch.
public struct SystemScheduler: Scheduler {
    private let clock = SystemTimeSource()

    public init() {}

    public func now() -> Moment { clock.now() }

    @discardableResult
    public func schedule(
        after delay: Duration, on queue: DispatchQueue, _ work: @escaping @Sendable () -> Void
    ) -> ScheduledWork {
        let scheduled = ScheduledWork(work)
        let nanoseconds = Int(clamping: max(delay, .zero).nanoseconds)
        queue.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { scheduled.run() }
        return scheduled
    }
}

/// A scheduler whose clock moves only when a test says so (`advance(by:)`). Work that comes due
/// runs on its own queue, in order of its due time (then of scheduling), and `advance` returns
/// once it has run, along with whatever it scheduled that came due too. Call it from the test's
/// thread, never from one of the queues the work runs on.
public final class ManualScheduler: Scheduler {
    private struct Pending {
        var due: Moment
        var order: Int
        var queue: DispatchQueue
        var work: ScheduledWork
    }

    private let state: Mutex<(now: Moment, pending: [Pending], order: Int)>

    public init(start: Moment = Moment(nanoseconds: 1_000_000_000_000)) {
        state = Mutex((start, [], 0))
    }

    public func now() -> Moment { state.withLock { $0.now } }

    @discardableResult
    public func schedule(
        after delay: Duration, on queue: DispatchQueue, _ work: @escaping @Sendable () -> Void
    ) -> ScheduledWork {
        let scheduled = ScheduledWork(work)
        state.withLock { state in
            let due = state.now + max(delay, .zero)
            state.pending.append(Pending(due: due, order: state.order, queue: queue, work: scheduled))
            state.order += 1
        }
        return scheduled
    }

    /// Moves the clock by `duration`, running what comes due on the way, each at its own time.
    public func advance(by duration: Duration) {
        let target = now() + duration
        while let next = takeNext(dueBy: target) {
            next.queue.sync { next.work.run() }
        }
        state.withLock { $0.now = max($0.now, target) }
    }

    /// Runs what is due now (work scheduled without a delay) without moving the clock.
    public func runDue() { advance(by: .zero) }

    /// Work still waiting for its time (cancelled work is not counted).
    public var pendingCount: Int { state.withLock { $0.pending.filter(\.work.isPending).count } }

    /// When the next pending work is due (nil: none).
    public var nextDue: Moment? {
        state.withLock { $0.pending.filter(\.work.isPending).map(\.due).min() }
    }

    private func takeNext(dueBy target: Moment) -> Pending? {
        state.withLock { state -> Pending? in
            state.pending.removeAll { !$0.work.isPending }
            let pending = state.pending
            func key(_ index: Int) -> (Int64, Int) { (pending[index].due.nanoseconds, pending[index].order) }
            let due = pending.indices.filter { pending[$0].due <= target }
            guard let index = due.min(by: { key($0) < key($1) }) else { return nil }
            let next = state.pending.remove(at: index)
            state.now = max(state.now, next.due)
            return next
        }
    }
}
