import Dispatch
import StreamCore
import Synchronization

/// One Server-Sent Events stream kept alive: connects, checks the response, parses events on
/// its own serial queue, detects stalls, and reconnects with `ReconnectPolicy` (the server's
/// `retry`, exponential backoff with jitter on failures), sending `Last-Event-ID` to resume.
///
/// Everything the stream does is reported to `handler` in order: on `queue`, or on
/// `deliveryQueue` when there is one. Then the events are parsed on `queue` while the handler
/// consumes the ones before on its own queue (two cores for one busy stream), and bytes count
/// as buffered until the handler has had their events (a slow handler still pauses the stream).
public final class SSEConnection: @unchecked Sendable {  // mutable state is confined to `queue`
    public struct Options: Sendable {
        public var url: String
        public var headers: [(name: String, value: String)] = []
        /// Close and reconnect after this long without a byte (comments count).
        public var stall: Duration = .seconds(90)
        public var reconnect = true
        public var maxEventBytes = 16 << 20
        /// Bytes received but not yet parsed above which the transfer is paused (a slow
        /// consumer slows its own stream instead of growing memory).
        public var maxBufferedBytes = 4 << 20
        /// Offer `Accept-Encoding` (decoded as bytes arrive). A compressed connection keeps
        /// libcurl's inflate state and 32 KiB window for its whole life.
        public var compress = true
        /// The longest wait a server's `retry:` may ask for.
        public var maxServerRetry: Duration = .seconds(600)
        /// Replaces the stream's own secrets in an error body it quotes.
        public var scrubber = Redactor.Scrubber(secrets: [])
        /// The CA certificates (PEM) to trust instead of the system's (the stream's `caFile`).
        public var caFile: String?
        /// Connect through this Unix socket (a monitor attached to the control API).
        public var unixSocket: String?
        /// Parse each event's data with these options on `queue` (`Document.prepare`) and report
        /// it as `.prepared` instead of `.item(.event)`.
        public var prepare: JSONParser.Options?

        public init(url: String) {
            self.url = url
        }
    }

    public enum Report: Sendable {
        case connecting(attempt: Int, lastEventID: String?)
        /// Every response, accepted or not: its status, headers and the time since the request.
        case response(status: Int, headers: [(name: String, value: String)], elapsed: Duration)
        case open(status: Int, contentType: String?)
        case item(SSEItem)
        /// An event, its data parsed (with `Options.prepare`).
        case prepared(PreparedEvent)
        /// A piece of the body arrived: its decoded size, and the bytes on the wire so far for
        /// this connection (headers and encoded body).
        case received(payloadBytes: Int, wireBytesSoFar: Int64)
        /// Every item of that piece has been reported (a consumer can write out what it
        /// gathered for the whole burst at once).
        case pieceHandled
        /// The connection ended, and how (`ending.isError`: the attempt counts as a failure).
        case closed(reason: String, ending: Ending, status: Int?)
        case reconnecting(delay: Duration)
        /// HTTP 204: the server asked the client to stop. No reconnection.
        case stoppedByServer
        /// Counts for the connection that just ended.
        case bytes(HTTPTransfer.Counts)
        /// No more reports will come.
        case finished
    }

    /// How an attempt ended. An attempt that ends in an error grows the backoff; one the
    /// server closed after delivering events is healthy however often it happens.
    public enum Ending: Sendable, Equatable {
        /// The server closed the stream after delivering events, or after a quiet stream was
        /// open for the healthy period (`ReconnectPolicy.healthyAfter`).
        case closedByServer
        /// Stopped on purpose (`stop()`).
        case stopped
        /// HTTP 204: the server asked the client to stop.
        case stoppedByServer
        /// Closed on purpose for a fresh snapshot, after an error the consumer reported.
        case resynchronizing
        /// No byte for the stall timeout.
        case stalled
        /// An HTTP error, a wrong content type, a network error, or a stream that ended before
        /// its first event.
        case failed

        public var isError: Bool {
            switch self {
            case .resynchronizing, .stalled, .failed: return true
            case .closedByServer, .stopped, .stoppedByServer: return false
            }
        }
    }
    /// How much of an error body the close reason quotes.
    static let quotedBytes = 200

    public let options: Options
    private let loop: CurlLoop
    public let queue: DispatchQueue
    /// Where the handler runs, when not on `queue`.
    private let deliveryQueue: DispatchQueue?
    private let handler: (Report) -> Void
    private var parser: SSEParser
    private var policy: ReconnectPolicy
    /// The clock, and every deadline: reconnections and stall checks.
    private let time: any Scheduler
    private var attempt = 0
    private var current: HTTPTransfer?
    private var lastByte: Moment
    private var stopped = false
    /// Why the current connection is being closed on purpose (a stall, a resynchronisation).
    private var problem: (reason: String, ending: Ending)?
    private var resynchronize = false
    /// Events the current attempt delivered, and when it opened.
    private var eventsThisAttempt = 0
    private var openedAt: Moment?
    private var stallCheck: ScheduledWork?
    /// Bytes handed to `queue` and not parsed yet (written on the engine thread, read on both).
    private let buffered = Atomic<Int>(0)
    /// How many times the transfer was paused for a slow consumer (for tests and the log).
    public let pauses = Atomic<Int>(0)
    /// Set when the transfer pauses; the drain that makes room clears it and resumes.
    private let wantsResume = Atomic<Bool>(false)
    /// Reports the handler on `deliveryQueue` is done with, dropped on `queue`, where they were
    /// made: malloc's per-thread caches stay warm and the threads don't contend for its locks.
    /// Dropped at the next piece, the next stall check or the connection's end.
    private let spent = Mutex<[[Report]]>([])

    public init(
        options: Options, loop: CurlLoop, queue: DispatchQueue, deliveryQueue: DispatchQueue? = nil,
        time: any Scheduler = SystemScheduler(), seed: UInt64 = 1,
        handler: @escaping (Report) -> Void
    ) {
        self.options = options
        self.loop = loop
        self.queue = queue
        self.deliveryQueue = deliveryQueue
        self.time = time
        self.handler = handler
        parser = SSEParser(maxEventBytes: options.maxEventBytes)
        policy = ReconnectPolicy(seed: seed)
        policy.maximumServerRetry = options.maxServerRetry
        lastByte = time.now()
    }

    public func start() {
        queue.async { self.connect() }
    }

    /// Ends the stream for good (no reconnection).
    public func stop() {
        queue.async {
            guard !self.stopped else { return }
            self.stopped = true
            if let current = self.current { self.loop.cancel(current) } else { self.finish() }
        }
    }

    /// The document went stale: reconnect without `Last-Event-ID`, for a fresh snapshot.
    public func resynchronize(reason: String) {
        queue.async {
            self.resynchronize = true
            if let current = self.current {
                self.problem = (reason, .resynchronizing)
                self.loop.cancel(current)
            }
        }
    }

    private func connect() {
        guard !stopped else { return finish() }
        attempt += 1
        eventsThisAttempt = 0
        openedAt = nil
        let lastEventID = resynchronize || parser.lastEventID.isEmpty ? nil : parser.lastEventID
        resynchronize = false
        emit(.connecting(attempt: attempt, lastEventID: lastEventID))
        var request = HTTPTransfer.Request(url: options.url)
        request.freshConnection = true
        request.acceptEncoding = options.compress
        request.headers = [("Accept", "text/event-stream"), ("Cache-Control", "no-cache")]
        if let lastEventID { request.headers.append(("Last-Event-ID", lastEventID)) }
        request.sameOriginHeaders = options.headers
        request.caFile = options.caFile
        if let socket = options.unixSocket {
            request.unixSocket = socket
            request.maxRedirects = 0  // the control API never redirects: nothing leaves the socket
        }
        let transfer = HTTPTransfer(request)
        var snippet: [UInt8] = []
        // Past the 200 bytes quoted, enough for a secret that starts before the cut to be
        // replaced whole.
        let snippetLimit = SSEConnection.quotedBytes + options.scrubber.longest
        var accepted = false
        let requested = time.now()
        transfer.onResponse = { [self] response in
            // On the engine thread: decide at once whether the body is an event stream.
            let type = response.contentType?.lowercased() ?? ""
            let isStream = response.status == 200 && (type == "text/event-stream" || type.hasPrefix("text/event-stream;"))
            accepted = isStream
            let headers = transfer.responseHeaders
            let elapsed = time.now() - requested
            queue.async { [self] in
                emit(.response(status: response.status, headers: headers, elapsed: elapsed))
                if isStream {
                    openedAt = time.now()
                    emit(.open(status: response.status, contentType: response.contentType))
                }
            }
        }
        transfer.onData = { [self] bytes in
            if !accepted {
                // Keep a sanitized snippet of an error body for the message, then stop reading.
                snippet.append(contentsOf: bytes.prefix(max(0, snippetLimit - snippet.count)))
                return snippet.count < snippetLimit ? .accept : .abort
            }
            if buffered.load(ordering: .acquiring) > options.maxBufferedBytes {
                // Announce first, then check again: a drain that happens after the announcement
                // resumes the transfer, so it cannot stay paused with nothing left to drain.
                wantsResume.store(true, ordering: .sequentiallyConsistent)
                if buffered.load(ordering: .sequentiallyConsistent) > options.maxBufferedBytes {
                    pauses.add(1, ordering: .relaxed)
                    return .pause
                }
            }
            buffered.add(bytes.count, ordering: .releasing)
            let copy = [UInt8](bytes)
            let wire = transfer.wireBytesSoFar
            queue.async { [self] in
                dropSpent()
                guard current === transfer else { return drained(copy.count, transfer) }
                lastByte = time.now()
                var reports: [Report] = [.received(payloadBytes: copy.count, wireBytesSoFar: wire)]
                parser.feed(copy) { item in
                    if case .event = item { eventsThisAttempt += 1 }
                    reports.append(.item(item))
                }
                if let prepare = options.prepare { SSEConnection.prepare(&reports, options: prepare) }
                reports.append(.pieceHandled)
                emit(reports) { [self] in drained(copy.count, transfer) }
            }
            return .accept
        }
        transfer.onComplete = { [self] outcome, response, counts in
            let body = options.scrubber.excerpt(snippet, limit: SSEConnection.quotedBytes)
            let wasAccepted = accepted
            queue.async { [self] in self.ended(transfer, outcome: outcome, response: response, accepted: wasAccepted, snippet: body, counts: counts) }
        }
        current = transfer
        lastByte = time.now()
        policy.connectionOpened(at: time.now())
        loop.start(transfer)
        scheduleStallCheck()
    }

    /// The events among `reports` as `.prepared`, parsed together (their patches share arrays).
    private static func prepare(_ reports: inout [Report], options: JSONParser.Options) {
        let events = reports.compactMap { report -> SSEEvent? in
            if case .item(.event(let event)) = report { return event } else { return nil }
        }
        guard !events.isEmpty else { return }
        var prepared = Document.prepare(events, options: options).makeIterator()
        for index in reports.indices {
            if case .item(.event) = reports[index] { reports[index] = .prepared(prepared.next()!) }
        }
    }

    /// Hands `reports` to the handler, in order after everything before them, then calls `done`.
    private func emit(_ reports: [Report], then done: @escaping @Sendable () -> Void = {}) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let deliveryQueue else {
            for report in reports { handler(report) }
            return done()
        }
        deliveryQueue.async { [self] in
            for report in reports { handler(report) }
            spent.withLock { $0.append(reports) }
            done()
        }
    }

    /// Frees the reports the handler is done with (see `spent`).
    private func dropSpent() {
        var reports: [[Report]] = []
        spent.withLock { swap(&reports, &$0) }
    }

    private func emit(_ report: Report) {
        emit([report])
    }

    /// Parsed bytes leave the buffer; below half the limit a paused transfer resumes.
    private func drained(_ count: Int, _ transfer: HTTPTransfer) {
        let left = buffered.subtract(count, ordering: .sequentiallyConsistent).newValue
        if left <= options.maxBufferedBytes / 2 && wantsResume.exchange(false, ordering: .sequentiallyConsistent) {
            loop.resume(transfer)
        }
    }

    private func ended(_ transfer: HTTPTransfer, outcome: HTTPTransfer.Outcome, response: HTTPTransfer.Response?, accepted: Bool, snippet: String, counts: HTTPTransfer.Counts) {
        guard current === transfer else { return }
        current = nil
        cancelStallCheck()
        dropSpent()
        parser.finish()  // an unfinished event is discarded; the last event ID is kept
        emit(.bytes(counts))
        let status = response?.status
        if status == 204 {
            emit(.closed(reason: "the server answered 204 No Content: stop", ending: .stoppedByServer, status: 204))
            emit(.stoppedByServer)
            return finish()
        }
        var ending = Ending.failed
        var reason: String
        if let problem {
            (reason, ending) = problem
            self.problem = nil
        } else if let status, status != 200 {
            let excerpt = Sanitizer.line(snippet.trimmingCharacters)
            reason = "HTTP \(status)" + (excerpt.isEmpty ? "" : ": \(excerpt)")
        } else if let response, !accepted {
            reason = "wrong content type \(Sanitizer.line(response.contentType ?? "(none)")), expected text/event-stream"
        } else if case .failed(let message) = outcome {
            reason = message == "cancelled" && stopped ? "stopped" : message
            if stopped { ending = .stopped }
        } else {
            reason = "the server closed the stream"
            ending = .closedByServer
        }
        // Connecting and closing at once, again and again, is a failure however politely it is
        // done: an attempt must deliver an event (or stay open long enough to count as healthy).
        let openFor = openedAt.map { time.now() - $0 } ?? .zero
        if ending == .closedByServer && eventsThisAttempt == 0 && openFor < policy.healthyAfter {
            reason = "the server closed the stream before sending any event"
            ending = .failed
        }
        emit(.closed(reason: reason, ending: ending, status: status))
        if let retry = parser.reconnectionTime { policy.serverRetry = .milliseconds(retry) }
        guard options.reconnect, !stopped else { return finish() }
        let delay = policy.connectionEnded(at: time.now(), failed: ending.isError)
        emit(.reconnecting(delay: delay))
        time.schedule(after: delay, on: queue) { [self] in connect() }
    }

    /// Checks for a stall when one would be due if no byte came meanwhile: once per `stall`
    /// seconds of a busy stream rather than every second, because with thousands of streams
    /// each dispatch timer costs a wakeup and a timerfd update.
    private func scheduleStallCheck(after wait: Duration? = nil) {
        stallCheck?.cancel()
        // Weak: a check must not keep a finished connection alive for `stall` seconds.
        let wait = max(wait ?? options.stall, .milliseconds(1))
        stallCheck = time.schedule(after: wait, on: queue) { [weak self] in
            guard let self, let current else { return }
            dropSpent()  // what the last burst left, when no piece came since
            let quiet = time.now() - lastByte
            if quiet >= options.stall {
                problem = ("stalled: no data for \(SSEConnection.describe(options.stall))", .stalled)
                loop.cancel(current)
            } else {
                scheduleStallCheck(after: options.stall - quiet)
            }
        }
    }

    static func describe(_ duration: Duration) -> String {
        duration < .seconds(1) ? "\(duration.nanoseconds / 1_000_000) ms" : "\(Int(duration.seconds.rounded())) s"
    }

    private func finish() {
        cancelStallCheck()
        emit(.finished)
    }

    /// Cancelling drops the check's block, which holds this connection weakly anyway.
    private func cancelStallCheck() {
        stallCheck?.cancel()
        stallCheck = nil
    }
}

extension StringProtocol {
    /// Without whitespace (newlines too) at either end.
    package var trimmingCharacters: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
