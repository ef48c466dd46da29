#if canImport(Glibc)
import Glibc
#endif
import StreamCore
// Temporary: the lead's stand-in until the real server lands (deleted at merge).
package enum HTTPListener: Sendable { case tcp(host: String, port: UInt16), unix(path: String, allowedUID: uid_t?) }
package struct HTTPServerError: Error {}
package final class HTTPServer: Sendable {
    package init(listeners: [HTTPListener], time: any Scheduler,
                 errorResponse: @escaping @Sendable (Int, String) -> HTTPServerResponse,
                 handler: @escaping @Sendable (HTTPServerRequest, any HTTPResponder) -> Void) throws(HTTPServerError) {}
    package func stop() {}
    package var tcpPorts: [UInt16] { [] }
}
