import Foundation
import HTTPServer
import StreamCore
import StreamEngine
import StreamService
import TestSupport
import XCTest

/// The streaming proxy (`"serve": true`): a polled API served as SSE, one snapshot then JSON
/// Patches, to clients on `--serve-listen` and on the socket. Upstream and polls move only when
/// the test moves their manual clocks.
final class ServedStreamTests: XCTestCase {
    func testEveryClientFollowsTheUpstreamDocumentAfterEveryPoll() throws {
        let served = try ServedFixture()
        defer { served.stop() }
        try served.pollOnce()
        let tcp = try served.client()
        let unix = try ServedClient(PlainSocketClient(path: served.fixture.socketPath), path: served.path)
        for client in [tcp, unix] { try client.follow(upTo: served.version) }
        XCTAssertEqual(tcp.document, try served.upstreamDocument())
        XCTAssertEqual(tcp.kinds, ["data"], "a snapshot first")
        var versions = [served.version]
        for _ in 0..<5 {
            served.changeUpstream()
            try served.pollOnce()
            versions.append(served.version)
            let upstream = try served.upstreamDocument()
            for client in [tcp, unix] {
                try client.follow(upTo: served.version)
                XCTAssertEqual(client.document, upstream)
            }
        }
        XCTAssertEqual(tcp.kinds, ["data"] + Array(repeating: "patch", count: 5))
        XCTAssertEqual(tcp.ids, versions.map(String.init), "one id per event, each the version")
        XCTAssertEqual(versions, versions.sorted())
        XCTAssertEqual(Set(versions).count, versions.count)
        XCTAssertTrue(tcp.raw.contains("retry: "), "clients are told how long to wait before reconnecting")
        XCTAssertEqual(served.upstreamPolls, 6, "one poller upstream")
    }

    /// The page at `/view` in headless Chromium, on the serve listener: after every poll that
    /// changed the upstream, the page's document equals the upstream's.
    func testThePageInABrowserFollowsTheUpstream() throws {
        let served = try ServedFixture()
        defer { served.stop() }
        try served.pollOnce()
        let browser = try Chromium.launch()
        defer { browser.close() }
        let page = try browser.open("http://127.0.0.1:\(served.port)/v1/streams/quotes/view")
        for round in 0..<5 {
            if round > 0 {
                served.changeUpstream(by: .seconds(round))
                try served.pollOnce()
            }
            let upstream = try served.upstreamDocument()
            var seen: JSONValue?
            try waitUntil("round \(round): the page shows the upstream's; it had \(String(describing: seen))") {
                seen = try page.evaluateJSON("window.streamtop.document")
                return seen == upstream
            }
            XCTAssertEqual(try page.evaluateJSON("window.streamtop.version"), .string(String(served.version)))
        }
        XCTAssertEqual(try page.evaluateJSON("window.streamtop.errors"), .number(JSONNumber(0)))
        // The upstream fails: the page says so, and its connection and document stay.
        let url = try XCTUnwrap(served.fixture.engine.specs.first?.url)
        try served.edit { $0.url = url + "?fault=500" }
        _ = served.fixture.engine.settledSnapshot(id: "quotes")
        served.time.advance(by: .seconds(1))
        try waitUntil("the page says the upstream fails") {
            try page.evaluateJSON("window.streamtop.upstream") == .string("the upstream API answered HTTP 500")
        }
        XCTAssertEqual(try page.evaluateJSON("window.streamtop.state"), .string("open"))
        XCTAssertEqual(try page.evaluateJSON("window.streamtop.document"), try served.upstreamDocument())
        XCTAssertEqual(try page.problems(), [])
        XCTAssertEqual(served.feed.snapshot.clients, 1)
    }

    func testAnUnchangedPollSendsNothing() throws {
        let served = try ServedFixture()
        defer { served.stop() }
        try served.pollOnce()
        let client = try served.client()
        try client.follow(upTo: served.version)
        let before = served.version
        try served.pollOnce()  // 304: the upstream did not change
        XCTAssertEqual(served.version, before)
        served.changeUpstream()
        try served.pollOnce()
        try client.follow(upTo: served.version)
        XCTAssertEqual(client.kinds, ["data", "patch"])
    }

    func testResumingGetsExactlyTheMissedPatches() throws {
        let served = try ServedFixture()
        defer { served.stop() }
        try served.pollOnce()
        var client = try served.client()
        try client.follow(upTo: served.version)
        let left = served.version
        client = try served.client(lastEventID: String(left), seed: served.documents[left])  // the first one goes
        var missed: [String] = []
        for _ in 0..<3 {
            served.changeUpstream()
            try served.pollOnce()
            missed.append(String(served.version))
        }
        try client.follow(upTo: served.version)
        XCTAssertEqual(client.kinds, ["patch", "patch", "patch"], "no snapshot: only what was missed")
        XCTAssertEqual(client.ids, missed)
        // Its document was the one at `left`: the three patches applied to it give upstream's.
        XCTAssertEqual(client.document, try served.upstreamDocument())

        let upToDate = try served.client(
            lastEventID: String(served.version), seed: served.documents[served.version])
        served.changeUpstream()
        try served.pollOnce()
        try upToDate.follow(upTo: served.version)
        XCTAssertEqual(upToDate.kinds, ["patch"], "an up-to-date client gets only what comes next")
    }

    func testAClientOlderThanTheRingOrFromElsewhereGetsASnapshot() throws {
        let served = try ServedFixture()
        defer { served.stop() }
        try served.pollOnce()
        for lastEventID in ["1", "not-a-number", String(served.version + 1_000), "-5"] {
            let client = try served.client(lastEventID: lastEventID)
            try client.follow(upTo: served.version)
            XCTAssertEqual(client.kinds, ["data"], lastEventID)
            XCTAssertEqual(client.document, try served.upstreamDocument())
        }
    }

    func testTwoHundredClientsShareOnePoller() throws {
        let served = try ServedFixture()
        defer { served.stop() }
        try served.pollOnce()
        let clients = try (0..<200).map { _ in try served.client() }
        for client in clients { try client.follow(upTo: served.version) }
        for _ in 0..<2 {
            served.changeUpstream()
            try served.pollOnce()
        }
        let upstream = try served.upstreamDocument()
        for client in clients {
            try client.follow(upTo: served.version)
            XCTAssertEqual(client.document, upstream)
        }
        XCTAssertEqual(served.upstreamPolls, 3)
        let counters = served.feed.snapshot
        XCTAssertEqual(counters.clients, 200)
        XCTAssertEqual(counters.connections, 200)
        XCTAssertEqual(counters.polls, 3)
    }

    /// A client that stops reading is dropped once its backlog is full; the others get every
    /// patch meanwhile, and the dropped one resumes with exactly what it missed.
    func testASlowClientIsDroppedWithoutDelayingOthersAndResumes() throws {
        var limits = ControlService.servedLimits
        limits.maxStreamBacklog = 16 << 10
        var spec = ServedFixture.spec
        spec.url = "UPSTREAM/poll/market"  // 11 KB, a few quotes changing each second
        let served = try ServedFixture(spec: spec, serveLimits: limits)
        defer { served.stop() }
        try served.pollOnce()
        let slow = try PlainSocketClient(tcpPort: served.port, receiveBuffer: 4096)
        slow.get(served.path)
        let fast = try served.client()
        try fast.follow(upTo: served.version)
        try waitUntil("the slow client is connected") { served.feed.snapshot.clients == 2 }
        var rounds = 0
        while served.feed.snapshot.dropped == 0 {
            rounds += 1
            XCTAssertLessThan(rounds, 500, "a client that reads nothing must be dropped")
            if rounds >= 500 { return }
            served.changeUpstream(by: .seconds(300))
            try served.pollOnce()
            try fast.follow(upTo: served.version)
        }
        XCTAssertEqual(fast.document, try served.upstreamDocument(), "the fast client kept up")
        XCTAssertLessThanOrEqual(
            served.fixture.service.servedTransport.bufferedBytes, limits.maxStreamBacklog + 256 << 10,
            "what waits for the slow client stays within its backlog")
        // The slow client reads what it was sent, then finds the connection closed.
        XCTAssertFalse(slow.read { false }, "the server closed it")
        let last = try XCTUnwrap(slow.events.last?.lastEventID)
        var document = Document()
        for event in slow.events { _ = document.consume(event) }
        let resumed = try served.client(lastEventID: last, seed: document.current)
        try resumed.follow(upTo: served.version)
        // What it missed (from the ring), or the document when that weighs less.
        XCTAssertTrue(resumed.kinds == ["data"] || !resumed.kinds.contains("data"), "\(resumed.kinds)")
        XCTAssertEqual(resumed.document, try served.upstreamDocument())
    }

    func testTheServeListenerServesOnlyServedStreams() throws {
        let plain = StreamSpec(id: "weather", name: "Weather", url: "UPSTREAM/poll/weather", mode: .poll, interval: 1)
        let served = try ServedFixture(extraSpecs: [plain])
        defer { served.stop() }
        for path in ["/v1/health", "/v1/streams", "/metrics", "/v1/events", "/v1/streams/quotes",
                     "/v1/streams/quotes/document", "/v1/streams/quotes/logs"] {
            let client = try PlainSocketClient(tcpPort: served.port)
            client.get(path)
            let reply = client.readResponse()
            XCTAssertEqual(reply.status, 404, path)
            XCTAssertTrue(String(decoding: reply.body, as: UTF8.self).contains("only served streams are here"), path)
        }
        var notServed: [String] = []
        for id in ["weather", "nothing-here"] {
            let client = try PlainSocketClient(tcpPort: served.port)
            client.get("/v1/streams/\(id)/sse")
            let reply = client.readResponse()
            XCTAssertEqual(reply.status, 404)
            notServed.append(String(decoding: reply.body, as: UTF8.self).replacingOccurrences(of: id, with: "ID"))
        }
        XCTAssertEqual(notServed[0], notServed[1], "a stream that is not served is not told apart from none")
        let slash = try PlainSocketClient(tcpPort: served.port)
        slash.get("/v1/streams/quotes/view/")
        slash.read { slash.text.contains("\r\n\r\n") }
        XCTAssertTrue(slash.text.hasPrefix("HTTP/1.1 308 "), "the page's relative 'sse' must resolve next to it")
        XCTAssertTrue(slash.text.contains("Location: ../view\r\n"), slash.text)
        let preflight = try PlainSocketClient(tcpPort: served.port)
        preflight.send("OPTIONS /v1/streams/quotes/sse HTTP/1.1\r\nHost: x\r\nOrigin: https://page.example\r\n"
                       + "Access-Control-Request-Headers: last-event-id\r\n\r\n")
        preflight.read { preflight.text.contains("\r\n\r\n") }
        XCTAssertTrue(preflight.text.hasPrefix("HTTP/1.1 204 "), preflight.text)
        XCTAssertTrue(preflight.text.contains("Access-Control-Allow-Headers: Last-Event-ID"), preflight.text)
        let post = try PlainSocketClient(tcpPort: served.port)
        post.send("POST /v1/streams/quotes/sse HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(post.readResponse().status, 405)

        // On the socket, a stream that is not served says how to serve it.
        let reply = try served.fixture.client.request("GET", "/v1/streams/weather/sse")
        XCTAssertEqual(reply.status, 404)
        XCTAssertEqual(reply.error?.code, "not_served")
    }

    /// `://` inside a path is not an absolute-form target's authority: `/x://y/v1/…` is not
    /// `/v1/…` (a proxy in front that allows paths by prefix must see what is served).
    func testASchemeInsideThePathDoesNotReachAStream() throws {
        let served = try ServedFixture()
        defer { served.stop() }
        try served.pollOnce()
        for path in ["/x://y/v1/streams/quotes/sse", "/v1/streams/other/x://y/v1/streams/quotes/sse"] {
            let client = try PlainSocketClient(tcpPort: served.port)
            client.get(path)
            XCTAssertEqual(client.readResponse().status, 404, path)
        }
        let absolute = try PlainSocketClient(tcpPort: served.port)
        absolute.send("GET http://elsewhere.example/v1/streams/quotes/view HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(absolute.readResponse().status, 200, "an absolute-form target names a path here")
        XCTAssertEqual(served.upstreamPolls, 1, "and nothing is fetched from the host it names")
    }

    /// The serve listener's clients never take the descriptors the streams and the control API
    /// need: with a low open-file limit, it takes fewer clients rather than starve the polls.
    func testTheServeListenerStaysWithinTheOpenFileLimit() {
        let reserved = OpenFileLimit.needed(streams: 10) + HTTPServer.Limits().maxConnections
        let low = ControlService.servedLimits(openFiles: 2_048, reserved: reserved)
        XCTAssertEqual(low.maxConnections, 2_048 - reserved)
        XCTAssertEqual(low.maxStreams, 2_048 - reserved)
        XCTAssertEqual(ControlService.servedLimits(openFiles: 1_024, reserved: reserved).maxConnections, 0)
        XCTAssertEqual(ControlService.servedLimits(openFiles: 1 << 20, reserved: reserved), ControlService.servedLimits)
        XCTAssertEqual(ControlService.servedLimits(openFiles: .max, reserved: reserved), ControlService.servedLimits)
    }

    /// On `--listen`, a served stream is one more route of the API: the token is required there.
    func testOnListenTheTokenIsRequired() throws {
        let served = try ServedFixture(listen: [ListenAddress(host: "127.0.0.1", port: 0)])
        defer { served.stop() }
        try served.pollOnce()
        let port = try XCTUnwrap(served.fixture.service.tcpPorts.first)
        let anonymous = try PlainSocketClient(tcpPort: port)
        anonymous.get(served.path)
        XCTAssertEqual(anonymous.readResponse().status, 401)
        let tokenPath = ControlService.tokenPath(stateDirectory: served.fixture.directory)
        let token = try XCTUnwrap(try ServiceToken.read(path: tokenPath)).value
        let client = try ServedClient(
            PlainSocketClient(tcpPort: port), path: served.path, headers: ["Authorization: Bearer \(token)"])
        try client.follow(upTo: served.version)
        XCTAssertEqual(client.document, try served.upstreamDocument())
    }

    func testTheUpstreamsCredentialsNeverReachAClient() throws {
        let secret = "s3cr3t-\(UUID().uuidString.prefix(8))"
        var spec = ServedFixture.spec
        spec.url += "?api_key=\(secret)"
        spec.headers = [("Authorization", "Bearer \(secret)")]
        let served = try ServedFixture(spec: spec)
        defer { served.stop() }
        try served.pollOnce()
        served.changeUpstream()
        try served.pollOnce()
        let client = try served.client()
        try client.follow(upTo: served.version)
        XCTAssertFalse(client.raw.contains(secret))
        let page = try PlainSocketClient(tcpPort: served.port)
        page.get("/v1/streams/quotes/view")
        let reply = page.readResponse()
        XCTAssertEqual(reply.status, 200)
        XCTAssertFalse(String(decoding: reply.body, as: UTF8.self).contains(secret))
    }

    func testStatusShowsTheClientsAndWhatTheyWereSpared() throws {
        let served = try ServedFixture()
        defer { served.stop() }
        try served.pollOnce()
        let clients = try (0..<3).map { _ in try served.client() }
        for client in clients { try client.follow(upTo: served.version) }
        served.changeUpstream()
        try served.pollOnce()
        for client in clients { try client.follow(upTo: served.version) }
        // GET shows what was published: the stream publishes within 100 ms of the scheduler, once
        // the feed has told it of the poll's counts (which may come after a look here).
        waitUntil("published") {
            served.time.advance(by: .milliseconds(100))
            return served.fixture.engine.store.snapshot(id: "quotes")?.served == served.feed.snapshot
        }
        let status = try XCTUnwrap(served.fixture.expect(200, "GET", "/v1/streams/quotes"))
        guard case .object(let object) = status, case .object(let counters)? = object["served"] else {
            return XCTFail("no served object in \(status)")
        }
        XCTAssertEqual(counters["clients"], .number(JSONNumber(3)))
        let sent = try XCTUnwrap(counters["sentBytes"]?.numberValue?.intValue)
        let received = clients.map { $0.bodyBytes }.reduce(0, +)
        XCTAssertEqual(sent, received, "bytes sent are the bytes the clients read")
        let polled = try XCTUnwrap(counters["pollBytes"]?.numberValue?.intValue)
        let bodies = served.bodySizes
        XCTAssertEqual(bodies.count, 2)
        XCTAssertEqual(polled, 3 * bodies[0] + 3 * bodies[1], "a document each at connect, then each poll's body")
        let savings = try XCTUnwrap(counters["savings"]?.numberValue?.doubleValue)
        XCTAssertEqual(savings, StatusText.measured(1 - Double(sent) / Double(polled)))
        let metrics = try served.fixture.client.request("GET", "/metrics")
        let text = String(decoding: metrics.body, as: UTF8.self)
        XCTAssertTrue(text.contains("streamtop_served_clients{stream=\"quotes\""), text)
        XCTAssertTrue(text.contains("streamtop_served_sent_bytes_total{"), text)
        XCTAssertTrue(text.contains("streamtop_served_poll_bytes_total{"), text)
    }

    /// An edit replaces the stream's runner, not its feed: clients stay, and the new poller's
    /// first body reaches them as a patch.
    func testAnEditKeepsTheClientsAndSendsOnlyWhatChanged() throws {
        let served = try ServedFixture()
        defer { served.stop() }
        try served.pollOnce()
        let client = try served.client()
        try client.follow(upTo: served.version)
        try served.edit { $0.name = "Quotes, renamed" }
        _ = served.fixture.engine.settledSnapshot(id: "quotes")
        served.changeUpstream()
        try served.pollOnce()
        try client.follow(upTo: served.version)
        XCTAssertEqual(client.kinds, ["data", "patch"])
        XCTAssertEqual(client.document, try served.upstreamDocument())
        XCTAssertIdentical(served.fixture.engine.servedFeed(id: "quotes"), served.feed)
    }

    /// When the upstream fails, clients are told once with Streamdata's `event: error` (no id, no
    /// word of the upstream's body), as is a client that joins meanwhile; the next document
    /// ends it. The document they hold stays.
    func testClientsAreToldWhenTheUpstreamFails() throws {
        let served = try ServedFixture()
        defer { served.stop() }
        try served.pollOnce()
        let client = try served.client()
        try client.follow(upTo: served.version)
        let url = try XCTUnwrap(served.fixture.engine.specs.first?.url)
        try served.edit { $0.url = url + "?fault=500" }
        _ = served.fixture.engine.settledSnapshot(id: "quotes")
        served.time.advance(by: .seconds(1))  // the new poller's first poll, which fails
        XCTAssertTrue(client.connection.read { client.kinds.contains("error") })
        served.time.advance(by: .seconds(1))  // and fails again: nothing more is said
        _ = served.fixture.engine.settledSnapshot(id: "quotes")
        let error = try XCTUnwrap(client.events.last)
        XCTAssertEqual(error.type, "error")
        XCTAssertEqual(error.lastEventID, String(served.version), "an error moves no Last-Event-ID")
        XCTAssertEqual(try JSONParser.parse(error.data),
                       ["message": "the upstream API answered HTTP 500", "status": 500])
        XCTAssertFalse(client.raw.contains("simulated failure"), "the upstream's words stay here")
        let joining = try served.client()
        XCTAssertTrue(joining.connection.read { joining.kinds == ["data", "error"] })

        try served.edit { $0.url = url }
        _ = served.fixture.engine.settledSnapshot(id: "quotes")
        served.changeUpstream()
        try served.pollOnce()
        try client.follow(upTo: served.version)
        XCTAssertEqual(client.kinds, ["data", "error", "patch"], "told once, then the next change")
        XCTAssertEqual(client.document, try served.upstreamDocument())
    }

    func testRemovingTheStreamOrNoLongerServingItEndsItsClients() throws {
        let served = try ServedFixture()
        defer { served.stop() }
        try served.pollOnce()
        let client = try served.client()
        try client.follow(upTo: served.version)
        try served.edit { $0.serve = false }
        XCTAssertFalse(client.connection.read { false }, "the response ended")
        let again = try PlainSocketClient(tcpPort: served.port)
        again.get(served.path)
        XCTAssertEqual(again.readResponse().status, 404)
    }
}

/// An engine on a manual clock polling a served stream of an upstream on another manual
/// clock, with `--serve-listen` on a free port.
private final class ServedFixture {
    static let spec = StreamSpec(
        id: "quotes", name: "Quotes", url: "UPSTREAM/poll/quotes", mode: .poll, interval: 1, autostart: true,
        serve: true)

    let fixture: ServiceFixture
    let time = ManualScheduler()
    let clock = ManualTimeSource()
    let feed: ServedFeed
    let port: UInt16
    let path = "/v1/streams/quotes/sse"
    let upstreamPath: String
    /// The upstream's document at each version the feed reached.
    private(set) var documents: [Int: JSONValue] = [:]
    /// The body size of every poll that brought a document (200).
    private(set) var bodySizes: [Int] = []
    private var reads = 0

    init(
        spec: StreamSpec = ServedFixture.spec, extraSpecs: [StreamSpec] = [],
        serveLimits: HTTPServer.Limits = ControlService.servedLimits, listen: [ListenAddress] = []
    ) throws {
        upstreamPath = String(spec.url.dropFirst("UPSTREAM".count))
        fixture = try ServiceFixture(
            specs: [spec] + extraSpecs, listen: listen, serveListen: [ListenAddress(host: "127.0.0.1", port: 0)],
            serveLimits: serveLimits, time: time, upstreamClock: clock)
        feed = try XCTUnwrap(fixture.engine.servedFeed(id: spec.id))
        port = try XCTUnwrap(fixture.service.servedPorts.first)
        fixture.engine.startAutostart()
        // Its first poll is scheduled once the start has run on its queue.
        _ = fixture.engine.settledSnapshot(id: spec.id)
    }

    var version: Int { feed.snapshot.version }

    /// Edits the served stream's settings through the engine (as the API and the form do).
    func edit(_ change: (inout StreamSpec) -> Void) throws {
        var spec = try XCTUnwrap(fixture.engine.specs.first { $0.id == feed.id })
        change(&spec)
        try fixture.engine.update(spec)
    }

    /// Moves the upstream's clock: its document changes.
    func changeUpstream(by duration: Duration = .seconds(1)) {
        fixture.upstream.advance(clock, by: duration)
    }

    /// Moves the engine's clock to the next poll and waits until the feed has handled its answer.
    func pollOnce(file: StaticString = #filePath, line: UInt = #line) throws {
        let before = feed.snapshot.polls
        let changing = try upstreamDocument()
        time.advance(by: .seconds(1))
        waitUntil("the poll reached the feed", file: file, line: line) { feed.snapshot.polls > before }
        if documents[version] == nil {
            documents[version] = changing
            bodySizes.append(JSONWriter.data(changing).count)
        }
    }

    /// The upstream's document now, read from it directly.
    func upstreamDocument() throws -> JSONValue {
        reads += 1
        let client = try PlainSocketClient(tcpPort: fixture.upstream.port)
        client.get(upstreamPath)
        return try JSONParser.parse(client.readResponse().body)
    }

    /// A new client; `seed`: the document it held when it left (a resuming client).
    func client(lastEventID: String? = nil, seed: JSONValue? = nil) throws -> ServedClient {
        try ServedClient(
            PlainSocketClient(tcpPort: port), path: path, headers: lastEventID.map { ["Last-Event-ID: \($0)"] } ?? [],
            seed: seed)
    }

    /// The polls the upstream answered (the test's own reads apart).
    var upstreamPolls: Int { fixture.upstream.requestCount(path: upstreamPath) - reads }

    func stop() { fixture.stop() }
}

/// A client of a served stream that applies what it gets, as `streamtop tail --document` does.
private final class ServedClient {
    let connection: PlainSocketClient
    private var applied = 0
    private var reader = Document()

    init(_ connection: PlainSocketClient, path: String, headers: [String] = [], seed: JSONValue? = nil) throws {
        self.connection = connection
        if let seed { reader.replace(with: JSONTree(seed)) }
        connection.get(path, headers: headers)
    }

    var events: [SSEEvent] { connection.events }
    var kinds: [String] { events.map(\.type) }
    var ids: [String] { events.map(\.lastEventID) }
    var document: JSONValue? { reader.current }
    var raw: String { connection.text }
    /// The body's bytes (after the response's head).
    var bodyBytes: Int {
        let received = connection.received
        guard let end = received.indices.first(where: { received[$0...].starts(with: [13, 10, 13, 10]) }) else {
            return 0
        }
        return received.count - end - 4
    }

    /// Reads until the event with id `version` has arrived, applying each event.
    func follow(upTo version: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let arrived = connection.read { events.last?.lastEventID == String(version) }
        XCTAssertTrue(arrived, "the event with id \(version) arrived; got \(ids)", file: file, line: line)
        while applied < events.count {
            if case .failure(let error) = reader.consume(events[applied]) {
                XCTFail("event \(applied) did not apply: \(error)", file: file, line: line)
            }
            applied += 1
        }
    }
}
