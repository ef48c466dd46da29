import StreamCore
import StreamEngine

/// The consuming side of `tail`: applies events to the Streamdata `Document` in order, keeps
/// the totals and renders every record.
struct TailConsumer {
    private(set) var document = Document()
    private(set) var totals = TailTotals()
    var renderer: TailRenderer
    /// Events after this many are not reported (`--max-events`).
    let maxEvents: Int?

    init(renderer: TailRenderer, maxEvents: Int? = nil) {
        self.renderer = renderer
        self.maxEvents = maxEvents
    }

    /// Whether `--max-events` has been reached.
    var limitReached: Bool { maxEvents.map { totals.events >= $0 } ?? false }

    mutating func consume(_ batch: TailBatch) {
        totals.bytes += batch.bytesRead
        var events = 0
        for item in batch.items {
            if limitReached { break }
            switch item {
            case .event:
                consumeEvent(batch.events[events])
                events += 1
            case .retry(let milliseconds):
                totals.retryMilliseconds = milliseconds
                renderer.retry(milliseconds)
            case .eventTooLarge(let type, let lastEventID, let limit):
                totals.errors += 1
                let reason = "event larger than the limit of \(HumanUnits.bytes(limit)); dropped"
                document.dropped(eventType: type, reason: reason)
                renderer.error(reason, eventType: type, lastEventID: lastEventID)
            case .error(let message):
                totals.errors += 1
                renderer.error(message)
            }
        }
        totals.lastEventID = batch.lastEventID
    }

    /// One event, borrowed from its batch.
    private mutating func consumeEvent(_ prepared: borrowing PreparedEvent) {
        totals.events += 1
        switch document.consume(prepared) {
        case .success(let observation):
            renderer.event(prepared.event, observation: observation)
        case .failure(let error):
            renderer.event(prepared.event, observation: nil)
            totals.errors += 1
            renderer.error(error.reason, eventType: prepared.event.type, lastEventID: prepared.event.lastEventID)
        }
    }

    /// An error that is not about one event (a failed connection).
    mutating func error(_ message: String, status: Int?) {
        totals.errors += 1
        renderer.error(message, status: status)
    }

    mutating func countReconnect() {
        totals.reconnects += 1
    }

    /// Bytes of a live stream: what crossed the wire for one connection.
    mutating func addBytes(_ bytes: Int64) {
        totals.bytes += Int(bytes)
    }

    /// One poll of `tail --poll`: counted as an event; failures as errors.
    mutating func record(_ poll: PollConnection.Poll) {
        record(TailPoll(poll))
    }

    /// One poll, live or archived.
    mutating func record(_ poll: TailPoll) {
        totals.events += 1
        totals.bytes += Int(poll.wireBytes)
        if let error = poll.error {
            totals.errors += 1
            renderer.error(error, status: poll.status)
        } else {
            renderer.poll(poll)
        }
    }

    /// Writes the summary line.
    mutating func finish() {
        renderer.summary(totals, document: document.tree)
    }
}
