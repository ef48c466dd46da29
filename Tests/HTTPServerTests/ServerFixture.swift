import Foundation
import StreamCore
import Synchronization
import TestSupport
import XCTest
@testable import HTTPServer

/// What every server test shares: a server on a free loopback port with a manual clock, a
/// default handler that echoes the request, and a record of the requests that reached it.
class ServerTestCase: XCTestCase {
    var scheduler: ManualScheduler!
    var server: HTTPServer!
    let seen = RequestLog()

    var port: UInt16 { server.tcpPorts[0] }

    override func setUp() {
        scheduler = ManualScheduler()
        seen.requests.withLock { $0 = [] }
    }

    override func tearDown() {
        server?.stop()
        server = nil
    }

    /// Starts `server` with `handler` (default: `echo`).
    func start(
        listeners: [HTTPListener] = [.tcp(host: "127.0.0.1", port: 0)], limits: HTTPServer.Limits = .init(),
        handler: (@Sendable (HTTPServerRequest, any HTTPResponder) -> Void)? = nil
    ) throws {
        let seen = self.seen
        let handler = handler ?? ServerTestCase.echo
        server = try HTTPServer(listeners: listeners, limits: limits, time: scheduler) { request, responder in
            seen.requests.withLock { $0.append(request) }
            handler(request, responder)
        }
    }

    /// Answers `METHOD path n` (n: the body's length), and a short body back in `X-Body`.
    static let echo: @Sendable (HTTPServerRequest, any HTTPResponder) -> Void = { request, responder in
        let echoed = request.body.count <= 1_024 ? String(decoding: request.body, as: UTF8.self) : "…"
        let headers = [("Content-Type", "text/plain"), ("X-Body", echoed)]
        responder.respond(HTTPServerResponse(
            status: 200, headers: headers, body: Array("\(request.method) \(request.path) \(request.body.count)".utf8)))
    }

    var requestCount: Int { seen.requests.withLock { $0.count } }

    /// A fresh path for a Unix socket (short: `sun_path` is 108 bytes).
    func socketPath(_ name: String = "s.sock") -> String {
        let directory = "/tmp/st-http-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        mkdir(directory, 0o700)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        return "\(directory)/\(name)"
    }

    func waitForStatistics(
        _ message: String, file: StaticString = #filePath, line: UInt = #line,
        _ condition: (HTTPServer.Statistics) -> Bool
    ) {
        waitUntil(message, file: file, line: line) { condition(server.statistics()) }
    }
}

/// The requests that reached a test's handler, in order.
final class RequestLog: Sendable {
    let requests = Mutex<[HTTPServerRequest]>([])

    func withLock<T>(_ body: ([HTTPServerRequest]) -> T) -> T { requests.withLock { body($0) } }
}
