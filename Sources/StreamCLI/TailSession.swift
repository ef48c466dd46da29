import StreamCore

/// What the reading side of `tail` hands to the consuming side, in stream order.
enum TailItem: Sendable {
    /// An event whose data is already parsed (`Document.prepare`).
    case event(PreparedEvent)
    case retry(Int)
    case eventTooLarge(type: String, lastEventID: String, limit: Int)
    /// An error that is not about one event (e.g. a read failure).
    case error(String)
}

/// The items from one read of the input.
struct TailBatch: Sendable {
    var items: [TailItem] = []
    var bytesRead = 0
    var lastEventID = ""
}

/// The reading side of `tail`: bytes in, parsed events out. Holds the SSE parser; parsing each
/// event's JSON happens here too, so that it can run apart from (and ahead of) the document.
struct TailReader {
    private var parser: SSEParser
    private var tokens = PointerTokenCache()
    let parseOptions: JSONParser.Options

    init(maxEventBytes: Int = 16 << 20, parseOptions: JSONParser.Options = JSONParser.Options()) {
        parser = SSEParser(maxEventBytes: maxEventBytes)
        self.parseOptions = parseOptions
    }

    mutating func read(_ bytes: UnsafeBufferPointer<UInt8>) -> TailBatch {
        var batch = TailBatch(bytesRead: bytes.count)
        batch.items.reserveCapacity(bytes.count / 128)
        let options = parseOptions
        var tokens = PointerTokenCache()
        swap(&tokens, &self.tokens)  // the callback below may not capture self while the parser runs
        defer { swap(&tokens, &self.tokens) }
        parser.feed(bytes) { item in
            switch item {
            case .event(let event): batch.items.append(.event(Document.prepare(event, options: options, tokens: &tokens)))
            case .retry(let milliseconds): batch.items.append(.retry(milliseconds))
            case .eventTooLarge(let type, let id, let limit): batch.items.append(.eventTooLarge(type: type, lastEventID: id, limit: limit))
            }
        }
        batch.lastEventID = parser.lastEventID
        return batch
    }

    /// The input ended: an unfinished event is discarded, as the standard says.
    mutating func finish() -> TailBatch {
        parser.finish()
        return TailBatch(lastEventID: parser.lastEventID)
    }
}

/// The consuming side of `tail`: applies events to the Streamdata `Document` in order, keeps
/// the totals and renders every record.
struct TailConsumer {
    private(set) var document = Document()
    private(set) var totals = TailTotals()
    var renderer: TailRenderer

    init(renderer: TailRenderer) {
        self.renderer = renderer
    }

    mutating func consume(_ batch: TailBatch) {
        totals.bytes += batch.bytesRead
        for item in batch.items {
            switch item {
            case .event(let prepared):
                totals.events += 1
                switch document.consume(prepared) {
                case .success(let observation):
                    renderer.event(prepared.event, observation: observation)
                case .failure(let error):
                    renderer.event(prepared.event, observation: nil)
                    totals.errors += 1
                    renderer.error(error.reason, eventType: prepared.event.type, lastEventID: prepared.event.lastEventID)
                }
            case .retry(let milliseconds):
                totals.retryMilliseconds = milliseconds
                renderer.retry(milliseconds)
            case .eventTooLarge(let type, let lastEventID, let limit):
                totals.errors += 1
                let reason = "event larger than the limit of \(ByteCount.human(limit)); dropped"
                document.markStale(reason)
                renderer.error(reason, eventType: type, lastEventID: lastEventID)
            case .error(let message):
                totals.errors += 1
                renderer.error(message)
            }
        }
        totals.lastEventID = batch.lastEventID
    }

    /// Writes the summary line.
    mutating func finish() {
        renderer.summary(totals, document: document.current)
    }
}

/// Reader and consumer on one thread: for tests and small inputs.
struct TailSession {
    var reader: TailReader
    var consumer: TailConsumer

    init(renderer: TailRenderer, maxEventBytes: Int = 16 << 20) {
        reader = TailReader(maxEventBytes: maxEventBytes)
        consumer = TailConsumer(renderer: renderer)
    }

    mutating func feed(_ bytes: [UInt8]) {
        let batch = bytes.withUnsafeBufferPointer { reader.read($0) }
        consumer.consume(batch)
    }

    mutating func finish() {
        consumer.consume(reader.finish())
        consumer.finish()
    }

    var renderer: TailRenderer {
        get { consumer.renderer }
        set { consumer.renderer = newValue }
    }
}
