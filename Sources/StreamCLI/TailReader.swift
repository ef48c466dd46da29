import StreamCore

/// What the reading side of `tail` hands to the consuming side, in stream order.
enum TailItem: Sendable {
    /// The batch's next event (`TailBatch.events`), its data already parsed (`Document.prepare`).
    case event
    case retry(Int)
    case eventTooLarge(type: String, lastEventID: String, limit: Int)
    /// An error that is not about one event (e.g. a read failure).
    case error(String)
}

/// The items from one read of the input.
struct TailBatch: Sendable {
    var items: [TailItem] = []
    /// The events of the items that are events, in order: kept apart so that the consumer
    /// borrows each from here instead of copying it out of an item.
    var events: [PreparedEvent] = []
    var bytesRead = 0
    var lastEventID = ""

    mutating func append(_ event: PreparedEvent) {
        items.append(.event)
        events.append(event)
    }
}

/// The reading side of `tail`: bytes in, parsed events out. Holds the SSE parser; parsing each
/// event's JSON happens here too, so that it can run apart from (and ahead of) the document.
struct TailReader {
    private var parser: SSEParser
    let parseOptions: JSONParser.Options

    init(maxEventBytes: Int = 16 << 20, parseOptions: JSONParser.Options = JSONParser.Options()) {
        parser = SSEParser(maxEventBytes: maxEventBytes)
        self.parseOptions = parseOptions
    }

    mutating func read(_ bytes: UnsafeBufferPointer<UInt8>) -> TailBatch {
        var batch = TailBatch(bytesRead: bytes.count)
        var items: [SSEItem] = []
        items.reserveCapacity(bytes.count / 128)
        parser.feed(bytes) { items.append($0) }
        // The read's events are parsed together: their patches share one arena.
        let events = items.compactMap { item -> SSEEvent? in
            if case .event(let event) = item { return event } else { return nil }
        }
        var prepared = Document.prepare(events, options: parseOptions).makeIterator()
        batch.items.reserveCapacity(items.count)
        batch.events.reserveCapacity(events.count)
        for item in items {
            switch item {
            case .event: batch.append(prepared.next()!)
            case .retry(let milliseconds): batch.items.append(.retry(milliseconds))
            case .eventTooLarge(let type, let id, let limit):
                batch.items.append(.eventTooLarge(type: type, lastEventID: id, limit: limit))
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
