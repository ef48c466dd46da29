import Dispatch
import Foundation
import LocalServer
import StreamCore
import StreamEngine

/// End-to-end ingest through the engine: one LocalServer firehose stream (the 100,000-patch
/// capture) read by libcurl, parsed, and applied to its document, against a plain socket
/// reading the same bytes.
enum EngineIngest {
    /// Seconds to read the whole firehose with a blocking socket and nothing else.
    static func rawRead(port: UInt16) -> Double {
        let start = DispatchTime.now()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let request = Array("GET /firehose HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)
        return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// Seconds for the engine to ingest the firehose; the final document and event count.
    static func engine(port: UInt16, loop: CurlLoop) -> (seconds: Double, document: JSONValue?, events: Int) {
        final class Sink: @unchecked Sendable {  // touched on the stream's queue only
            var document = Document()
            var tokens = PointerTokenCache()
            var events = 0
        }
        let sink = Sink()
        let done = DispatchSemaphore(value: 0)
        var options = SSEConnection.Options(url: "http://127.0.0.1:\(port)/firehose")
        options.reconnect = false
        let start = DispatchTime.now()
        let connection = SSEConnection(options: options, loop: loop, queue: DispatchQueue(label: "bench.ingest")) { report in
            switch report {
            case .item(.event(let event)):
                sink.events += 1
                _ = sink.document.consume(Document.prepare(event, options: JSONParser.Options(), tokens: &sink.tokens))
            case .finished:
                done.signal()
            default:
                break
            }
        }
        connection.start()
        done.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return (seconds, sink.document.current, sink.events)
    }
}
