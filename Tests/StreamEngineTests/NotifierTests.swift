import Foundation
import XCTest
@testable import LocalServer
@testable import StreamCore
@testable import StreamEngine

/// Notifications: commands without a shell, webhooks through the engine loop, retries, and the
/// engine raising them for a broken stream.
final class NotifierTests: XCTestCase {
    var server: LocalServer!
    var loop: CurlLoop!
    var directory: String!

    override func setUpWithError() throws {
        server = try LocalServer(configuration: .init(apis: [.init(name: "quotes", kind: "quotes", period: .milliseconds(50))], retryMilliseconds: 50))
        loop = try CurlLoop()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-notify-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        loop.shutdown()
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    let message = Notifier.Message(stream: "quotes", url: "https://h/q?token=REDACTED", state: "failed", reason: "HTTP 500: simulated failure", since: UTCTime(secondsSinceEpoch: 1_795_953_600), recovered: false)

    func waitUntil(_ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(20)
        while !condition() && Date() < deadline { usleep(10_000) }
    }

    func testCommandGetsTheDetailsInItsEnvironment() throws {
        let file = directory + "/env.txt"
        // The notifier runs the program directly; this test's program happens to be a shell.
        Notifier(loop: loop).send(message, spec: NotifySpec(command: ["/bin/sh", "-c", "env | grep ^STREAMTOP_ | sort > \(file)"])) { XCTFail($0) }
        waitUntil { (try? String(contentsOfFile: file, encoding: .utf8))?.contains("STREAMTOP_URL") == true }
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(lines.contains("STREAMTOP_STREAM=quotes"))
        XCTAssertTrue(lines.contains("STREAMTOP_STATE=failed"))
        XCTAssertTrue(lines.contains("STREAMTOP_REASON=HTTP 500: simulated failure"))
        XCTAssertTrue(lines.contains("STREAMTOP_SINCE=2026-11-29T12:00:00.000Z"))
        XCTAssertTrue(lines.contains("STREAMTOP_URL=https://h/q?token=REDACTED"))
    }

    func testWebhooksInBothFormats() {
        let notifier = Notifier(loop: loop)
        notifier.send(message, spec: NotifySpec(webhook: server.baseURL + "/hook", webhookFormat: .slack)) { XCTFail($0) }
        waitUntil { server.receivedHooks().count == 1 }
        notifier.send(message, spec: NotifySpec(webhook: server.baseURL + "/hook", webhookFormat: .text)) { XCTFail($0) }
        waitUntil { server.receivedHooks().count == 2 }
        let hooks = server.receivedHooks()
        XCTAssertEqual(hooks[0].contentType, "application/json")
        XCTAssertEqual(try JSONParser.parse(hooks[0].body)["text"]?.stringValue, message.text)
        XCTAssertEqual(hooks[1].contentType, "text/plain; charset=utf-8")
        XCTAssertEqual(hooks[1].body, "streamtop: quotes is failed since 2026-11-29T12:00:00.000Z (https://h/q?token=REDACTED): HTTP 500: simulated failure")
    }

    func testFailingNotifiersAreRetriedThenGivenUp() {
        let problems = Problems()
        let notifier = Notifier(loop: loop, attempts: 3, retryDelay: .milliseconds(10))
        notifier.send(message, spec: NotifySpec(command: ["/bin/false"], webhook: server.baseURL + "/hook?fault=500")) { problems.add($0) }
        waitUntil { problems.all.filter { $0.contains("giving up") }.count == 2 }
        let all = problems.all
        XCTAssertEqual(all.filter { $0 == "notification command /bin/false exited with status 1; trying again" }.count, 2)
        XCTAssertTrue(all.contains("notification command /bin/false exited with status 1; giving up after 3 attempts"))
        XCTAssertTrue(all.contains("webhook \(server.baseURL)/hook?fault=500 answered HTTP 500; giving up after 3 attempts"))
        let missing = Problems()
        notifier.send(message, spec: NotifySpec(command: ["/no/such/program"])) { missing.add($0) }
        waitUntil { missing.all.count == 3 }
        XCTAssertEqual(missing.all.last, "notification command /no/such/program could not start: No such file or directory; giving up after 3 attempts")
    }

    final class Problems: @unchecked Sendable {  // guarded by lock
        private let lock = NSLock()
        private var items: [String] = []
        func add(_ problem: String) { lock.withLock { items.append(problem) } }
        var all: [String] { lock.withLock { items } }
    }

    func testTheEngineAlertsOncePerIncident() throws {
        let spec = StreamSpec(
            id: "broken", name: "Broken", url: server.baseURL + "/sse/quotes?fault=500",
            notify: NotifySpec(webhook: server.baseURL + "/hook", after: 0), autostart: true)
        let engine = try Engine(specs: [spec], stateDirectory: nil)
        engine.startAutostart()
        waitUntil { !engine.store.alerts(after: 0).isEmpty && !server.receivedHooks().isEmpty }
        // It keeps failing and reconnecting; still one alert for the incident.
        waitUntil { (engine.store.latest().snapshots.first?.metrics.reconnects ?? 0) >= 3 }
        engine.shutdown()
        let alerts = engine.store.alerts(after: 0)
        XCTAssertEqual(alerts.count, 1)
        XCTAssertEqual(alerts.first?.stream, "broken")
        XCTAssertTrue(alerts.first?.message.contains("HTTP 500: simulated failure") == true, alerts.first?.message ?? "")
        XCTAssertEqual(server.receivedHooks().count, 1)
    }
}
