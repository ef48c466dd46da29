import Dispatch
import Foundation
import LocalServer
import StreamCLI
import StreamCore

/// `tail` end to end against a raw read of the same bytes over loopback: the quotes capture
/// (small patch events) and 64 KB JSON snapshots.
enum TailBench {
    /// `count` `data` events, each a quote document of about 64 KB (320 quotes) moved on by a
    /// few patches from the one before, and the last document.
    static func largeEvents(count: Int) -> (stream: [UInt8], last: JSONValue) {
        var feed = QuoteFeed(seed: 5, quoteCount: 320)
        var stream: [UInt8] = []
        stream.reserveCapacity(count * 66_000)
        for index in 1...count {
            for _ in 0..<3 { _ = feed.nextPatch() }
            stream += Array("event: data\nid: \(index)\ndata: \(feed.documentText)\n\n".utf8)
        }
        return (stream, try! JSONParser.parse(feed.documentText))
    }

    /// The best of three: seconds for `tail --jsonl --document --quiet --no-reconnect` to read
    /// LocalServer's firehose of `stream`, seconds for a raw socket read of it, and whether
    /// tail's summary counted `events` with no error and ended at `last`.
    static func overLoopback(_ stream: [UInt8], events: Int, last: JSONValue)
        -> (tail: Double, raw: Double, right: Bool)
    {
        var configuration = LocalServer.Configuration(apis: [])
        configuration.firehose = stream
        let server = try! LocalServer(configuration: configuration)
        defer { server.stop() }
        var tailBest = Double.infinity
        var rawBest = Double.infinity
        var right = true
        for _ in 0..<3 {
            rawBest = min(rawBest, EngineIngest.rawRead(port: server.port))
            let sink = MemorySink()
            let start = DispatchTime.now()
            let url = "http://127.0.0.1:\(server.port)/firehose"
            let status = Streamtop.main(["tail", "--jsonl", "--document", "--quiet", "--no-reconnect", url],
                                        output: sink, errors: sink)
            tailBest = min(tailBest, Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
            let summary = try? JSONParser.parse(sink.lines.last ?? "null")
            right = right && status == 0 && summary?["events"] == .number(JSONNumber(events))
                && summary?["errors"] == 0 && summary?["document"] == last
        }
        return (tailBest, rawBest, right)
    }
}
