import Foundation
import StreamCore
import Synchronization

/// A small HTTP/1.1 server on loopback: the demo's data source, the engine tests' fixture and
/// the benchmark's firehose.
///
/// Every simulated API is served at `/poll/<name>` (JSON with an ETag; `If-None-Match` gives
/// 304) and at `/sse/<name>` (Streamdata style: a `data` snapshot, then `patch` events with
/// ids; `Last-Event-ID` resumes with the missed patches; `retry`; comment heartbeats).
/// `?fault=` turns a request into a failure for tests: `500`, `204`, `content-type`, `drop`,
/// `stall`, `empty` (closes before any event), `cycle` (closes after two patches), `drip`
/// (`&bytes=N` a tick, default 1), `malformed-patch`, `non-json`, `oversize` (`&size=N`), `hold`
/// (polls: unanswered until `releaseHeldPolls()`); `/redirect/<path>` redirects to `<path>` and
/// `/redirect-loop` to itself; `/echo-credentials` answers 401 quoting the request's credentials
/// back (in its body and a header); `/firehose` serves a prepared stream at full speed; `POST /hook`
/// records what it receives (`?fault=500` fails it); `/headers`, `/redirect-to` and `/big-header`
/// probe a client (`ProbeRoutes.swift`); `/hostile/<shape>?bytes=N` answers JSON that takes far
/// more memory than its size (`HostileJSON`, compressed a thousand to one); `PUT /s3-probe/<mode>/…`
/// checks `Content-MD5` as S3 does and answers with S3's kinds of ETag (`S3ProbeRoutes.swift`). A request that offers
/// `Accept-Encoding: gzip` gets a gzip body.
///
/// One thread runs an epoll loop that owns every socket; the public methods only queue work
/// for it. Time comes from a `TimeSource`: with a manual one, tests move the APIs forward with
/// `advance(by:)` and see exactly one new version per period.
public final class LocalServer: Sendable {
    public struct APIConfiguration: Sendable {
        public var name: String
        public var kind: String
        public var period: Duration

        /// `kind`: `quotes`, `market`, `weather`, `status` or `spelling`.
        public init(name: String, kind: String, period: Duration) {
            self.name = name
            self.kind = kind
            self.period = period
        }
    }

    public struct Configuration: Sendable {
        public var apis: [APIConfiguration]
        /// The `retry:` sent at the start of every event stream, in milliseconds.
        public var retryMilliseconds: Int
        public var heartbeat: Duration
        public var seed: UInt64
        /// 0 picks a free port.
        public var port: UInt16
        /// A prepared event stream served as fast as the client reads at `/firehose`, then
        /// closed (the benchmark's ingest test).
        public var firehose: [UInt8]?
        /// The `Content-Encoding` the firehose's bytes are already in (e.g. `gzip`), if any.
        public var firehoseEncoding: String?

        public init(apis: [APIConfiguration] = LocalServer.demoAPIs, retryMilliseconds: Int = 1000, heartbeat: Duration = .seconds(15), seed: UInt64 = 1, port: UInt16 = 0) {
            self.apis = apis
            self.retryMilliseconds = retryMilliseconds
            self.heartbeat = heartbeat
            self.seed = seed
            self.port = port
        }
    }

    /// A generic SSE stream for `firehose`: `count` messages (ids 1…count) of 1 KiB of text,
    /// three quarters of them starting like JSON without being JSON (`[DONE]`, `[1,2] is a
    /// list`, `{not json}`), as LLM token streams and chat streams send.
    public static func textMessages(count: Int) -> [UInt8] {
        let starts = ["plain ", "[DONE] ", "[1,2] is a list ", "{not json} "]
        var stream: [UInt8] = []
        stream.reserveCapacity(count * 1_060)
        for index in 1...count {
            let text = starts[index % starts.count] + "message \(index) "
            stream += Array("id: \(index)\ndata: ".utf8)
            stream += Array((text + String(repeating: "x", count: 1_024 - text.utf8.count)).utf8)
            stream += Array("\n\n".utf8)
        }
        return stream
    }

    /// Quotes every second, weather every 30 s, a status page every 10 minutes.
    public static let demoAPIs = [
        APIConfiguration(name: "quotes", kind: "quotes", period: .seconds(1)),
        APIConfiguration(name: "weather", kind: "weather", period: .seconds(30)),
        APIConfiguration(name: "status", kind: "status", period: .seconds(600)),
    ]

    public let port: UInt16
    private let loop: ServerLoop
    private let running = Mutex(true)

    /// Binds the listening socket (so `port` is known) and starts serving.
    public init(configuration: Configuration = Configuration(), time: any TimeSource = SystemTimeSource()) throws {
        loop = try ServerLoop(configuration: configuration, time: time)
        port = loop.port
        let loop = self.loop
        let thread = Thread { loop.run() }
        thread.name = "LocalServer"
        thread.start()
    }

    deinit { stop() }

    /// The base URL, e.g. `http://127.0.0.1:43121`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Brings the simulated APIs, heartbeats and drips up to the time source's now, and
    /// returns once what changed has been written (so a test that moved a manual clock sees
    /// the result of exactly that move).
    public func tick() {
        loop.query { $0.periodic() }
    }

    /// Moves a manual clock on the server's own thread, then does what the move made due, and
    /// returns once it is written. Moving the clock from the test's thread would race the loop:
    /// a write that was under way would be stamped with the new time, as if it had just happened.
    public func advance(_ clock: ManualTimeSource, by duration: Duration) {
        loop.query { loop in
            clock.advance(by: duration)
            loop.periodic()
        }
    }

    /// Stops serving and closes every connection (waits for the loop to finish).
    public func stop() {
        let wasRunning = running.withLock { running in
            defer { running = false }
            return running
        }
        if wasRunning { loop.stopAndWait() }
    }

    /// Bytes written to clients so far, headers included (for byte-accounting tests).
    public func bytesSent() -> Int {
        loop.query { $0.bytesSent }
    }

    /// The bodies posted to `/hook` so far, with their content types (for notification tests).
    public func receivedHooks() -> [(contentType: String?, body: String)] {
        loop.query { loop in loop.hooks.map { ($0.contentType, String(decoding: $0.body, as: UTF8.self)) } }
    }

    /// How many requests for `path` (without the query) arrived so far.
    public func requestCount(path: String) -> Int {
        loop.query { $0.requestsByPath[path] ?? 0 }
    }

    /// Answers the polls held by `fault=hold`, each with its API's current document.
    public func releaseHeldPolls() {
        loop.query { $0.releaseHeld() }
    }

    /// Connections open now (for tests).
    public func connectionCount() -> Int {
        loop.query { $0.connections.count }
    }
}

/// Everything the server knows about one client connection. Owned by the loop thread.
final class Connection {
    enum Mode {
        case readingRequest
        /// A one-off response: close once it is written.
        case responding
        /// An event stream subscribed to an API.
        case streaming(api: String, fault: String?)
        /// A poll held unanswered until the test releases it (`fault=hold`).
        case held(api: String)
    }

    let fd: Int32
    var mode: Mode = .readingRequest
    var input: [UInt8] = []
    var output: [UInt8] = []
    var outputOffset = 0
    var gzip: Gzip.Stream?
    /// Bytes released a few per tick (the `drip` fault).
    var drip: [UInt8] = []
    var dripPerTick = 1
    var lastWrite: Moment
    var patchesSent = 0
    var watchingWritable = false

    init(fd: Int32, now: Moment) {
        self.fd = fd
        lastWrite = now
    }

    var pendingBytes: Int { output.count - outputOffset }
}
