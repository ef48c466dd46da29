import Dispatch
import StreamCore
import Synchronization

/// Values an attached monitor's views ask for on every frame (a stream's history, document,
/// log) but that come from the API: the views get what is cached at once (nil at first), and a
/// fetch goes out in the background, on `queue`, when the stream published since the last one
/// (its revision moved) and at least `interval` has passed. `arrived` is called when a
/// fetch brings something, so the monitor draws again.
final class RemoteFetches<Value: Sendable>: Sendable {
    /// What a fetch brought.
    enum Outcome: Sendable {
        /// The value (nil: the API has none, e.g. no document yet).
        case value(Value?)
        /// The service did not answer: what is cached stays, and a later ask tries again.
        case unreachable
    }

    private struct Entry {
        var value: Value?
        /// The stream's revision the value was fetched at.
        var fetchedRevision: Int?
        var fetchedAt: Moment?
        var inFlight = false
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let queue: DispatchQueue
    private let interval: Duration
    /// Keys kept: the monitor shows one stream at a time.
    private let kept: Int

    init(label: String, interval: Duration, kept: Int = 8) {
        queue = DispatchQueue(label: "streamtop.attach.\(label)")
        self.interval = interval
        self.kept = kept
    }

    /// The cached value of `key`; fetches it again in the background when it is out of date.
    func value(
        _ key: String, revision: Int?, now: Moment,
        fetch: @escaping @Sendable () -> Outcome, arrived: @escaping @Sendable () -> Void
    ) -> Value? {
        let (value, start) = entries.withLock { entries -> (Value?, Bool) in
            var entry = entries[key] ?? Entry()
            let outOfDate = entry.fetchedAt == nil
                || (entry.fetchedRevision != revision && now - entry.fetchedAt! >= interval)
            let start = outOfDate && !entry.inFlight
            if start {
                entry.inFlight = true
                entry.fetchedAt = now
            }
            entries[key] = entry
            if entries.count > kept, let oldest = entries.filter({ !$0.value.inFlight && $0.key != key })
                .min(by: { ($0.value.fetchedAt?.nanoseconds ?? 0) < ($1.value.fetchedAt?.nanoseconds ?? 0) })?.key {
                entries[oldest] = nil
            }
            return (entry.value, start)
        }
        guard start else { return value }
        queue.async { [self] in
            let outcome = fetch()
            let changed = entries.withLock { entries -> Bool in
                guard var entry = entries[key] else { return false }
                entry.inFlight = false
                defer { entries[key] = entry }
                guard case .value(let value) = outcome else { return false }
                entry.value = value
                entry.fetchedRevision = revision
                return true
            }
            if changed { arrived() }
        }
        return value
    }
}
