import Foundation
import Synchronization
import TestSupport
import XCTest
@testable import LocalServer
@testable import StreamCLI
@testable import StreamCore
@testable import StreamEngine
@testable import StreamService
@testable import StreamUI

/// `RemoteLink` against a real control service in this process: an engine on LocalServer's
/// streams, the service on its Unix socket, the link on the socket as an attached monitor is.
/// The link's clock is a `ManualScheduler`: its reconnection waits pass when the test says.
final class RemoteLinkTests: XCTestCase {
    var upstream: LocalServer!
    var directory: String!
    var engine: Engine!
    var service: ControlService!
    var link: RemoteLink!
    let time = ManualScheduler()

    override func setUpWithError() throws {
        // The in-memory screen measures with the C library in the current locale, as the
        // terminal does: UTF-8, whatever other tests ran before (or none, under --filter).
        DisplayWidth.measureUTF8()
        upstream = try LocalServer(configuration: .init(apis: [
            .init(name: "quotes", kind: "quotes", period: .milliseconds(50)),
            .init(name: "weather", kind: "weather", period: .milliseconds(50)),
        ], retryMilliseconds: 50))
        // Short: a Unix socket's path must fit in 108 bytes.
        directory = "/tmp/st-att-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try startEngine(specs: [
            StreamSpec(id: "quotes", name: "Quotes", url: upstream.baseURL + "/sse/quotes", autostart: true),
            StreamSpec(
                id: "weather", name: "Weather", url: upstream.baseURL + "/poll/weather", mode: .poll, interval: 1),
        ])
        let client = try ServiceClient(endpoint: .unix(path: ControlService.socketPath(stateDirectory: directory)))
        link = RemoteLink(
            client: client, health: try client.health(), registryPath: directory + "/streams.json", time: time)
        link.start()
    }

    override func tearDownWithError() throws {
        link?.close()
        service?.stop()
        engine?.shutdown()
        upstream.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func startEngine(specs: [StreamSpec], listen: [ListenAddress] = []) throws {
        let registryFile = RegistryFile(path: directory + "/streams.json")
        try registryFile.save(try Registry(streams: specs))
        engine = try Engine(specs: specs, stateDirectory: directory, registryFile: registryFile)
        engine.startAutostart()
        var options = ControlService.Options(stateDirectory: directory)
        options.version = "test"
        options.listen = listen
        service = try ControlService(engine: engine, options: options)
    }

    /// Waits until the link's rows meet `condition`; returns them by id.
    @discardableResult
    func waitForRows(
        _ what: String, file: StaticString = #filePath, line: UInt = #line,
        _ condition: ([String: StreamSnapshot]) -> Bool
    ) -> [String: StreamSnapshot] {
        var rows: [String: StreamSnapshot] = [:]
        let message = { "the link's rows: \(what); last seen: \(rows.mapValues(\.status.state.name))" }
        waitUntil(message(), file: file, line: line) {
            rows = Dictionary(uniqueKeysWithValues: link.latest().snapshots.map { ($0.id, $0) })
            return condition(rows)
        }
        return rows
    }

    func testRowsArriveAndFollowTheEngine() throws {
        let before = link.version
        let rows = waitForRows("quotes open with patches, weather idle") { rows in
            rows["quotes"]?.status.state == .open && (rows["quotes"]?.metrics.patches ?? 0) >= 3
                && rows["weather"]?.status.state == .idle
        }
        XCTAssertEqual(rows.keys.sorted(), ["quotes", "weather"])
        XCTAssertEqual(rows["quotes"]?.url, upstream.baseURL + "/sse/quotes")
        XCTAssertGreaterThan(link.version, before, "the version moves as rows arrive")
        let attachment = try XCTUnwrap(link.attachment)
        XCTAssertEqual(attachment.pid, Int(getpid()))
        XCTAssertNotNil(attachment.startedAt)
        XCTAssertFalse(attachment.isLost)
        // The rows follow: the count of patches keeps moving without asking anything.
        let seen = rows["quotes"]!.metrics.patches
        waitForRows("more patches of quotes") { ($0["quotes"]?.metrics.patches ?? 0) > seen }
    }

    func testStartAndStopThroughTheLinkChangeTheEngine() throws {
        waitForRows("quotes open") { $0["quotes"]?.status.state == .open }
        XCTAssertNil(link.stop(id: "quotes"))
        XCTAssertEqual(engine.store.snapshot(id: "quotes")?.status.state, .stopped, "stopped by the time stop returns")
        waitForRows("quotes stopped") { $0["quotes"]?.status.state == .stopped }
        XCTAssertEqual(try RegistryFile(path: directory + "/streams.json").load().spec(id: "quotes")?.autostart, false)

        XCTAssertNil(link.start(id: "weather"))
        waitForRows("weather polling") { $0["weather"]?.status.state.isRunning == true }
        link.restart(id: "weather")
        XCTAssertEqual(link.start(id: "nope"), "no stream \"nope\" is registered")
    }

    func testRegisterEditAndRemoveThroughTheLink() throws {
        waitForRows("both streams") { $0.count == 2 }
        XCTAssertEqual(link.newID(for: "Quotes"), "quotes-2", "ids taken in the engine are not offered")
        var spec = StreamSpec(id: "scores", name: "Scores", url: upstream.baseURL + "/sse/quotes")
        XCTAssertNil(link.add(spec))
        XCTAssertTrue(engine.has(id: "scores"))
        waitForRows("the new stream") { $0["scores"] != nil }
        XCTAssertEqual(link.add(spec), "id: \"scores\" is already registered")
        spec.name = "Scores (renamed)"
        XCTAssertNil(link.update(spec))
        waitForRows("the new name") { $0["scores"]?.name == "Scores (renamed)" }
        XCTAssertEqual(link.spec(id: "scores")?.name, "Scores (renamed)", "read from the engine's registry")
        XCTAssertNil(link.remove(id: "scores"))
        waitForRows("the stream gone") { $0["scores"] == nil }
        XCTAssertNotNil(link.remove(id: "scores"), "a second remove is the API's 404")
    }

    func testAlertsArrive() throws {
        waitForRows("both streams") { $0.count == 2 }
        engine.store.publishAlert(stream: "quotes", message: "Quotes broke: a test says so", recovered: false)
        engine.store.publishAlert(stream: "quotes", message: "Quotes recovered", recovered: true)
        var alerts: [AlertEvent] = []
        waitUntil("both alerts through /v1/events") {
            alerts = link.alerts(after: 0).filter { $0.stream == "quotes" }
            return alerts.count == 2
        }
        XCTAssertEqual(alerts.map(\.message), ["Quotes broke: a test says so", "Quotes recovered"])
        XCTAssertEqual(alerts.map(\.recovered), [false, true])
        XCTAssertEqual(link.alerts(after: alerts[1].sequence), [])
    }

    /// History, document and log are requests, which the monitor makes off its main thread (it
    /// never waits on the network for a frame), and so does this test; the monitor on the link
    /// draws them once they arrived.
    func testHistoryDocumentAndLogAreFetchedOffTheMainThreadAndDrawn() throws {
        waitForRows("quotes with patches") { ($0["quotes"]?.metrics.patches ?? 0) >= 2 }
        let link: RemoteLink = link
        let fetched = Mutex<Result<(StreamHistory?, JSONValue?, [LogEntry], JSONValue?), any Error>?>(nil)
        DispatchQueue.global().async {
            let result = Result {
                (try link.history(id: "quotes"), try link.document(id: "quotes"),
                 try link.recentLog(id: "quotes", limit: 1000), try link.document(id: "weather"))
            }
            fetched.withLock { $0 = result }
        }
        waitUntil("the four requests to be answered") { fetched.withLock { $0 != nil } }
        let (history, document, log, weather) = try XCTUnwrap(fetched.withLock { $0 }).get()
        XCTAssertEqual(try XCTUnwrap(history).minutes.count, 120)
        XCTAssertGreaterThan(try XCTUnwrap(history).minutes.reduce(0) { $0 + $1.patches }, 0)
        let quotes = try XCTUnwrap(document)
        XCTAssertNotNil(quotes["quotes"] ?? quotes[0], "the quotes document: \(quotes)")
        XCTAssertTrue(log.contains { $0.kind == "event" }, "\(log.map(\.kind))")
        XCTAssertNil(weather, "weather has no document")

        let controller = MonitorController(link: link, time: time)
        controller.refresh()
        XCTAssertEqual(controller.state.selectedID, "quotes")
        _ = controller.handle(.enter)
        _ = controller.handle(.character("l"))
        var screen = ScreenBuffer(rows: 60, columns: 120)
        let what = "the detail view and the log pane to show what arrived"
        waitUntil("\(what); the screen:\n\(screen.text.joined(separator: "\n"))") {
            controller.refresh()
            MonitorRenderer.render(controller, into: &screen, glyphs: .unicode)
            let text = screen.text.joined(separator: "\n")
            return !text.contains("loading…") && text.contains("Last events") && text.contains("─ log: Quotes ─ ")
        }
    }

    /// The service stops (its socket gone): the link says so once, keeps the rows and marks them
    /// stale; another engine starts on the directory with other streams: the link reconnects,
    /// takes a fresh snapshot (the rows are the new engine's) and says it is back.
    func testTheServiceGoingAwayAndComingBackIsSurvived() throws {
        waitForRows("quotes open") { $0["quotes"]?.status.state == .open }
        service.stop()
        engine.shutdown()
        waitUntil("the link to say it lost the service") { link.attachment?.isLost == true }
        let lost = link.alerts(after: 0).filter { $0.message.hasPrefix("lost streamtop (pid \(getpid()))") }
        XCTAssertEqual(lost.count, 1, "\(link.alerts(after: 0))")
        XCTAssertEqual(link.latest().snapshots.count, 2, "the rows stay, stale")

        try startEngine(specs: [
            StreamSpec(id: "market", name: "Market", url: upstream.baseURL + "/sse/quotes", autostart: true),
        ])
        // The reconnection's wait (the only work pending once the connection ended) passes on
        // the link's clock.
        waitUntil("the reconnection to be scheduled") { time.nextDue != nil }
        time.advance(by: time.nextDue! - time.now())
        waitUntil("the link to reconnect") { link.attachment?.isLost == false }
        let rows = waitForRows("the new engine's stream only") { $0.keys.sorted() == ["market"] }
        XCTAssertNotNil(rows["market"])
        let back = "streamtop (pid \(getpid())) is back; the rows are live again"
        waitUntil("the link to say the service is back") {
            link.alerts(after: 0).contains { $0.recovered && $0.message == back }
        }
        XCTAssertNil(link.stop(id: "market"), "commands reach the new engine")
    }

    /// Through a tunnel to `--listen`: with the token the rows arrive and commands work;
    /// without it the link says what the service answered, and no rows come.
    func testOverTCPWithTheToken() throws {
        link.close()
        service.stop()
        engine.shutdown()
        try startEngine(
            specs: [StreamSpec(id: "quotes", name: "Quotes", url: upstream.baseURL + "/sse/quotes", autostart: true)],
            listen: [ListenAddress(host: "127.0.0.1", port: 0)])
        let address = "http://127.0.0.1:\(service.tcpPorts[0])"
        let token = try XCTUnwrap(try ServiceToken.read(path: ControlService.tokenPath(stateDirectory: directory)))

        let anonymous = try ServiceClient(endpoint: .tcp(baseURL: address, token: nil))
        let refused = RemoteLink(client: anonymous, health: nil, time: time)
        refused.start()
        defer { refused.close() }
        waitUntil("the link without the token to say why") { refused.attachment?.isLost == true }
        let problem = refused.attachment?.problem ?? ""
        XCTAssertTrue(problem.hasPrefix("HTTP 401: this address needs 'Authorization: Bearer TOKEN'"), problem)
        XCTAssertEqual(refused.latest().snapshots, [])

        let client = try ServiceClient(endpoint: .tcp(baseURL: address, token: token.value))
        link = RemoteLink(client: client, health: try client.health(), time: time)
        link.start()
        waitForRows("quotes open") { $0["quotes"]?.status.state == .open }
        XCTAssertNil(link.stop(id: "quotes"))
        waitForRows("quotes stopped") { $0["quotes"]?.status.state == .stopped }
    }
}
