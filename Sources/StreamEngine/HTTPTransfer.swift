import CCurl
import StreamCore

/// One HTTP request (a GET, or a POST for webhooks) on the engine's loop: the request going in, callbacks coming out.
///
/// Callbacks run on the engine thread, in order: `onResponse` once the response headers are
/// complete (or at completion for a response without a body), `onData` for each piece of the
/// decoded body, `onComplete` once. They must return quickly: hand the bytes to a stream's
/// queue and return.
public final class HTTPTransfer: @unchecked Sendable {  // configured before `start`, then touched only by the engine thread
    public struct Request: Sendable {
        public var url: String
        /// The engine's own headers (`Accept`, validators…), sent on every hop of a redirect.
        public var headers: [(name: String, value: String)]
        /// The headers a person registered, which may carry credentials: sent only while the
        /// request stays on the origin (scheme, host, port) of `url`. Once a redirect leaves
        /// it they are gone for good, even if a later redirect comes back.
        public var sameOriginHeaders: [(name: String, value: String)] = []
        /// Offer gzip/deflate/br and decode the body as it arrives.
        public var acceptEncoding = true
        /// Use a connection of its own (SSE streams: one stalled stream must not stall others).
        public var freshConnection = false
        public var connectTimeout: Duration = .seconds(15)
        /// Whole-transfer limit (polls); nil for streams that stay open.
        public var timeout: Duration?
        /// Redirects followed (by the engine, not libcurl: see `CurlLoop+Redirects.swift`).
        public var maxRedirects = 10
        /// A body to POST (webhooks); nil for a GET.
        public var postBody: [UInt8]?
        /// The certificates (PEM) of the authorities to trust instead of the system's (a
        /// stream's `caFile`); nil for the loop's (`CURL_CA_BUNDLE`, `SSL_CERT_FILE`, or the system's).
        public var caFile: String?
        /// A method other than GET (or POST with `postBody`): PUT, DELETE…
        public var method: String?
        /// Connect to this Unix socket instead of the URL's host (the control API's
        /// `streamtop.sock`); the URL still gives the path and the `Host` header.
        public var unixSocket: String?
        /// Sign with AWS Signature Version 4 (S3). The credentials go to libcurl only: no
        /// message, log or description of the request shows them.
        package var awsSigV4: AWSSigning?

        public init(url: String, headers: [(name: String, value: String)] = []) {
            self.url = url
            self.headers = headers
        }
    }

    public struct Response: Sendable, Equatable {
        public var status: Int
        public var contentType: String?
    }

    public enum Outcome: Sendable, Equatable {
        /// The server completed the response (any status).
        case completed
        /// The transfer failed or was cancelled; the message is libcurl's, made readable.
        case failed(String)
    }

    /// What crossed the wire (headers and the body as sent, compressed or not) and what the
    /// body decoded to.
    public struct Counts: Sendable, Equatable {
        public var wireBytes: Int64 = 0
        public var payloadBytes: Int64 = 0
    }

    public let request: Request
    public var onResponse: ((Response) -> Void)?
    /// What to do with a piece of the body.
    public enum DataDecision: Sendable {
        /// Taken: carry on.
        case accept
        /// Not taken: pause the transfer (libcurl stops reading the socket, so the server slows
        /// down) and hand the same bytes again after `CurlLoop.resume`.
        case pause
        /// Not taken: end the transfer (e.g. a wrong content type).
        case abort
    }

    public var onData: ((UnsafeRawBufferPointer) -> DataDecision)?
    public var onComplete: ((Outcome, Response?, Counts) -> Void)?

    /// The final response's headers (names lowercased), complete once `onComplete` runs.
    public internal(set) var responseHeaders: [(name: String, value: String)] = []

    /// The cache validators the server gave, for a conditional next request.
    public var validators: (etag: String?, lastModified: String?) {
        (responseHeaders.last { $0.name == "etag" }?.value, responseHeaders.last { $0.name == "last-modified" }?.value)
    }

    var easy: UnsafeMutableRawPointer?
    var headerList: UnsafeMutablePointer<curl_slist>?
    /// The URL of the current hop, and how many redirects led to it.
    var url = ""
    var redirects = 0
    /// A redirect has left the first URL's origin: `sameOriginHeaders` are no longer sent.
    var leftOrigin = false
    /// The current hop's response is a redirect (a 3xx with a Location): its body is
    /// discarded, and once it completes it is followed or refused. Set when its headers end.
    var redirectStatus: Int?
    /// Why the engine ended the transfer from a callback (oversized headers).
    var failure: TransferFailure?
    /// Whether the current response's headers are still arriving, and their size so far.
    var inHeaders = false
    var responseHeaderBytes = 0
    /// Wire bytes of the hops before this one (redirect responses).
    var earlierHopsWireBytes: Int64 = 0
    var startedAt: Moment?
    var isPost: Bool
    /// The CA file the transfer trusts, if not the system's.
    var caFile: CAFile?
    /// libcurl's words for its last failure (`CURLOPT_ERRORBUFFER`), for TLS messages.
    var errorBuffer: UnsafeMutablePointer<CChar>?
    var response: Response?
    var counts = Counts()
    var aborted = false
    /// Whether the receiver paused the transfer (engine thread).
    var paused = false
    /// Raw body bytes received so far (read from libcurl's counters in the write callback).
    var bodyWireBytes: Int64 = 0
    var headerBytes: Int64 = 0

    public init(_ request: Request) {
        self.request = request
        isPost = request.postBody != nil
    }

    /// Wire bytes so far (engine thread).
    public var wireBytesSoFar: Int64 { earlierHopsWireBytes + headerBytes + bodyWireBytes }

    /// What a response's headers may take in all; past it the transfer ends with an error.
    /// libcurl limits each line (100 KiB), and the total only from 8.3 on (or patched).
    static let maxResponseHeaderBytes = 256 << 10

    /// Lets go of every handler, then hands the outcome to `onComplete` (engine thread, once).
    /// The handlers capture the transfer and whoever started it (a connection, a notifier), so
    /// keeping them after the end would keep all of those alive for good: one leaked transfer
    /// per poll or reconnect, and a removed stream's whole runner.
    func complete(_ outcome: Outcome) {
        let completion = onComplete
        onResponse = nil
        onData = nil
        onComplete = nil
        completion?(outcome, response, counts)
    }
}
