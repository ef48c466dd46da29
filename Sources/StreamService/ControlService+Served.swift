import HTTPServer
import StreamCore
import StreamEngine

/// Served streams (`"serve": true`): `GET /v1/streams/{id}/sse` and `/view`, on the control
/// API's listeners and on `--serve-listen`, where nothing else is reachable.
extension ControlService {
    func serve(
        _ feed: ServedFeed, _ resource: ServiceRoute.ServedResource, _ request: HTTPServerRequest,
        _ responder: any HTTPResponder, headers extra: [(name: String, value: String)]
    ) {
        switch resource {
        case .sse:
            let stream = responder.stream(status: 200, headers: ControlService.eventStreamHeaders + extra)
            feed.subscribe(ResponseFeedClient(stream), lastEventID: request.header("last-event-id"))
        case .view where request.path.hasSuffix("/"):
            // The page opens `sse` next to itself: from `view/`, that would be `view/sse`.
            responder.respond(HTTPServerResponse(status: 308, headers: [("Location", "../view")] + extra))
        case .view:
            let name = engine.specs.first { $0.id == feed.id }?.name ?? feed.id
            var response = ServedPage.response(streamID: feed.id, name: name)
            response.headers += extra
            responder.respond(response)
        }
    }

    /// A request on `--serve-listen`: only the served streams' routes, and nothing said about
    /// the streams that are not served (no token is asked for here).
    func handleServed(_ request: HTTPServerRequest, _ responder: any HTTPResponder) {
        guard let route = request.pathSegments.flatMap(ServiceRoute.init(segments:)),
            case .served(let id, let resource) = route
        else {
            return responder.respond(ControlService.response(ServiceError(
                404, "not_found", "only served streams are here: /v1/streams/{id}/sse and /v1/streams/{id}/view")))
        }
        if request.method == "OPTIONS" {
            // A CORS preflight (an EventSource polyfill that sends Last-Event-ID as a header).
            return responder.respond(HTTPServerResponse(status: 204, headers: [
                ("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "GET, HEAD"),
                ("Access-Control-Allow-Headers", "Last-Event-ID, Cache-Control, Accept"),
                ("Access-Control-Max-Age", "86400"), ("Allow", "GET, HEAD, OPTIONS"),
            ]))
        }
        guard route.methods.contains(request.method) else {
            return responder.respond(ControlService.methodNotAllowed(route, request))
        }
        guard let feed = engine.servedFeed(id: id) else {
            return responder.respond(ControlService.response(ServiceError(
                404, "not_served", "no stream \"\(id)\" is served here")))
        }
        // Any page may read a served stream: it carries no credential, and holds nothing but the
        // document every client of it gets.
        serve(feed, resource, request, responder, headers: [("Access-Control-Allow-Origin", "*")])
    }

    /// What one `--serve-listen` client may cost: thousands of clients, each behind by at most
    /// 128 KiB of events here and 64 KiB in the kernel (which Linux doubles) before it is
    /// dropped (it resumes with `Last-Event-ID`): 4,000 that stop reading hold about 1 GiB.
    package static var servedLimits: HTTPServer.Limits {
        var limits = HTTPServer.Limits()
        limits.maxConnections = 4_096
        limits.reservedForUnix = 0
        limits.maxStreams = 4_000
        limits.maxStreamBacklog = 128 << 10
        limits.socketSendBuffer = 64 << 10
        return limits
    }

    /// `servedLimits` within the process's open-file limit: the serve listener's anonymous clients
    /// never take the descriptors that `reserved` need (the streams' sockets and files, the control
    /// API's connections); past them the polls would fail and the socket stop answering.
    package static func servedLimits(openFiles: Int, reserved: Int) -> HTTPServer.Limits {
        var limits = servedLimits
        let room = openFiles > reserved ? openFiles - reserved : 0
        limits.maxConnections = min(limits.maxConnections, room)
        limits.maxStreams = min(limits.maxStreams, limits.maxConnections)
        return limits
    }
}

/// A served stream's client: the body of one `text/event-stream` response.
private final class ResponseFeedClient: FeedClient {
    private let stream: any HTTPResponseStream

    init(_ stream: any HTTPResponseStream) {
        self.stream = stream
    }

    func send(_ bytes: [UInt8]) -> Bool { stream.send(bytes) }
    func finish() { stream.finish() }
    func onClose(_ action: @escaping @Sendable () -> Void) { stream.onClose(action) }
}
