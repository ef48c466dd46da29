import Foundation
import HTTPServer
import StreamCore
import StreamService
import Synchronization
import TestSupport
import XCTest

/// The served page's routes on a loopback test server, its stream driven by the test:
/// `/v1/streams/{id}/view` answers `ServedPage`; each `/v1/streams/{id}/sse` request is held,
/// unanswered (the browser's `EventSource` is still connecting), until the test opens it and
/// sends events. Every request is recorded. A manual clock: no server timeout ever fires.
final class PageServer {
    final class Log: Sendable {
        let requests = Mutex<[HTTPServerRequest]>([])
        let held = Mutex<[any HTTPResponder]>([])
    }

    let name: String
    let log = Log()
    private var server: HTTPServer!
    /// The bytes of every `data:` field sent, in UTF-8: what the page counts as received.
    private(set) var dataBytes = 0

    init(name: String) throws {
        self.name = name
        let log = self.log
        server = try HTTPServer(listeners: [.tcp(host: "127.0.0.1", port: 0)], time: ManualScheduler()) {
            request, responder in
            log.requests.withLock { $0.append(request) }
            let segments = request.pathSegments ?? []
            guard segments.count == 4, segments[0] == "v1", segments[1] == "streams" else {
                return responder.respond(HTTPServerResponse(status: 404))
            }
            switch segments[3] {
            case "view": responder.respond(ServedPage.response(streamID: segments[2], name: name))
            case "sse": log.held.withLock { $0.append(responder) }
            default: responder.respond(HTTPServerResponse(status: 404))
            }
        }
    }

    deinit { server.stop() }

    var base: String { "http://127.0.0.1:\(server.tcpPorts[0])" }

    /// The page's URL for stream `id` (each byte but letters and digits percent-encoded).
    func viewURL(id: String) -> String {
        "\(base)/v1/streams/\(id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id)/view"
    }

    var requests: [HTTPServerRequest] { log.requests.withLock { $0 } }
    var streamRequests: [HTTPServerRequest] { requests.filter { $0.pathSegments?.last == "sse" } }

    /// Waits for the `number`th request for the stream (from 1), left unanswered; returns it.
    @discardableResult
    func waitForStreamRequest(
        _ number: Int, file: StaticString = #filePath, line: UInt = #line
    ) throws -> HTTPServerRequest {
        let log = self.log
        waitUntil("the page's request \(number) for its stream", file: file, line: line) {
            log.held.withLock { $0.count } >= number
        }
        return try XCTUnwrap(streamRequests.dropFirst(number - 1).first, file: file, line: line)
    }

    /// Waits for the `number`th request for the stream, answers it as an event stream, and
    /// returns the request and the stream.
    func openStream(
        _ number: Int, file: StaticString = #filePath, line: UInt = #line
    ) throws -> (request: HTTPServerRequest, stream: any HTTPResponseStream) {
        let request = try waitForStreamRequest(number, file: file, line: line)
        let responder = log.held.withLock { $0[number - 1] }
        let stream = responder.stream(
            status: 200, headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])
        // Reconnections in a few milliseconds, not the browser's default of seconds.
        XCTAssertTrue(stream.send(Array("retry: 20\n\n".utf8)), file: file, line: line)
        return (request, stream)
    }

    /// Waits for the `number`th request for the stream and refuses it with `status`.
    func refuseStream(_ number: Int, status: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        try waitForStreamRequest(number, file: file, line: line)
        log.held.withLock { $0[number - 1] }.respond(HTTPServerResponse(status: status))
    }

    /// Sends one event whose data is `data` as one line of JSON.
    func send(_ event: String, id: Int, _ data: JSONValue, on stream: any HTTPResponseStream,
              file: StaticString = #filePath, line: UInt = #line) {
        let text = JSONWriter.string(data)
        dataBytes += text.utf8.count
        XCTAssertTrue(stream.send(Array("event: \(event)\nid: \(id)\ndata: \(text)\n\n".utf8)), file: file, line: line)
    }
}
