import Dispatch
import StreamCore
import StreamEngine
import Synchronization

/// What a view has of something fetched in the background: nothing yet, or what arrived last.
public enum Fetched<Value: Sendable>: Sendable {
    case loading
    case arrived(Value)

    /// What arrived (nil while loading).
    public var value: Value? {
        if case .arrived(let value) = self { return value }
        return nil
    }

    /// What arrived, made into something else.
    public func map<Other>(_ transform: (Value) -> Other) -> Fetched<Other> {
        switch self {
        case .loading: return .loading
        case .arrived(let value): return .arrived(transform(value))
        }
    }
}

/// Which publication of a stream a fetched value is of: its version, with the moment of its
/// numbers (an edited stream counts versions from 1 again).
package struct StreamRevision: Equatable, Sendable {
    let version: Int
    let at: Moment

    package init(_ snapshot: StreamSnapshot) {
        self.init(version: snapshot.version, at: snapshot.metrics.at)
    }

    package init(version: Int, at: Moment) {
        self.version = version
        self.at = at
    }
}

/// One kind of value the monitor shows for one stream but that is not in its snapshot (its
/// history, document, log tail), fetched on a queue of its own so that the main thread never
/// waits for it: a stream's queue, a file, a request to another process.
///
/// The main thread calls `update` on every refresh with the stream it shows and that stream's
/// revision, and gets what arrived last (`.loading` until something did). A fetch goes out when
/// the stream published since the value shown was asked for and at least `interval` passed;
/// at most one per stream is in flight. A value for a stream no longer shown is dropped, and a
/// fetch queued for one is skipped. A fetch that throws (the engine did not answer) keeps what
/// was shown, and a later refresh asks again.
package final class OnDemandFetch<Value: Sendable>: Sendable {
    private struct State {
        /// The stream shown (nil: none, nothing fetched).
        var id: String?
        var value: Fetched<Value> = .loading
        /// The revision the value shown was asked for at.
        var revision: StreamRevision?
        /// When the last fetch for `id` was asked for.
        var askedAt: Moment?
        /// Streams with a fetch queued or running.
        var inFlight: Set<String> = []
        /// Moves when `value` does; and what it was when `update` last returned.
        var generation = 0
        var returned = 0
        /// Fetches that ended (kept, dropped or failed), for tests.
        var ended = 0
    }

    private let state = Mutex(State())
    private let queue: DispatchQueue
    private let interval: Duration

    package init(label: String, interval: Duration) {
        queue = DispatchQueue(label: "streamtop.fetch.\(label)")
        self.interval = interval
    }

    /// Called on the main thread. `id`: the stream shown (nil: none, and what was fetched is
    /// forgotten); `revision`: its current one. Returns what arrived last for `id`, and whether
    /// it is not what the last call returned.
    package func update(
        id: String?, revision: StreamRevision?, now: Moment,
        fetch: @escaping @Sendable (String) throws -> Value
    ) -> (value: Fetched<Value>, moved: Bool) {
        let (value, moved, start) = state.withLock { state -> (Fetched<Value>, Bool, Bool) in
            if state.id != id {
                state.id = id
                state.value = .loading
                state.revision = nil
                state.askedAt = nil
                state.generation += 1
            }
            let moved = state.generation != state.returned
            state.returned = state.generation
            guard let id else { return (.loading, moved, false) }
            let due = state.askedAt.map { state.revision != revision && now - $0 >= interval } ?? true
            let start = due && !state.inFlight.contains(id)
            if start {
                state.inFlight.insert(id)
                state.askedAt = now
            }
            return (state.value, moved, start)
        }
        if start, let id { queue.async { [self] in run(fetch, id: id, revision: revision) } }
        return (value, moved)
    }

    /// On `queue`: one fetch, unless its stream is no longer shown.
    private func run(_ fetch: (String) throws -> Value, id: String, revision: StreamRevision?) {
        let wanted = state.withLock { $0.id == id }
        let result: Result<Value, any Error>? = wanted ? Result { try fetch(id) } : nil
        state.withLock { state in
            state.inFlight.remove(id)
            state.ended += 1
            guard state.id == id, case .success(let value) = result else { return }
            state.value = .arrived(value)
            state.revision = revision
            state.generation += 1
        }
    }

    /// Whether a fetch is queued or running.
    package var isFetching: Bool { state.withLock { !$0.inFlight.isEmpty } }

    /// How many fetches ended, whatever became of their values.
    package var ended: Int { state.withLock { $0.ended } }
}
