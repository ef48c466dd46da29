import Dispatch
import Synchronization

/// Runs work on the global queue, at most `limit` pieces at once; the rest wait their turn
/// without holding a thread. Notification commands block a thread each while they run, and an
/// outage can alert hundreds of streams at once: unbounded, that is hundreds of threads.
final class LimitedConcurrency: Sendable {
    let limit: Int
    private let state = Mutex<(running: Int, waiting: [@Sendable () -> Void])>((0, []))

    init(limit: Int) {
        precondition(limit > 0)
        self.limit = limit
    }

    func submit(_ work: @escaping @Sendable () -> Void) {
        let startNow = state.withLock { state in
            guard state.running < limit else {
                state.waiting.append(work)
                return false
            }
            state.running += 1
            return true
        }
        if startNow { run(work) }
    }

    private func run(_ work: @escaping @Sendable () -> Void) {
        DispatchQueue.global().async { [self] in
            work()
            let next = state.withLock { state -> (@Sendable () -> Void)? in
                guard !state.waiting.isEmpty else {
                    state.running -= 1
                    return nil
                }
                return state.waiting.removeFirst()
            }
            if let next { run(next) }
        }
    }
}
