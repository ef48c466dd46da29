import Foundation
import Synchronization

/// Runs work on threads of its own, at most `limit` pieces at once; the rest wait their turn
/// without holding a thread. Notification commands block a thread each while they run (up to
/// their 30 s limit), and an outage can alert hundreds of streams at once: unbounded, that is
/// hundreds of threads. Not on Dispatch's global queue: hanging commands would tie up the
/// threads it shares with everything else, and it adds threads for blocked work only slowly.
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

    /// Runs `work` and then whatever waits, on one thread, until nothing does.
    private func run(_ work: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            var current: (@Sendable () -> Void)? = work
            while let piece = current {
                piece()
                current = state.withLock { state -> (@Sendable () -> Void)? in
                    guard !state.waiting.isEmpty else {
                        state.running -= 1
                        return nil
                    }
                    return state.waiting.removeFirst()
                }
            }
        }
        thread.name = "streamtop.notify"
        thread.start()
    }
}
