import StreamCore

/// The `tail` pipeline for one event stream: bytes in, rendered records out.
///
/// Bytes go through the SSE parser; each event goes to the Streamdata `Document`, which keeps
/// the current JSON document and rejects malformed JSON and failing patches; the renderer
/// formats events, retries, errors and the summary. The engine's `tail URL` reuses it per
/// connection.
struct TailSession {
    private var parser: SSEParser
    private(set) var document = Document()
    private(set) var totals = TailTotals()
    var renderer: TailRenderer

    init(renderer: TailRenderer, maxEventBytes: Int = 16 << 20) {
        self.renderer = renderer
        self.parser = SSEParser(maxEventBytes: maxEventBytes)
    }

    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) {
        totals.bytes += bytes.count
        // The parser calls back while it runs, and the callback mutates self: move the parser
        // out for the duration (a swap, so its buffers stay uniquely referenced, not copied).
        var active = SSEParser(maxEventBytes: 0)
        swap(&active, &parser)
        active.feed(bytes) { item in handle(item) }
        swap(&active, &parser)
        totals.lastEventID = parser.lastEventID
    }

    mutating func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { feed($0) }
    }

    private mutating func handle(_ item: SSEItem) {
        switch item {
        case .event(let event):
            totals.events += 1
            switch document.consume(event) {
            case .success(let observation):
                renderer.event(event, observation: observation)
            case .failure(let error):
                renderer.event(event, observation: nil)
                totals.errors += 1
                renderer.error(error.reason, eventType: event.type, lastEventID: event.lastEventID)
            }
        case .retry(let milliseconds):
            totals.retryMilliseconds = milliseconds
            renderer.retry(milliseconds)
        case .eventTooLarge(let type, let lastEventID, let limit):
            totals.errors += 1
            let reason = "event larger than the limit of \(ByteCount.human(limit)); dropped"
            document.markStale(reason)
            renderer.error(reason, eventType: type, lastEventID: lastEventID)
        }
    }

    /// Records an error that is not about one event (e.g. a read failure).
    mutating func error(_ message: String) {
        totals.errors += 1
        renderer.error(message)
    }

    /// The input ended: the pending event is discarded (per the standard) and the summary written.
    mutating func finish() {
        parser.finish()
        totals.lastEventID = parser.lastEventID
        renderer.summary(totals, document: document.current)
    }
}
