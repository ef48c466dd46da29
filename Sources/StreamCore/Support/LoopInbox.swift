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
