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
        guard let fd = Loopback.connect(port: port) else { fatalError("cannot connect to 127.0.0.1:\(port)") }
        let request = Array("GET /firehose HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)
        return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// Seconds for the stream's patch path alone on the same bytes, in memory: SSE parse, JSON
    /// parse and patch apply, in 64 KiB pieces (each piece's events prepared together, as the
    /// engine's are), with no network, metrics or files. The engine cannot be faster than
    /// this, so it bounds what share of a raw read ingest can reach.
    static func patchPathAlone(_ capture: [UInt8], expected: JSONValue) -> Double {
        let start = DispatchTime.now()
        var parser = SSEParser()
        var document = Document()
        var offset = 0
        while offset < capture.count {
            let end = min(offset + (64 << 10), capture.count)
            var events: [SSEEvent] = []
            capture[offset..<end].withUnsafeBytes { piece in
                parser.feed(piece) { item in
                    if case .event(let event) = item { events.append(event) }
                }
            }
            // A piece's events are prepared together, as the engine and tail do.
            for prepared in Document.prepare(events, options: JSONParser.Options()) { _ = document.consume(prepared) }
            offset = end
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        precondition(document.current == expected, "the patch path alone did not reach the final document")
        return seconds
    }

    /// Seconds for the engine to ingest the firehose through a stream's whole path, as an
    /// operator runs it: libcurl, SSE parse, JSON parse, patch apply, metrics, a log line and an
    /// archive line per event under a state directory. Finished when the stream's document is
    /// the expected final one (checked every millisecond); also the events its metrics counted.
    static func engine(port: UInt16, expected: JSONValue) -> (seconds: Double, events: Int64) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-ingest-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spec = StreamSpec(id: "firehose", name: "firehose", url: "http://127.0.0.1:\(port)/firehose", autostart: true)
        let engine = try! Engine(specs: [spec], stateDirectory: directory)
        let start = DispatchTime.now()
        engine.startAutostart()
        let deadline = start.uptimeNanoseconds + 60_000_000_000
        // Compared as trees on this thread: converting the document to a value every
        // millisecond would run on the stream's queue and slow what is measured.
        let expectedTree = JSONTree(expected)
        while engine.documentTree(id: "firehose") != expectedTree && DispatchTime.now().uptimeNanoseconds < deadline {
            usleep(1_000)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        engine.stop(id: "firehose")
        usleep(200_000)  // the last publication
        let metrics = engine.store.latest().snapshots.first?.metrics
        engine.shutdown()
        return (seconds, (metrics?.snapshots ?? 0) + (metrics?.patches ?? 0))
    }
}
