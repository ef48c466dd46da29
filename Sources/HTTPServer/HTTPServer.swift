import Foundation
import StreamCore
import Synchronization

/// An HTTP/1.1 server on TCP and Unix sockets: the control API's transport.
///
/// Binds every listener when made (so a caller hears "address in use" at once), then serves on
/// its own epoll thread. Requests within `Limits` go to `handler` on a concurrent queue, with a
/// responder that answers from any thread; the server answers what breaks a limit or a rule
/// itself, through `errorResponse`. Keep-alive, one request at a time per connection; HEAD;
/// `Content-Length` and chunked bodies; `Expect: 100-continue`; streamed responses with a
/// bounded backlog. Every timeout goes through `time`.
package final class HTTPServer: Sendable {
    /// The bound port of each TCP listener, in the order given (port 0 picks one).
    package let tcpPorts: [UInt16]
    private let loop: ServerLoop
    private let stopped = Mutex(false)

    package init(
        listeners: [HTTPListener], limits: Limits = .init(), time: any Scheduler = SystemScheduler(),
        errorResponse: @escaping @Sendable (Int, String) -> HTTPServerResponse = HTTPServer.plainTextError,
        handler: @escaping @Sendable (HTTPServerRequest, any HTTPResponder) -> Void
    ) throws(HTTPServerError) {
        var bound: [BoundListener] = []
        do {
            for listener in listeners {
                bound.append(try BoundListener.bind(listener))
            }
            loop = try ServerLoop(
                listeners: bound, limits: limits, time: time, errorResponse: errorResponse, handler: handler)
        } catch {
            for listener in bound { listener.close() }
            throw error
        }
        tcpPorts = bound.compactMap(\.port)
        let loop = self.loop
        loop.scheduleSweep()
        let thread = Thread { loop.run() }
        thread.name = "streamtop-http"
        thread.start()
    }

    deinit { stop() }

    /// Closes the listeners (removing the Unix socket files) and every connection (streams'
    /// close actions run), and returns once the loop thread has ended. From the loop thread
    /// itself (a close action), asks for the end and returns.
    package func stop() {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        if first { loop.requestStop() }
        if !loop.isLoopThread { loop.waitUntilEnded() }
    }

    /// What the server holds and has done (all zero once it has stopped).
    package func statistics() -> Statistics {
        loop.query { $0.statistics() } ?? Statistics()
    }

    /// The default error answer: the message as plain text.
    package static let plainTextError: @Sendable (Int, String) -> HTTPServerResponse = { status, message in
        HTTPServerResponse(
            status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array("\(message)\n".utf8))
    }
}
