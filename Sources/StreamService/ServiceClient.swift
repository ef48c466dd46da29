import Dispatch
import Foundation
import HTTPServer
import StreamCore
import StreamEngine
import Synchronization

/// A client of the control API, on a libcurl loop of its own: one request at a time from the
/// command line (`streamtop start`, `status`…), and the SSE streams an attached monitor and
/// `logs -f` follow. Over the Unix socket of a state directory, or over TCP with the token
/// (an instance reached through a tunnel).
package final class ServiceClient: Sendable {
    package enum Endpoint: Sendable, Equatable, CustomStringConvertible {
        case unix(path: String)
        /// `http://HOST:PORT`, with the token the service's `--listen` requires.
        case tcp(baseURL: String, token: String?)

        package var description: String {
            switch self {
            case .unix(let path): return path
            case .tcp(let baseURL, _): return baseURL
            }
        }
    }

    /// A response of the API: its status and body; `error` read from the body when it is one.
    package struct Reply: Sendable {
        package var status: Int
        package var body: [UInt8]

        package var json: JSONValue? { try? JSONParser.parse(body) }

        /// The API's error, when the status is one.
        package var error: ServiceError? {
            guard status >= 400 else { return nil }
            let error = json?["error"]
            return ServiceError(
                status, error?["code"]?.stringValue ?? "error",
                error?["message"]?.stringValue ?? "the service answered \(status)")
        }
    }

    package let endpoint: Endpoint
    private let loop: CurlLoop
    /// The socket's path as libcurl can take it (a long one through its directory's descriptor,
    /// held open while this client lives).
    private let socketPath: ShortSocketPath?

    package init(endpoint: Endpoint) throws {
        self.endpoint = endpoint
        if case .unix(let path) = endpoint { socketPath = try ShortSocketPath(path) } else { socketPath = nil }
        loop = try CurlLoop()
    }

    deinit {
        loop.shutdown()
    }

    /// The largest body taken from the API (a status of 100,000 streams is ~40 MB).
    package static let maxBody = 256 << 20

    /// Sends a request and waits for the whole reply; a failure to reach the service is a
    /// `ServiceError` with status 503 saying so.
    package func request(
        _ method: String, _ path: String, body: JSONValue? = nil, timeout: Duration = .seconds(30)
    ) throws(ServiceError) -> Reply {
        var request = transferRequest(path: path)
        request.timeout = timeout
        request.connectTimeout = .seconds(5)
        request.acceptEncoding = false
        request.maxRedirects = 0
        // A bodiless POST goes as a custom method: an empty post body would make libcurl read stdin.
        if method != "GET" { request.method = method }
        if let body {
            request.postBody = JSONWriter.data(body)
            request.headers.append(("Content-Type", "application/json"))
        }
        let transfer = HTTPTransfer(request)
        let received = Mutex<(bytes: [UInt8], tooLarge: Bool)>(([], false))
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<(HTTPTransfer.Outcome, HTTPTransfer.Response?)?>(nil)
        transfer.onData = { piece in
            received.withLock { received in
                guard received.bytes.count + piece.count <= ServiceClient.maxBody else {
                    received.tooLarge = true
                    return .abort
                }
                received.bytes.append(contentsOf: piece)
                return .accept
            }
        }
        transfer.onComplete = { outcome, response, _ in
            result.withLock { $0 = (outcome, response) }
            done.signal()
        }
        loop.start(transfer)
        done.wait()
        let (outcome, response) = result.withLock { $0! }
        let (bytes, tooLarge) = received.withLock { ($0.bytes, $0.tooLarge) }
        if tooLarge { throw ServiceError(502, "too_large", "the reply from \(endpoint) is larger than 256 MiB") }
        switch outcome {
        case .failed(let message):
            throw ServiceError(503, "unreachable", "cannot reach streamtop at \(endpoint): \(message)")
        case .completed:
            return Reply(status: response?.status ?? 0, body: bytes)
        }
    }

    /// `request`, then the JSON body of a success (an error reply is thrown).
    package func json(
        _ method: String, _ path: String, body: JSONValue? = nil
    ) throws(ServiceError) -> JSONValue? {
        let reply = try request(method, path, body: body)
        if let error = reply.error { throw error }
        return reply.json
    }

    /// The options of an SSE connection to `path` (`/v1/events`, a stream's logs with
    /// `follow=true`), through the same socket or address, with the token.
    package func sseOptions(path: String) -> SSEConnection.Options {
        var options = SSEConnection.Options(url: url(path))
        switch endpoint {
        case .unix(let socket): options.unixSocket = socketPath?.path ?? socket
        case .tcp(_, let token): if let token { options.headers = [("Authorization", "Bearer \(token)")] }
        }
        options.compress = false
        return options
    }

    /// The loop its SSE connections run on.
    package var curlLoop: CurlLoop { loop }

    private func transferRequest(path: String) -> HTTPTransfer.Request {
        var request = HTTPTransfer.Request(url: url(path))
        switch endpoint {
        case .unix(let socket): request.unixSocket = socketPath?.path ?? socket
        case .tcp(_, let token): if let token { request.sameOriginHeaders = [("Authorization", "Bearer \(token)")] }
        }
        return request
    }

    private func url(_ path: String) -> String {
        switch endpoint {
        case .unix: return "http://streamtop" + path
        case .tcp(let baseURL, _): return (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + path
        }
    }

    /// Percent-encodes one path segment (a stream id).
    package static func segment(_ text: String) -> String {
        let allowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
