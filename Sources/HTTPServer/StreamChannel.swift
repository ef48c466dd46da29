import Synchronization

/// The shared state of one streamed response, between the threads that send its body and the
/// server's loop that writes it. The bytes wait here, not in the loop's inbox: many small
/// sends cost one wake-up, and the backlog (sent, not yet written to the socket) is counted
/// where it is refused, so a client that stops reading costs at most `limit` bytes (or one
/// piece larger than that, sent when nothing else waited).
final class StreamChannel: Sendable {
    private struct State {
        /// Sent, not yet taken by the loop.
        var pending: [UInt8] = []
        /// Taken by the loop, not yet written to the socket.
        var inFlight = 0
        /// Whether `send` accepts bytes.
        var open = true
        /// `finish` was called: end the response once everything is written.
        var finishing = false
        /// The connection has ended; the close actions have run or are running.
        var closed = false
        /// A wake-up is queued for the loop and not yet handled.
        var wakeQueued = false
        var closeActions: [@Sendable () -> Void] = []
    }

    enum Wake {
        case write
        case drop
    }

    let limit: Int
    private let state = Mutex(State())
    /// Queues work for the loop: false when the loop has ended.
    private let wake: @Sendable (Wake) -> Bool

    init(limit: Int, wake: @escaping @Sendable (Wake) -> Bool) {
        self.limit = limit
        self.wake = wake
    }

    // MARK: The sender's side (any thread)

    func send(_ bytes: [UInt8]) -> Bool {
        enum Outcome { case refused, queued, queuedWake, dropped }
        let outcome = state.withLock { state -> Outcome in
            guard state.open else { return .refused }
            // A piece larger than the limit is taken only when nothing waits: a client that
            // keeps up gets a first snapshot of any size, and memory stays within the larger
            // of the limit and the largest piece.
            let backlog = state.pending.count + state.inFlight
            if backlog > 0 && bytes.count > limit - backlog {
                state.open = false
                state.pending = []
                return .dropped
            }
            // Into an empty backlog the piece is kept as it is, not copied: a snapshot sent to
            // thousands of clients is then one buffer, not one per client that has not read it.
            if state.pending.isEmpty {
                state.pending = bytes
            } else {
                state.pending += bytes
            }
            if state.wakeQueued || bytes.isEmpty { return .queued }
            state.wakeQueued = true
            return .queuedWake
        }
        switch outcome {
        case .refused: return false
        case .queued: return true
        case .queuedWake:
            if wake(.write) { return true }
            close()
            return false
        case .dropped:
            if !wake(.drop) { close() }
            return false
        }
    }

    func finish() {
        let first = state.withLock { state -> Bool in
            guard state.open else { return false }
            state.open = false
            state.finishing = true
            return true
        }
        if first, !wake(.write) { close() }
    }

    func onClose(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            if state.closed { return true }
            state.closeActions.append(action)
            return false
        }
        if now { action() }
    }

    var isOpen: Bool { state.withLock { $0.open } }

    // MARK: The loop's side

    /// What waits to be written (it counts as in flight until `wrote` says it left).
    func take() -> [UInt8] {
        state.withLock { state in
            state.wakeQueued = false
            let bytes = state.pending
            state.pending = []
            state.inFlight += bytes.count
            return bytes
        }
    }

    func wrote(_ count: Int) {
        state.withLock { $0.inFlight -= count }
    }

    /// Whether `finish` was called and every byte has left.
    var isFinished: Bool {
        state.withLock { $0.finishing && $0.pending.isEmpty && $0.inFlight == 0 }
    }

    /// Bytes sent and not yet taken by the loop (those taken are in the connection's output).
    var pendingCount: Int { state.withLock { $0.pending.count } }

    /// The connection ended: refuses further sends and runs the close actions, once.
    func close() {
        let actions = state.withLock { state -> [@Sendable () -> Void] in
            if state.closed { return [] }
            state.closed = true
            state.open = false
            state.pending = []
            state.inFlight = 0
            defer { state.closeActions = [] }
            return state.closeActions
        }
        for action in actions { action() }
    }
}

/// The `HTTPResponseStream` a handler holds. Dropping it ends the response, as `finish` does:
/// nobody can send on it again, and the client should not wait for more.
final class ResponseStream: HTTPResponseStream {
    let channel: StreamChannel

    init(_ channel: StreamChannel) {
        self.channel = channel
    }

    deinit { channel.finish() }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool { channel.send(bytes) }
    func finish() { channel.finish() }
    func onClose(_ action: @escaping @Sendable () -> Void) { channel.onClose(action) }
    var isOpen: Bool { channel.isOpen }
}
