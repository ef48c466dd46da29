import Foundation
import TestSupport
import Synchronization
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


    func testCommandGetsTheDetailsInItsEnvironment() throws {
        let file = directory + "/env.txt"
        // The notifier runs the program directly; this test's program happens to be a shell.
        Notifier(loop: loop).send(message, spec: NotifySpec(command: ["/bin/sh", "-c", "env | grep ^STREAMTOP_ | sort > \(file)"])) { XCTFail($0) }
        waitUntil("the environment file") { (try? String(contentsOfFile: file, encoding: .utf8))?.contains("STREAMTOP_URL") == true }
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
        waitUntil("the first hook") { server.receivedHooks().count == 1 }
        notifier.send(message, spec: NotifySpec(webhook: server.baseURL + "/hook", webhookFormat: .text)) { XCTFail($0) }
        waitUntil("the second hook") { server.receivedHooks().count == 2 }
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
        waitUntil("two give-ups") { problems.all.filter { $0.contains("giving up") }.count == 2 }
        let all = problems.all
        XCTAssertEqual(all.filter { $0 == "notification command /bin/false exited with status 1; trying again" }.count, 2)
        XCTAssertTrue(all.contains("notification command /bin/false exited with status 1; giving up after 3 attempts"))
        XCTAssertTrue(all.contains("webhook \(server.baseURL)/… answered HTTP 500; giving up after 3 attempts"),
                      "scheme and host only: \(all)")
        let missing = Problems()
        notifier.send(message, spec: NotifySpec(command: ["/no/such/program"])) { missing.add($0) }
        waitUntil("three problems") { missing.all.count == 3 }
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
        waitUntil("an alert and its hook") { !engine.store.alerts(after: 0).isEmpty && !server.receivedHooks().isEmpty }
        // It keeps failing and reconnecting; still one alert for the incident.
        waitUntil("three reconnects") { (engine.store.latest().snapshots.first?.metrics.reconnects ?? 0) >= 3 }
        engine.shutdown()
        let alerts = engine.store.alerts(after: 0)
        XCTAssertEqual(alerts.count, 1)
        XCTAssertEqual(alerts.first?.stream, "broken")
        XCTAssertTrue(alerts.first?.message.contains("HTTP 500: simulated failure") == true, alerts.first?.message ?? "")
        XCTAssertEqual(server.receivedHooks().count, 1)
    }
}

/// A notification command is a guest in a full-screen monitor that runs for weeks: it reads
/// nothing, prints nowhere the person can see, holds none of the engine's descriptors, and
/// is killed when it hangs. What it printed explains its failure.
final class NotificationCommandTests: XCTestCase {
    func run(_ script: String, timeout: Duration = .seconds(10)) -> String? {
        NotificationCommand.run(["/bin/sh", "-c", script], environment: ["PATH=/usr/bin:/bin"], timeout: timeout)
    }

    func testItsOutputIsKeptOffTheTerminalAndQuotedWhenItFails() {
        XCTAssertNil(run("echo on stdout; echo on stderr >&2"))
        XCTAssertEqual(run("echo progress; echo 'curl: (6) Could not resolve host' >&2; exit 3"), "exited with status 3: curl: (6) Could not resolve host")
        XCTAssertEqual(run("exit 4"), "exited with status 4")
        XCTAssertEqual(run("printf 'bad \\033[2J\\n\\n'; exit 1"), "exited with status 1: bad \u{241B}[2J", "what it printed is sanitized")
        XCTAssertEqual(NotificationCommand.run(["/no/such/program"], environment: [], timeout: .seconds(10)), "could not start: No such file or directory")
    }

    func testItReadsNothing() throws {
        // This process's standard input holds a line (tests often run with /dev/null there,
        // which would prove nothing): the command reads /dev/null instead, not the line.
        var ends: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&ends), 0)
        XCTAssertEqual(write(ends[1], "a line\n", 7), 7)
        close(ends[1])
        let saved = dup(0)
        XCTAssertEqual(dup2(ends[0], 0), 0)
        close(ends[0])
        defer {
            dup2(saved, 0)
            close(saved)
        }
        XCTAssertNil(run("if read line; then echo \"read: $line\"; exit 1; fi; exit 0"))
    }

    func testItHoldsNoneOfTheEnginesDescriptors() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-fd-\(UUID().uuidString)").path
        let fd = open(path, O_RDWR | O_CREAT, 0o600)  // without O_CLOEXEC, as a library might
        defer { close(fd); unlink(path) }
        XCTAssertEqual(dup2(fd, 200), 200)
        defer { close(200) }
        XCTAssertNil(run("if [ -e /proc/self/fd/200 ]; then echo inherited; exit 1; fi"))
    }

    /// The time limits a command is tried with. The kill is real time (the command sleeps for
    /// real), and a loaded machine may not even have started the shell within the first: a
    /// test that needs the command to get somewhere before its kill tries the next limit,
    /// so that a slow machine only makes it take longer.
    static let limits: [Duration] = [.milliseconds(300), .seconds(1), .seconds(3), .seconds(10)]

    /// Killed at its limit and quoted: what it printed before it hung explains it. Nothing
    /// here depends on how soon the kill lands, only that it does: the call returns before
    /// `sleep 30` could have ended by itself.
    func testAHangingCommandIsKilledAtItsTimeLimit() {
        for limit in NotificationCommandTests.limits {
            let started = ContinuousClock.now
            let outcome = run("echo waiting; exec sleep 30", timeout: limit)
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(30), "killed, not waited for")
            let killed = "did not finish within \(NotificationCommand.describe(limit)) and was killed"
            if outcome == killed + ": waiting" { return }
            XCTAssertEqual(outcome, killed, "killed before it printed anything, or quoted")
        }
        XCTFail("the command never printed within its time limit")
    }

    /// The time limit is a deadline of the engine's scheduler: on a manual clock, the command
    /// is killed exactly when the test moves the clock past it, and not before.
    func testTheTimeLimitIsTheSchedulersDeadline() throws {
        let time = ManualScheduler()
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-started-\(UUID().uuidString)").path
        defer { unlink(marker) }
        let outcome = Mutex<String??>(nil)
        let done = expectation(description: "the command ended")
        Thread {
            let result = NotificationCommand.run(["/bin/sh", "-c", "echo waiting; touch \(marker); exec sleep 3600"],
                                                 environment: ["PATH=/usr/bin:/bin"], timeout: .seconds(30), time: time)
            outcome.withLock { $0 = .some(result) }
            done.fulfill()
        }.start()
        waitUntil("the command to start") { FileManager.default.fileExists(atPath: marker) && time.pendingCount == 1 }
        time.advance(by: .seconds(29))
        XCTAssertNil(outcome.withLock { $0 }, "not killed before its time")
        time.advance(by: .seconds(1))
        wait(for: [done], timeout: 30)
        XCTAssertEqual(outcome.withLock { $0 }, .some("did not finish within 30 s and was killed: waiting"))
    }

    /// Killed whole: a child it started in its process group goes with it.
    func testATimedOutCommandsChildrenAreKilledToo() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-child-\(UUID().uuidString)").path
        defer { unlink(path) }
        for limit in NotificationCommandTests.limits {
            XCTAssertEqual(run("sleep 3600 & echo $! > \(path); wait", timeout: limit),
                           "did not finish within \(NotificationCommand.describe(limit)) and was killed")
            // Killed before it could say which child it started: again, with more time.
            let said = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            guard let child = Int32(said.trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
            // Killed, it is reaped by init: gone, or a zombie for a moment.
            waitUntil("the child to be gone") {
                let state = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8)
                return state == nil || state!.split(separator: " ")[2] == "Z"
            }
            return
        }
        XCTFail("the command never started its child within its time limit")
    }

    /// A command that prints without end keeps only the end of it in memory and nothing on
    /// disk, and is quoted from that end.
    func testEndlessOutputIsCapped() {
        let before = temporaryFiles()
        XCTAssertEqual(run("yes | head -c 50000000; echo the end; exit 2", timeout: .seconds(60)), "exited with status 2: the end")
        XCTAssertEqual(temporaryFiles(), before, "nothing left in the temporary directory")
    }

    func temporaryFiles() -> Set<String> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? []).filter { $0.hasPrefix("streamtop-notify") })
    }

    /// The work overlaps by construction, not by taking time: each piece waits at a gate
    /// until `limit` of them have run side by side (then the gate stays open).
    func testAtMostTheLimitRunAtOnceAndAllRun() {
        let limited = LimitedConcurrency(limit: 3)
        final class Count: @unchecked Sendable {  // guarded by gate
            let gate = NSCondition()
            var running = 0
            var most = 0
            var done = 0
        }
        let count = Count()
        let all = expectation(description: "all ran")
        all.expectedFulfillmentCount = 20
        let bound = Date().addingTimeInterval(30)  // only for a broken build: the gate never opens
        for _ in 0..<20 {
            limited.submit {
                count.gate.withLock {
                    count.running += 1
                    count.most = max(count.most, count.running)
                    count.gate.broadcast()
                    while count.most < 3 && count.gate.wait(until: bound) {}
                }
                count.gate.withLock { count.running -= 1; count.done += 1 }
                all.fulfill()
            }
        }
        wait(for: [all], timeout: 60)
        XCTAssertEqual(count.gate.withLock { count.done }, 20)
        XCTAssertLessThanOrEqual(count.gate.withLock { count.most }, 3)
        XCTAssertEqual(count.gate.withLock { count.most }, 3, "they do run side by side, as many as allowed")
    }
}
