/// An incremental `text/event-stream` parser following the WHATWG HTML "Server-sent events"
/// parsing rules (§9.2.6, "Interpreting an event stream").
///
/// Bytes may arrive in any chunking: a CRLF split across chunks, a BOM split across chunks
/// and a line split anywhere all parse the same as the whole stream. The parser works on bytes
/// (never on Swift `Character`s, where `"\r\n"` is one character and `isNewline` matches more
/// line ends than the format has) and decodes UTF-8, with U+FFFD for invalid sequences, only
/// when it builds a field value.
///
/// Memory is bounded: an event whose data would exceed `maxEventBytes` is reported as
/// `.eventTooLarge` and dropped, and the bytes already held for it are released.
public struct SSEParser: Sendable {
    public let maxEventBytes: Int
    /// The event source's last event ID: set from the last event ID buffer each time an event
    /// block ends (a blank line), whether or not it had data, and kept across `finish()`, so a
    /// reconnection sends the ID of the last complete block. An `id` line of a block that never
    /// completed (a connection cut mid-event) does not count.
    public private(set) var lastEventID: String = ""
    /// The `id` field values of the current connection (the standard's "last event ID buffer").
    /// Starts empty on each connection.
    private(set) var lastEventIDBuffer: String = ""
    /// The reconnection time from the last valid `retry` field, in milliseconds.
    public private(set) var reconnectionTime: Int?

    private var lineBuffer: [UInt8] = []
    private var discardingLine = false
    private var dataBuffer: [UInt8] = []
    private var eventType = ""
    /// The last `event` field value seen, kept to avoid rebuilding the same String per event.
    private var lastEventType = ""
    private var eventOversized = false
    private var pendingCR = false
    /// Bytes of the UTF-8 BOM matched so far at the start of the stream; nil once decided.
    private var bomMatched: Int? = 0

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D
    /// Capacity above which buffers are released after an event instead of kept for reuse.
    private static let keepCapacity = 1 << 20

    public init(maxEventBytes: Int = 16 << 20) {
        self.maxEventBytes = maxEventBytes
    }

    /// Parses a chunk, calling `sink` for each dispatched event, valid `retry` and dropped event.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ sink: (SSEItem) -> Void) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        feed(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: chunk.count), sink)
    }

    public mutating func feed(_ chunk: [UInt8], _ sink: (SSEItem) -> Void) {
        chunk.withUnsafeBufferPointer { feed($0, sink) }
    }

    public mutating func feed(_ chunk: String, _ sink: (SSEItem) -> Void) {
        var chunk = chunk
        chunk.withUTF8 { feed($0, sink) }
    }

    /// Convenience: all items from one chunk.
    public mutating func feed(_ chunk: [UInt8]) -> [SSEItem] {
        var items: [SSEItem] = []
        feed(chunk) { items.append($0) }
        return items
    }

    /// The end of the stream (or of one connection): an unterminated line and an event without
    /// its blank line are discarded, as the standard says. The event source's last event ID and
    /// reconnection time are kept, so a reconnection resumes from them; the connection's last
    /// event ID buffer starts empty again.
    public mutating func finish() {
        lastEventIDBuffer = ""
        lineBuffer = []
        discardingLine = false
        dataBuffer = []
        eventType = ""
        eventOversized = false
        pendingCR = false
        bomMatched = 0
    }

    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, _ sink: (SSEItem) -> Void) {
        let n = chunk.count
        var start = 0
        if let matched = bomMatched {
            var matched = matched
            while start < n && matched < 3 && chunk[start] == SSEParser.bom[matched] {
                matched += 1
                start += 1
            }
            if matched == 3 {
                bomMatched = nil
            } else if start == n {
                bomMatched = matched  // the chunk ended inside a possible BOM
                return
            } else {
                // Not a BOM after all: the bytes matched so far are ordinary content.
                bomMatched = nil
                SSEParser.bom.withUnsafeBufferPointer { appendToLine(UnsafeBufferPointer(rebasing: $0[0..<matched])) }
            }
        }
        if pendingCR && start < n {
            pendingCR = false
            if chunk[start] == SSEParser.lf { start += 1 }
        }
        while start < n {
            let end = SSEParser.lineEnd(chunk, from: start)
            if end == n {
                appendToLine(UnsafeBufferPointer(rebasing: chunk[start..<n]))
                return
            }
            if lineBuffer.isEmpty && !discardingLine {
                processLine(UnsafeBufferPointer(rebasing: chunk[start..<end]), sink)
            } else {
                appendToLine(UnsafeBufferPointer(rebasing: chunk[start..<end]))
                if discardingLine {
                    // This line was too long to hold: its event cannot be delivered intact.
                    discardingLine = false
                    eventOversized = true
                    dataBuffer = []
                } else {
                    let line = lineBuffer
                    line.withUnsafeBufferPointer { processLine($0, sink) }
                }
                lineBuffer.removeAll(keepingCapacity: lineBuffer.capacity <= SSEParser.keepCapacity)
            }
            if chunk[end] == SSEParser.cr {
                if end + 1 < n {
                    start = end + (chunk[end + 1] == SSEParser.lf ? 2 : 1)
                } else {
                    pendingCR = true
                    start = n
                }
            } else {
                start = end + 1
            }
        }
    }

    private mutating func appendToLine(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !discardingLine, bytes.count > 0 else { return }
        // A line longer than an event may be (plus room for a field name) is dropped as it
        // arrives, so a stream without line breaks cannot grow memory.
        if lineBuffer.count + bytes.count > maxEventBytes + 64 {
            discardingLine = true
            lineBuffer = []
            return
        }
        lineBuffer.append(contentsOf: bytes)
    }

    /// The index of the first CR or LF at or after `from`, or `chunk.count`. Scans eight bytes
    /// at a time (SWAR): the portable equivalent of two `memchr`s in one pass.
    @inline(__always)
    static func lineEnd(_ chunk: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        let n = chunk.count
        var i = from
        let raw = UnsafeRawPointer(chunk.baseAddress!)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let lfs = ones &* 0x0A
        let crs = ones &* 0x0D
        while i + 8 <= n {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let x = word ^ lfs
            let y = word ^ crs
            let found = ((x &- ones) & ~x | (y &- ones) & ~y) & highs
            if found != 0 { return i + found.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < n {
            let byte = chunk[i]
            if byte == lf || byte == cr { return i }
            i += 1
        }
        return n
    }

    private mutating func processLine(_ line: UnsafeBufferPointer<UInt8>, _ sink: (SSEItem) -> Void) {
        if line.isEmpty {
            dispatch(sink)
            return
        }
        if line[0] == UInt8(ascii: ":") { return }  // comment
        var colon = 0
        while colon < line.count && line[colon] != UInt8(ascii: ":") { colon += 1 }
        let name = UnsafeBufferPointer(rebasing: line[0..<colon])
        var valueStart = colon + 1
        if valueStart < line.count && line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = valueStart < line.count ? UnsafeBufferPointer(rebasing: line[valueStart...]) : UnsafeBufferPointer(start: nil, count: 0)

        if name.equals("data") {
            guard !eventOversized else { return }
            if dataBuffer.count + value.count + 1 > maxEventBytes {
                eventOversized = true
                dataBuffer = []
                return
            }
            dataBuffer.append(contentsOf: value)
            dataBuffer.append(SSEParser.lf)
        } else if name.equals("event") {
            // Streams repeat a handful of types: reuse the previous String when it matches.
            var same = lastEventType.utf8.count == value.count
            if same { same = lastEventType.withUTF8 { $0.elementsEqual(value) } }
            if !same { lastEventType = String(decoding: value, as: UTF8.self) }
            eventType = lastEventType
        } else if name.equals("id") {
            if !value.contains(0) { lastEventIDBuffer = String(decoding: value, as: UTF8.self) }
        } else if name.equals("retry") {
            guard !value.isEmpty, value.allSatisfy({ $0 &- 48 < 10 }) else { return }
            var milliseconds = 0
            for digit in value {
                // Absurdly long values saturate rather than overflow.
                milliseconds = milliseconds > (Int.max - 9) / 10 ? Int.max : milliseconds * 10 + Int(digit - 48)
            }
            reconnectionTime = milliseconds
            sink(.retry(milliseconds))
        }
        // Any other field name is ignored.
    }

    private mutating func dispatch(_ sink: (SSEItem) -> Void) {
        defer { eventType = "" }
        // Step 1 of dispatching: the buffer becomes the event source's last event ID, even when
        // the block turns out to carry no data.
        if lastEventID != lastEventIDBuffer { lastEventID = lastEventIDBuffer }
        if eventOversized {
            eventOversized = false
            sink(.eventTooLarge(type: eventType.isEmpty ? "message" : eventType, lastEventID: lastEventID, limit: maxEventBytes))
            return
        }
        guard !dataBuffer.isEmpty else { return }
        dataBuffer.removeLast()  // the final LF
        let data = String(decoding: dataBuffer, as: UTF8.self)
        dataBuffer.removeAll(keepingCapacity: dataBuffer.capacity <= SSEParser.keepCapacity)
        sink(.event(SSEEvent(type: eventType.isEmpty ? "message" : eventType, data: data, lastEventID: lastEventID)))
    }
}
