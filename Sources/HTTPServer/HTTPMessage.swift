#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 request as a handler sees it: the head parsed and within limits, the body in
/// full (at most `HTTPServer.Limits.maxBody`), and who sent it.
package struct HTTPServerRequest: Sendable {
    package var method: String
    /// The path, percent-decoded, without the query (`/v1/streams/a%20b` → `/v1/streams/a b`).
    package var path: String
    /// The path and query as requested.
    package var target: String
    /// Query parameters, percent-decoded (`+` is a space); the last of a repeated name wins.
    package var query: [String: String]
    /// Header names lowercased, in order.
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]
    package var peer: HTTPPeer

    package init(
        method: String, path: String, target: String, query: [String: String] = [:],
        headers: [(name: String, value: String)] = [], body: [UInt8] = [], peer: HTTPPeer
    ) {
        self.method = method
        self.path = path
        self.target = target
        self.query = query
        self.headers = headers
        self.body = body
        self.peer = peer
    }

    /// The path's segments, each percent-decoded on its own (`/v1/streams/a%2Fb` → `["v1",
    /// "streams", "a/b"]`): an escaped slash is part of a name, never a separator. Nil when the
    /// target does not decode.
    package var pathSegments: [String]? {
        var raw = Substring(target.prefix { $0 != "?" })
        // Only an absolute-form target (`http://host/a`) has an authority to skip: in a path,
        // `/x://y/a` is three segments, never `/a`.
        if !raw.hasPrefix("/"), let schemeEnd = raw.range(of: "://") {
            let afterAuthority = raw[schemeEnd.upperBound...]
            raw = afterAuthority[(afterAuthority.firstIndex(of: "/") ?? afterAuthority.endIndex)...]
        }
        guard raw.hasPrefix("/") else { return nil }
        var segments: [String] = []
        for piece in raw.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            guard let decoded = try? TargetDecoding.percentDecoded(piece, plusIsSpace: false) else { return nil }
            segments.append(decoded)
        }
        return segments
    }

    /// The first value of header `name` (lowercase).
    package func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }
}

/// Who is on the other end of a connection.
package enum HTTPPeer: Sendable, Equatable {
    /// A Unix socket peer, from `SO_PEERCRED`.
    case unix(uid: uid_t, pid: pid_t)
    /// A TCP peer: its address as text (`127.0.0.1:53211`).
    case tcp(String)
}

/// A complete response. `Content-Length` and `Connection` are added by the server.
package struct HTTPServerResponse: Sendable {
    package var status: Int
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// How a handler answers one request, from any thread, once: a whole response, or the head
/// of a stream (`text/event-stream`) whose body it then sends piece by piece.
package protocol HTTPResponder: Sendable {
    func respond(_ response: HTTPServerResponse)
    /// Starts a response without a length (the connection closes when it ends).
    func stream(status: Int, headers: [(name: String, value: String)]) -> any HTTPResponseStream
}

/// The body of a streamed response. Thread-safe. Bytes are queued for the connection; past the
/// server's backlog limit (a client that stopped reading) the connection is dropped and every
/// later `send` returns false.
package protocol HTTPResponseStream: AnyObject, Sendable {
    /// Queues `bytes`; false when the client has gone (closed, dropped, or the server stopped).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool
    /// Ends the response and closes the connection once queued bytes are written.
    func finish()
    /// Called once, on the server's loop thread, when the connection ends for any reason
    /// (registered after the end: called at once).
    func onClose(_ action: @escaping @Sendable () -> Void)
    var isOpen: Bool { get }
}

/// The reason phrase of a status code.
package func httpReason(_ status: Int) -> String {
    switch status {
    case 200: return "OK"
    case 201: return "Created"
    case 204: return "No Content"
    case 304: return "Not Modified"
    case 308: return "Permanent Redirect"
    case 400: return "Bad Request"
    case 401: return "Unauthorized"
    case 403: return "Forbidden"
    case 404: return "Not Found"
    case 405: return "Method Not Allowed"
    case 408: return "Request Timeout"
    case 409: return "Conflict"
    case 411: return "Length Required"
    case 413: return "Content Too Large"
    case 414: return "URI Too Long"
    case 415: return "Unsupported Media Type"
    case 417: return "Expectation Failed"
    case 431: return "Request Header Fields Too Large"
    case 500: return "Internal Server Error"
    case 501: return "Not Implemented"
    case 503: return "Service Unavailable"
    case 505: return "HTTP Version Not Supported"
    default: return "Status \(status)"
    }
}
