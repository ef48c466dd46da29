#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import HTTPServer
import StreamCore
import StreamEngine
import Synchronization

/// The control API of the engine that holds a state directory: HTTP/1.1 + JSON on the Unix
/// socket `<state>/streamtop.sock` (0600, in a 0700 directory, peers of another uid refused),
/// and on TCP only when asked (`--listen`), where every request must carry the bearer token of
/// `<state>/token`. Routes are in `ServiceRoute`; their answers in `ControlService+Routes`.
package final class ControlService: Sendable {
    package struct Options: Sendable {
        package var stateDirectory: String
        package var listen: [ListenAddress] = []
        /// The program's version, for `/v1/health`.
        package var version: String = ""
        /// This instance's shard (`K/N`), for `/metrics`' `shard` label.
        package var shard: String = "0/1"
        /// The registry file this engine follows, for `/v1/health` (a command given another
        /// registry with `--config` then uses that file instead of this engine).
        package var registryPath: String?
        /// The transport's limits (requests, timeouts, each client's backlog).
        package var limits = HTTPServer.Limits()
        /// TCP addresses that serve the served streams alone, without a token (`--serve-listen`).
        package var serveListen: [ListenAddress] = []
        package var serveLimits: HTTPServer.Limits

        package init(stateDirectory: String) {
            self.stateDirectory = stateDirectory
            serveLimits = ControlService.servedLimits
        }
    }

    let engine: Engine
    let options: Options
    let time: any Scheduler
    let wall: any WallClock
    let body: StatusBody
    package let events: EventsFeed
    let token: ServiceToken?
    let startedAt: UTCTime
    let startMoment: Moment
    private let server: HTTPServer
    /// `--serve-listen`'s server: the served streams only.
    private let servedServer: HTTPServer?
    private let box = HandlerBox()

    package static func socketPath(stateDirectory: String) -> String { "\(stateDirectory)/streamtop.sock" }
    package static func tokenPath(stateDirectory: String) -> String { "\(stateDirectory)/token" }

    /// Binds the socket (and the TCP listeners) and serves until `stop`.
    package init(
        engine: Engine, options: Options, time: any Scheduler = SystemScheduler(),
        wall: any WallClock = SystemWallClock()
    ) throws(ServiceError) {
        self.engine = engine
        self.options = options
        self.time = time
        self.wall = wall
        startedAt = wall.now()
        startMoment = time.now()
        body = StatusBody(texts: engine.statusTexts)
        events = EventsFeed(store: engine.store, body: body, time: time)
        let directory = options.stateDirectory
        do {
            try makeDirectories(directory)
        } catch {
            throw ServiceError(500, "state_directory", "\(error)")
        }
        // Only this user may reach the socket: the directory too, not the socket's mode alone.
        chmod(directory, 0o700)
        if options.listen.isEmpty {
            token = nil
        } else {
            do {
                token = try ServiceToken.loadOrCreate(path: ControlService.tokenPath(stateDirectory: directory))
            } catch {
                throw ServiceError(500, "token", "\(error)")
            }
        }
        var listeners: [HTTPListener] = [
            .unix(path: ControlService.socketPath(stateDirectory: directory), allowedUID: getuid()),
        ]
        listeners += options.listen.map { .tcp(host: $0.host, port: $0.port) }
        do {
            server = try ControlService.server(listeners, options.limits, time, box) { $0.handle($1, $2) }
        } catch {
            throw ServiceError(500, "listen", "\(error)")
        }
        if options.serveListen.isEmpty {
            servedServer = nil
        } else {
            do {
                servedServer = try ControlService.server(
                    options.serveListen.map { .tcp(host: $0.host, port: $0.port) }, options.serveLimits, time, box
                ) { $0.handleServed($1, $2) }
            } catch {
                server.stop()
                throw ServiceError(500, "serve_listen", "\(error)")
            }
        }
        box.service = self
    }

    /// A server whose requests go to `handle` on the service (503 once it is stopping), and
    /// whose own refusals are the API's errors.
    private static func server(
        _ listeners: [HTTPListener], _ limits: HTTPServer.Limits, _ time: any Scheduler, _ box: HandlerBox,
        handle: @escaping @Sendable (ControlService, HTTPServerRequest, any HTTPResponder) -> Void
    ) throws(HTTPServerError) -> HTTPServer {
        try HTTPServer(
            listeners: listeners, limits: limits, time: time,
            errorResponse: { status, message in
                ControlService.response(ServiceError(status, ControlService.code(for: status), message))
            },
            handler: { request, responder in
                guard let service = box.service else {
                    return responder.respond(ControlService.response(
                        ServiceError(503, "unavailable", "streamtop is stopping")))
                }
                handle(service, request, responder)
            })
    }

    package func stop() {
        box.service = nil
        events.stop()
        servedServer?.stop()
        server.stop()
    }

    /// What the transport holds now: connections, streams, buffered bytes.
    package var transport: HTTPServer.Statistics { server.statistics() }

    /// The bound TCP ports, in the order of `options.listen` (port 0 asks for any).
    package var tcpPorts: [UInt16] { server.tcpPorts }

    /// What `--serve-listen`'s server holds now (all zero without it).
    package var servedTransport: HTTPServer.Statistics { servedServer?.statistics() ?? HTTPServer.Statistics() }

    /// The bound ports of `--serve-listen`, in the order of `options.serveListen`.
    package var servedPorts: [UInt16] { servedServer?.tcpPorts ?? [] }

    // MARK: Requests

    func handle(_ request: HTTPServerRequest, _ responder: any HTTPResponder) {
        if case .tcp = request.peer, token?.accepts(authorization: request.header("authorization")) != true {
            // Where the token lives is not told to someone who has none.
            let message = request.header("authorization") == nil
                ? "this address needs 'Authorization: Bearer TOKEN', the token in the file 'token' of "
                    + "the state directory of the streamtop serving it"
                : "the token given is not this streamtop's (see the file 'token' of its state directory)"
            var response = ControlService.response(ServiceError(401, "unauthorized", message))
            response.headers.append(("WWW-Authenticate", "Bearer"))
            return responder.respond(response)
        }
        guard let route = request.pathSegments.flatMap(ServiceRoute.init(segments:)) else {
            return responder.respond(ControlService.response(ServiceError(
                404, "not_found",
                "there is no \(request.path) here; the API has /v1/health, /v1/streams, /v1/streams/{id} "
                    + "(and its start, stop, restart, logs, document, history, settings, sse, view), /v1/events "
                    + "and /metrics")))
        }
        guard route.methods.contains(request.method) else {
            return responder.respond(ControlService.methodNotAllowed(route, request))
        }
        do {
            try answer(route, request, responder)
        } catch {
            responder.respond(ControlService.response(error))
        }
    }

    // MARK: Responses

    /// 405 for a known path asked with a method it does not answer, naming the ones it does.
    static func methodNotAllowed(_ route: ServiceRoute, _ request: HTTPServerRequest) -> HTTPServerResponse {
        let methods = route.methods.joined(separator: ", ")
        var response = response(ServiceError(
            405, "method_not_allowed", "\(request.path) answers \(methods), not \(request.method)"))
        response.headers.append(("Allow", methods))
        return response
    }

    static func response(_ error: ServiceError) -> HTTPServerResponse {
        json(error.json, status: error.status)
    }

    static func json(_ value: JSONValue, status: Int = 200) -> HTTPServerResponse {
        HTTPServerResponse(
            status: status, headers: [("Content-Type", "application/json")], body: JSONWriter.data(value) + [0x0A])
    }

    /// A STATUS as the answer's body.
    static func json(text: StatusText, status: Int = 200) -> HTTPServerResponse {
        HTTPServerResponse(status: status, headers: [("Content-Type", "application/json")], body: text.bytes + [0x0A])
    }

    /// The error code of a status the server itself answers (limits, malformed requests).
    static func code(for status: Int) -> String {
        switch status {
        case 400: return "bad_request"
        case 403: return "forbidden"
        case 408: return "request_timeout"
        case 413: return "body_too_large"
        case 414: return "uri_too_long"
        case 431: return "headers_too_large"
        case 503: return "unavailable"
        default: return "error"
        }
    }
}

/// Lets the server's handler reach the service once `init` has finished (a closure cannot
/// capture `self` before then).
private final class HandlerBox: Sendable {
    private let reference = Mutex<ControlService?>(nil)

    var service: ControlService? {
        get { reference.withLock { $0 } }
        set { reference.withLock { $0 = newValue } }
    }
}
