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
        public var timeout: Duration = .seconds(30)
        public var maxBodyBytes = 64 << 20
        /// Delay before the first poll (spread many pollers over their interval).
        public var initialDelay: Duration = .zero
        /// Offer `Accept-Encoding` (decoded as bytes arrive).
        public var compress = true
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
        /// The patch from the previous document (nil for the first body, a 304, or non-JSON).
        public var patch: JSONPatch?
        public var patchBytes: Int
        public var document: JSONValue?
        /// Why the poll failed (network, HTTP error status, non-JSON body, oversize).
        public var error: String?
        /// How long after its scheduled time this poll started.
        public var lateness: Duration = .zero
    }

    public enum Report: Sendable {
        case poll(Poll)
        case finished
    }

    public let options: Options
    private let loop: CurlLoop
    public let queue: DispatchQueue
    private let handler: (Report) -> Void
    private var previous: JSONValue?
    private var etag: String?
    private var lastModified: String?
    private var stopped = false
    private var current: HTTPTransfer?
    /// When the next poll is due; polls are scheduled from this, not from when the last one
    /// ran, so a slow response or a busy machine does not make the schedule drift.
    private var due = DispatchTime.now()
    private var lateness: Duration = .zero

    public init(options: Options, loop: CurlLoop, queue: DispatchQueue, handler: @escaping (Report) -> Void) {
        self.options = options
        self.loop = loop
        self.queue = queue
        self.handler = handler
    }

    public func start() {
        queue.async { [self] in
            due = .now() + .nanoseconds(Int(options.initialDelay.nanoseconds))
            queue.asyncAfter(deadline: due) { self.poll() }
        }
    }

    public func stop() {
        queue.async {
            guard !self.stopped else { return }
            self.stopped = true
            if let current = self.current { self.loop.cancel(current) } else { self.handler(.finished) }
        }
    }

    private func poll() {
        guard !stopped else { return }
        let now = DispatchTime.now()
        lateness = now > due ? .nanoseconds(Int64(now.uptimeNanoseconds - due.uptimeNanoseconds)) : .zero
        var request = HTTPTransfer.Request(url: options.url)
        request.acceptEncoding = options.compress
        request.timeout = options.timeout
        request.headers = [("Accept", "application/json")]
        if let etag { request.headers.append(("If-None-Match", etag)) }
        if let lastModified { request.headers.append(("If-Modified-Since", lastModified)) }
        request.sameOriginHeaders = options.headers
        request.caFile = options.caFile
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
        due = due + .nanoseconds(Int(options.interval.nanoseconds))
        queue.asyncAfter(deadline: due) { [self] in poll() }
    }

    private func finished(_ transfer: HTTPTransfer, outcome: HTTPTransfer.Outcome, response: HTTPTransfer.Response?, counts: HTTPTransfer.Counts, body: [UInt8], oversize: Bool) {
        if current === transfer { current = nil }
        defer { if stopped { handler(.finished) } }
        var result = Poll(status: response?.status, wireBytes: counts.wireBytes, bodyBytes: body.count, changed: false, patch: nil, patchBytes: 0, document: previous, error: nil, lateness: lateness)
        if oversize {
            result.error = "body larger than the limit of \(options.maxBodyBytes) bytes"
        } else if case .failed(let message) = outcome {
            guard !(stopped && message == "cancelled") else { return }
            result.error = message
        } else if let status = response?.status, status == 304 {
            result.bodyBytes = 0
        } else if let status = response?.status, !(200..<300).contains(status) {
            result.error = "HTTP \(status)" + (body.isEmpty ? "" : ": " + Sanitizer.line(String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters))
        } else {
            do {
                let document = try JSONParser.parse(body)
                if let previous {
                    let patch = JSONDiff.diff(from: previous, to: document)
                    result.patch = patch
                    result.patchBytes = patch.isEmpty ? 0 : patch.encodedSize
                    result.changed = !patch.isEmpty
                } else {
                    result.changed = true
                }
                previous = document
                result.document = document
                etag = transfer.validators.etag
                lastModified = transfer.validators.lastModified
            } catch {
                result.error = "the body is not JSON: \(error)"
            }
        }
        handler(.poll(result))
    }
}
