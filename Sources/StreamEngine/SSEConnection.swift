import Dispatch
import StreamCore
import Synchronization

/// One Server-Sent Events stream kept alive: connects, checks the response, parses events on
/// its own serial queue, detects stalls, and reconnects with `ReconnectPolicy` (the server's
/// `retry`, exponential backoff with jitter on failures), sending `Last-Event-ID` to resume.
///
/// Everything the stream does is reported to `handler`, on `queue`, in order.
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
        /// The CA certificates (PEM) to trust instead of the system's (the stream's `caFile`).
        public var caFile: String?

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
        /// A piece of the body arrived: its decoded size, and the bytes on the wire so far for
        /// this connection (headers and encoded body).
        case received(payloadBytes: Int, wireBytesSoFar: Int64)
        /// Every item of that piece has been reported (a consumer can write out what it
        /// gathered for the whole burst at once).
        case pieceHandled
        /// The connection ended; `failed` for errors (HTTP status, wrong content type, network, stall).
        case closed(reason: String, failed: Bool, status: Int?)
        case reconnecting(delay: Duration)
        /// HTTP 204: the server asked the client to stop. No reconnection.
        case stoppedByServer
        /// Counts for the connection that just ended.
        case bytes(HTTPTransfer.Counts)
        /// No more reports will come.
        case finished
    }

    public let options: Options
    private let loop: CurlLoop
    public let queue: DispatchQueue
    private let handler: (Report) -> Void
    private var parser: SSEParser
    private var policy: ReconnectPolicy
    private let time: any TimeSource
    private var attempt = 0
    private var current: HTTPTransfer?
    private var lastByte: Moment
    private var stopped = false
    private var problem: String?
    /// The current connection is being closed on purpose, to get a fresh snapshot.
    private var closingToResynchronize = false
    private var resynchronize = false
    private var stallCheck: DispatchWorkItem?
    /// Bytes handed to `queue` and not parsed yet (written on the engine thread, read on both).
    private let buffered = Atomic<Int>(0)
    /// How many times the transfer was paused for a slow consumer (for tests and the log).
    public let pauses = Atomic<Int>(0)
    /// Set when the transfer pauses; the drain that makes room clears it and resumes.
    private let wantsResume = Atomic<Bool>(false)

    public init(options: Options, loop: CurlLoop, queue: DispatchQueue, time: any TimeSource = SystemTimeSource(), seed: UInt64 = 1, handler: @escaping (Report) -> Void) {
        self.options = options
        self.loop = loop
        self.queue = queue
        self.time = time
        self.handler = handler
        parser = SSEParser(maxEventBytes: options.maxEventBytes)
        policy = ReconnectPolicy(seed: seed)
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
                self.problem = reason
                self.closingToResynchronize = true
                self.loop.cancel(current)
            }
        }
    }

    private func connect() {
        guard !stopped else { return finish() }
        attempt += 1
        let lastEventID = resynchronize || parser.lastEventID.isEmpty ? nil : parser.lastEventID
        resynchronize = false
        handler(.connecting(attempt: attempt, lastEventID: lastEventID))
        var request = HTTPTransfer.Request(url: options.url)
        request.freshConnection = true
        request.acceptEncoding = options.compress
        request.headers = [("Accept", "text/event-stream"), ("Cache-Control", "no-cache")]
        if let lastEventID { request.headers.append(("Last-Event-ID", lastEventID)) }
        request.sameOriginHeaders = options.headers
        request.caFile = options.caFile
        let transfer = HTTPTransfer(request)
        var snippet: [UInt8] = []
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
                handler(.response(status: response.status, headers: headers, elapsed: elapsed))
                if isStream { handler(.open(status: response.status, contentType: response.contentType)) }
            }
        }
        transfer.onData = { [self] bytes in
            if !accepted {
                // Keep a sanitized snippet of an error body for the message, then stop reading.
                snippet.append(contentsOf: bytes.prefix(max(0, 200 - snippet.count)))
                return snippet.count < 200 ? .accept : .abort
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
                defer { drained(copy.count, transfer) }
                guard current === transfer else { return }
                lastByte = time.now()
                handler(.received(payloadBytes: copy.count, wireBytesSoFar: wire))
                parser.feed(copy) { handler(.item($0)) }
                handler(.pieceHandled)
            }
            return .accept
        }
        transfer.onComplete = { [self] outcome, response, counts in
            let body = String(decoding: snippet, as: UTF8.self)
            let wasAccepted = accepted
            queue.async { [self] in self.ended(transfer, outcome: outcome, response: response, accepted: wasAccepted, snippet: body, counts: counts) }
        }
        current = transfer
        lastByte = time.now()
        policy.connectionOpened(at: time.now())
        loop.start(transfer)
        scheduleStallCheck()
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
        parser.finish()  // an unfinished event is discarded; the last event ID is kept
        handler(.bytes(counts))
        let status = response?.status
        if status == 204 {
            handler(.closed(reason: "the server answered 204 No Content: stop", failed: false, status: 204))
            handler(.stoppedByServer)
            return finish()
        }
        var failed = true
        let reason: String
        if let problem {
            reason = problem
            self.problem = nil
            // Resynchronizing is a deliberate close, not a failure: no backoff.
            failed = !closingToResynchronize
            closingToResynchronize = false
        } else if let status, status != 200 {
            let excerpt = Sanitizer.line(snippet.trimmingCharacters)
            reason = "HTTP \(status)" + (excerpt.isEmpty ? "" : ": \(excerpt)")
        } else if let response, !accepted {
            reason = "wrong content type \(Sanitizer.line(response.contentType ?? "(none)")), expected text/event-stream"
        } else if case .failed(let message) = outcome {
            reason = message == "cancelled" && stopped ? "stopped" : message
            failed = !stopped
        } else {
            reason = "the server closed the stream"
            failed = false
        }
        handler(.closed(reason: reason, failed: failed, status: status))
        if let retry = parser.reconnectionTime { policy.serverRetry = .milliseconds(retry) }
        guard options.reconnect, !stopped else { return finish() }
        let delay = policy.connectionEnded(at: time.now(), failed: failed)
        handler(.reconnecting(delay: delay))
        queue.asyncAfter(deadline: .now() + .nanoseconds(Int(delay.nanoseconds))) { [self] in connect() }
    }

    /// Checks for a stall when one would be due if no byte came meanwhile: once per `stall`
    /// seconds of a busy stream rather than every second, because with thousands of streams
    /// each dispatch timer costs a wakeup and a timerfd update.
    private func scheduleStallCheck(after wait: Duration? = nil) {
        stallCheck?.cancel()
        // Weak: the queue holds a scheduled item until its time comes, even cancelled, and a
        // check must not keep a finished connection alive for `stall` seconds.
        let check = DispatchWorkItem { [weak self] in
            guard let self, let current else { return }
            let quiet = time.now() - lastByte
            if quiet >= options.stall {
                problem = "stalled: no data for \(SSEConnection.describe(options.stall))"
                loop.cancel(current)
            } else {
                scheduleStallCheck(after: options.stall - quiet)
            }
        }
        stallCheck = check
        let wait = max(wait ?? options.stall, .milliseconds(1))
        queue.asyncAfter(deadline: .now() + .nanoseconds(Int(wait.nanoseconds)), execute: check)
    }

    static func describe(_ duration: Duration) -> String {
        duration < .seconds(1) ? "\(duration.nanoseconds / 1_000_000) ms" : "\(Int(duration.seconds.rounded())) s"
    }

    private func finish() {
        cancelStallCheck()
        handler(.finished)
    }

    /// A cancelled work item keeps its block, and the block holds this connection: drop it, or
    /// a finished connection (and its runner) would stay alive.
    private func cancelStallCheck() {
        stallCheck?.cancel()
        stallCheck = nil
    }
}

extension StringProtocol {
    var trimmingCharacters: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
