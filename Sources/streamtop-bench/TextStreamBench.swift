import Dispatch
import Foundation
import LocalServer
import StreamCLI
import StreamCore
import StreamEngine

/// Generic SSE streams end to end: the 100,000 one-KiB text messages that used to end after
/// about 5,000 (text that merely starts like JSON was an error), and a gzip bomb of tiny
/// events against the archive's cap.
enum TextStreamBench {
    /// Seconds for `tail --jsonl --quiet --no-reconnect URL` to read the whole firehose
    /// (libcurl, SSE, each message tried as JSON and kept as text, the summary), and whether its
    /// summary counted every message with no error.
    static func tail(port: UInt16, count: Int) -> (seconds: Double, whole: Bool) {
        let sink = MemorySink()
        let start = DispatchTime.now()
        let url = "http://127.0.0.1:\(port)/firehose"
        let status = Streamtop.main(["tail", "--jsonl", "--quiet", "--no-reconnect", url],
                                    output: sink, errors: sink)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let summary = try? JSONParser.parse(sink.lines.last ?? "null")
        let whole = status == 0 && summary?["events"] == .number(JSONNumber(count)) && summary?["errors"] == 0
        return (seconds, whole)
    }

    /// A gzip bomb of tiny events (`count` of `data: x`, 9 bytes each, compressed by gzip -9)
    /// through an engine whose streams may archive `cap` bytes each: the archive's and logs'
    /// bytes on disk afterwards, the decoded and wire sizes, and the events counted.
    static func gzipBomb(count: Int, cap: Int) -> (archive: Int, logs: Int, decoded: Int, wire: Int, events: Int64) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-bomb-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let plain = directory + "/bomb.sse"
        var text = [UInt8]()
        text.reserveCapacity(count * 9)
        let event = Array("data: x\n\n".utf8)
        for _ in 0..<count { text += event }
        FileManager.default.createFile(atPath: plain, contents: Data(text))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-9", "-k", "-f", plain]
        try! gzip.run()
        gzip.waitUntilExit()
        let compressed = [UInt8](FileManager.default.contents(atPath: plain + ".gz") ?? Data())
        var configuration = LocalServer.Configuration(apis: [])
        configuration.firehose = compressed
        configuration.firehoseEncoding = "gzip"
        let server = try! LocalServer(configuration: configuration)
        defer { server.stop() }
        var storage = StorageLimits()
        storage.archiveBytes = cap
        let url = "http://127.0.0.1:\(server.port)/firehose"
        let spec = StreamSpec(id: "bomb", name: "bomb", url: url, autostart: true,
                              maxRetry: 86_400)
        let state = directory + "/state"
        let engine = try! Engine(specs: [spec], stateDirectory: state, storage: storage)
        engine.startAutostart()
        let deadline = DispatchTime.now().uptimeNanoseconds + 300_000_000_000
        var events: Int64 = 0
        while events < Int64(count) && DispatchTime.now().uptimeNanoseconds < deadline {
            usleep(20_000)
            events = engine.store.snapshot(id: "bomb")?.metrics.events ?? 0
        }
        engine.shutdown()
        func bytes(under path: String) -> Int {
            let files = (try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []
            return files.reduce(0) { total, file in
                total + ((try? FileManager.default.attributesOfItem(atPath: path + "/" + file)[.size] as? Int) ?? 0)
            }
        }
        return (bytes(under: state + "/archive"), bytes(under: state + "/logs"), text.count, compressed.count, events)
    }
}
