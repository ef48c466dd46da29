import Dispatch
import StreamCore

/// A JSON API polled on a schedule: a GET every `interval`, with `If-None-Match` /
/// `If-Modified-Since` once the server gave validators, a timeout and a body limit. Each body
/// is diffed against the previous one, so every poll says what a streaming proxy would have
/// sent instead: the patch and its size.
///
/// Reports come on `queue`, in order.
public final class PollConnection: @unchecked Sendable {  // mutable state is confined to `queue`
    public struct Options: Sendable {
        public var url: String
        public var headers: [(name: String, value: String)] = []
        public var interval: Duration = .seconds(60)
        /// Connect through this Unix socket instead of the URL's host.
        public var unixSocket: String?
        public var timeout: Duration = .seconds(30)
        /// A larger body is an error. With the parser's limits (at most 6× its text, 64 MiB),
        /// a poller holds at most its body and two documents: ~150 MiB whatever a server sends.
        public var maxBodyBytes = 16 << 20
        /// Delay before the first poll (spread many pollers over their interval).
        public var initialDelay: Duration = .zero
        /// Offer `Accept-Encoding` (decoded as bytes arrive).
        public var compress = true
        /// Replaces the stream's own secrets in an error body it quotes.
        public var scrubber = Redactor.Scrubber(secrets: [])
        /// The CA certificates (PEM) to trust instead of the system's (the stream's `caFile`).
        public var caFile: String?

        public init(url: String) {
            self.url = url
        }
    }

    /// One poll's result.
    public struct Poll: Sendable {
        public var status: Int?
        public var wireBytes: Int64
        /// Decoded body bytes (0 for a 304).
        public var bodyBytes: Int
        /// Whether the document differs from the previous poll's.
        public var changed: Bool
        /// What a streaming proxy would have sent for this poll: the snapshot as one `add` at the
        /// root for the first body, the diff from the previous document after it, `[]` for a
        /// 304 or an unchanged body (and for a failed poll, which sends nothing). The first
        /// body's is built when asked for (a `JSONValue` of the whole document, which takes 3–22×
        /// its text): the engine only needs its size.
        public var patch: JSONPatch {
            get { isFirstBody ? JSONPatch([.add(path: .root, value: document?.value ?? .null)]) : diff }
            set { diff = newValue; isFirstBody = false }
        }
        var diff: JSONPatch
        /// Whether this is the first body: its patch is the whole document added at the root.
        var isFirstBody = false
        /// The patch's size as compact JSON (0 for a failed poll).
        public var patchBytes: Int
        public var document: JSONTree?
        /// Why the poll failed (network, HTTP error status, non-JSON body, oversize).
        public var error: String?
        /// How long after its scheduled time this poll started.
        public var lateness: Duration = .zero
        /// Ticks skipped since the previous poll because a request was still in flight.
        public var skipped = 0
    }

    public enum Report: Sendable {
        case poll(Poll)
        case finished
    }

    public let options: Options
    private let loop: CurlLoop
    public let queue: DispatchQueue
    private let handler: (Report) -> Void
    private var previous: JSONTree?
    private var etag: String?
    private var lastModified: String?
    private var stopped = false
    private var current: HTTPTransfer?
    /// When the next poll is due; polls are scheduled from this, not from when the last one
    /// ran, so a slow response or a busy machine does not make the schedule drift.
    private var due: Moment
    private var lateness: Duration = .zero
    /// The clock, and the poll schedule.
    private let time: any Scheduler
    /// The next tick; cancelled on stop, so a stopped poller is not held until it comes.
    private var tick: ScheduledWork?
    /// Ticks that found a request in flight since the last poll started (one request at a time).
    private var skipped = 0

    public init(
        options: Options, loop: CurlLoop, queue: DispatchQueue, time: any Scheduler = SystemScheduler(),
        handler: @escaping (Report) -> Void
    ) {
        self.options = options
        self.loop = loop
        self.queue = queue
        self.time = time
        self.handler = handler
        due = time.now()
    }

    public func start() {
        queue.async { [self] in
            due = time.now() + options.initialDelay
            tick = time.schedule(after: options.initialDelay, on: queue) { [self] in poll() }
        }
    }

    public func stop() {
        queue.async {
            guard !self.stopped else { return }
            self.stopped = true
            self.tick?.cancel()
            if let current = self.current { self.loop.cancel(current) } else { self.handler(.finished) }
        }
    }

    private func poll() {
        guard !stopped else { return }
        let now = time.now()
        lateness = max(now - due, .zero)
        // The next tick from the schedule, not from now: a slow response or a busy machine does
        // not make it drift.
        due = due + options.interval
        tick = time.schedule(after: due - now, on: queue) { [self] in poll() }
        // One request in flight: a response slower than the interval skips ticks, counted.
        guard current == nil else {
            skipped += 1
            return
        }
        var request = HTTPTransfer.Request(url: options.url)
        request.acceptEncoding = options.compress
        request.timeout = options.timeout
        request.headers = [("Accept", "application/json")]
        if let etag { request.headers.append(("If-None-Match", etag)) }
        if let lastModified { request.headers.append(("If-Modified-Since", lastModified)) }
        request.sameOriginHeaders = options.headers
        request.caFile = options.caFile
        if let socket = options.unixSocket {
            request.unixSocket = socket
            request.maxRedirects = 0
        }
        let transfer = HTTPTransfer(request)
        var body: [UInt8] = []
        var tooLarge = false
        let limit = options.maxBodyBytes
        transfer.onData = { bytes in
            // Engine thread.
            if body.count + bytes.count > limit {
                tooLarge = true
                return .abort
            }
            body.append(contentsOf: bytes)
            return .accept
        }
        transfer.onComplete = { [self] outcome, response, counts in
            let received = body
            let oversize = tooLarge
            queue.async { [self] in finished(transfer, outcome: outcome, response: response, counts: counts, body: received, oversize: oversize) }
        }
        current = transfer
        loop.start(transfer)
    }

    private func finished(_ transfer: HTTPTransfer, outcome: HTTPTransfer.Outcome, response: HTTPTransfer.Response?, counts: HTTPTransfer.Counts, body: [UInt8], oversize: Bool) {
        // A completion that is not the current request's belongs to a poller stopped since.
        guard current === transfer else { return }
        current = nil
        defer { if stopped { handler(.finished) } }
        var result = Poll(
            status: response?.status, wireBytes: counts.wireBytes, bodyBytes: body.count, changed: false,
            diff: JSONPatch(), patchBytes: 2, document: previous, error: nil, lateness: lateness, skipped: skipped)
        skipped = 0
        if oversize {
            result.error = "body larger than the limit of \(options.maxBodyBytes) bytes"
        } else if case .failed(let message) = outcome {
            guard !(stopped && message == "cancelled") else { return }
            result.error = message
        } else if let status = response?.status, status == 304 {
            result.bodyBytes = 0
        } else if let status = response?.status, !(200..<300).contains(status) {
            result.error = "HTTP \(status)" + (body.isEmpty ? "" : ": " + quoted(body))
        } else {
            do {
                let document = try JSONTree(parsing: body)
                if let previous {
                    let patch = JSONDiff.diff(from: previous, to: document)
                    result.patch = patch
                    result.patchBytes = patch.encodedSize
                    result.changed = !patch.isEmpty
                } else {
                    // The first body: a streaming proxy's snapshot, one `add` at the root.
                    result.isFirstBody = true
                    let framing = #"[{"op":"add","path":"","value":}]"#.utf8.count
                    result.patchBytes = framing + JSONWriter.data(document).count
                    result.changed = true
                }
                previous = document
                result.document = document
                etag = transfer.validators.etag
                lastModified = transfer.validators.lastModified
            } catch {
                result.error = error.isLimit ? "body refused: \(error.reasonText)" : "the body is not JSON: \(error)"
            }
        }
        if result.error != nil { result.patchBytes = 0 }
        handler(.poll(result))
    }

    /// The first 200 bytes of an error body, the stream's secrets replaced, on one line.
    private func quoted(_ body: [UInt8]) -> String {
        let limit = SSEConnection.quotedBytes
        let excerpt = options.scrubber.excerpt(body.prefix(limit + options.scrubber.longest), limit: limit)
        return Sanitizer.line(excerpt.trimmingCharacters)
    }
}
