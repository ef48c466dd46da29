import Synchronization

/// Work handed to a loop thread (the engine's libcurl loop, LocalServer's epoll loop) from
/// other threads. The loop drains it on every turn; once the loop has ended, `post` refuses
/// and the caller runs the work itself, so nobody waits for a loop that is gone.
public final class LoopInbox<Owner>: Sendable {
    public typealias Work = @Sendable (Owner) -> Void

    private let state = Mutex<(work: [Work], closed: Bool)>(([], false))

    public init() {}

    /// Queues `work`; false when the loop has closed the inbox.
    public func post(_ work: @escaping Work) -> Bool {
        state.withLock { state in
            if state.closed { return false }
            state.work.append(work)
            return true
        }
    }

    /// Queues `work`: `.closed` when the loop has closed the inbox, `.first` when nothing else
    /// was waiting (the loop must be woken: it drains everything once woken, so later posts
    /// before that drain need no wake of their own), `.queued` otherwise.
    public func postCoalescing(_ work: @escaping Work) -> Posted {
        state.withLock { state in
            if state.closed { return .closed }
            state.work.append(work)
            return state.work.count == 1 ? .first : .queued
        }
    }

    public enum Posted: Sendable {
        case closed, first, queued
    }

    /// Everything queued so far, in order.
    public func drain() -> [Work] {
        state.withLock { state in
            defer { state.work.removeAll() }
            return state.work
        }
    }

    /// Closes the inbox and returns what was still queued.
    public func close() -> [Work] {
        state.withLock { state in
            state.closed = true
            defer { state.work.removeAll() }
            return state.work
        }
    }
}
