/// How a request's body is delimited.
enum BodyFraming: Equatable {
    case none
    case length(Int)
    case chunked
}

/// A request head, parsed and checked: what the connection needs to read the body and answer.
struct RequestHead {
    var method: String
    /// As requested.
    var target: String
    var path: String
    var query: [String: String]
    /// 1 for HTTP/1.1, 0 for HTTP/1.0.
    var minorVersion: Int
    /// Names lowercased, in order.
    var headers: [(name: String, value: String)]
    var framing: BodyFraming
    /// `Expect: 100-continue` on an HTTP/1.1 request.
    var expectsContinue: Bool
    /// Whether the connection may serve another request after this one.
    var keepAlive: Bool
}
