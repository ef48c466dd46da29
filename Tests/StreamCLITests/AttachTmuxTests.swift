import Foundation
import TestSupport
import XCTest
@testable import LocalServer
@testable import StreamCore
@testable import StreamService

#if canImport(Glibc)
import Glibc
#endif

/// A monitor attached to a `run --headless` service, both the real binary in tmux: the service
/// in one window, monitors in others. Waits are for what the screens show and what the
/// service answers.
extension MonitorTmuxTests {
    /// The screen of `target`, lines the terminal wrapped joined again.
    func capture(_ target: String) throws -> String { try tmux("capture-pane", "-t", target, "-p", "-J") }

    @discardableResult
    func waitForScreen(
        of target: String, _ what: String, file: StaticString = #filePath, line: UInt = #line,
        _ condition: (String) -> Bool
    ) throws -> String {
        var last = ""
        let reached = try waitUntil("\(what); the screen of \(target) was:\n\(last)", file: file, line: line) {
            last = try capture(target)
            return condition(last)
        }
        guard reached else { throw WaitFailed() }
        return last
    }

    /// The line of `screen` that shows stream `name`.
    func row(_ name: String, in screen: String) -> String? {
        screen.split(separator: "\n").first { $0.contains(" \(name) ") }.map(String.init)
    }

    func testAMonitorAttachesToTheServiceAndDetaches() throws {
        guard (try? tmux("-V")).map({ $0.hasPrefix("tmux") }) == true else {
            throw XCTSkip("tmux is not installed (.ci/run installs it)")
        }
        let upstream = try LocalServer(configuration: .init(apis: [
            .init(name: "quotes", kind: "quotes", period: .milliseconds(100)),
            .init(name: "weather", kind: "weather", period: .milliseconds(100)),
        ], retryMilliseconds: 100))
        defer { upstream.stop() }
        // Short: the socket's path must fit in 108 bytes.
        let home = "/tmp/st-tmux-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try RegistryFile(path: home + "/streams.json").save(try Registry(streams: [
            StreamSpec(id: "quotes", name: "Quotes", url: upstream.baseURL + "/sse/quotes", autostart: true),
            StreamSpec(
                id: "weather", name: "Weather", url: upstream.baseURL + "/poll/weather", mode: .poll, interval: 1,
                autostart: true),
        ]))
        let binary = StreamtopBinaryTests.executable.path
        let environment = "env TERM=xterm-256color LANG=C.UTF-8 HOME=\(home)"
        let paths = "--config \(home)/streams.json --state-dir \(home)/state"
        try tmux("new-session", "-d", "-s", session, "-n", "service", "-x", "120", "-y", "30",
                 "\(environment) \(binary) run --headless \(paths); echo \"SERVICE EXITED $?\"; sleep 60")
        try waitForScreen(of: "\(session):service", "the service to run") { $0.contains("Ctrl-C to stop") }
        let (client, health) = try XCTUnwrap(ServiceClient.running(stateDirectory: home + "/state"))

        // A monitor on the same state directory attaches: rows live, the header names the service.
        try tmux("new-window", "-t", session, "-n", "first",
                 "\(environment) \(binary) run \(paths); echo \"EXITED $?\"; sleep 60")
        var shown = try waitForScreen(of: "\(session):first", "the attached monitor's rows") { screen in
            screen.contains("attached to pid \(health.pid), up")
                && self.row("Quotes", in: screen)?.contains("open") == true
                && self.row("Weather", in: screen)?.contains("open") == true
        }
        XCTAssertTrue(shown.contains("q Detach"), shown)

        // Space stops the selected stream (Quotes, first by name) in the service.
        try run(["send-keys", "-t", "\(session):first", "Space"])
        try waitForScreen(of: "\(session):first", "Quotes to stop") {
            self.row("Quotes", in: $0)?.contains("stopped") == true
        }
        XCTAssertEqual(try client.json("GET", "/v1/streams/quotes")?["state"], "stopped")

        // q detaches at once (streams are running, yet it does not ask) and the service runs on.
        try run(["send-keys", "-t", "\(session):first", "q"])
        shown = try waitForScreen(of: "\(session):first", "the monitor to detach") { $0.contains("EXITED 0") }
        XCTAssertTrue(shown.contains("detached from streamtop (pid \(health.pid)); its streams keep running"), shown)
        XCTAssertEqual(try client.health().pid, health.pid)
        XCTAssertEqual(try client.json("GET", "/v1/streams/weather")?["state"], "open")

        // A second attach shows the same state.
        try tmux("new-window", "-t", session, "-n", "second",
                 "\(environment) \(binary) run \(paths); echo \"EXITED $?\"; sleep 60")
        try waitForScreen(of: "\(session):second", "the same state in a second monitor") { screen in
            self.row("Quotes", in: screen)?.contains("stopped") == true
                && self.row("Weather", in: screen)?.contains("open") == true
        }

        // The service is killed: the monitor says so, keeps its rows and goes on.
        XCTAssertEqual(kill(pid_t(health.pid), SIGKILL), 0)
        try waitForScreen(of: "\(session):service", "the service to die") { $0.contains("SERVICE EXITED") }
        shown = try waitForScreen(of: "\(session):second", "the monitor to say it lost the service") { screen in
            screen.contains("lost streamtop (pid \(health.pid))") && screen.contains("reconnecting")
        }
        XCTAssertNotNil(row("Weather", in: shown), "the rows stay, stale")
        XCTAssertFalse(shown.contains("EXITED"), shown)
        try run(["send-keys", "-t", "\(session):second", "q"])
        try waitForScreen(of: "\(session):second", "the monitor to detach") { $0.contains("EXITED 0") }
    }

    /// `--attach http://HOST:PORT` as through a tunnel: refused without the token, attached with
    /// it (from another HOME: nothing is found by state directory).
    func testAMonitorAttachesToAListenAddressWithTheToken() throws {
        guard (try? tmux("-V")).map({ $0.hasPrefix("tmux") }) == true else {
            throw XCTSkip("tmux is not installed (.ci/run installs it)")
        }
        let upstream = try LocalServer(configuration: .init(apis: [
            .init(name: "quotes", kind: "quotes", period: .milliseconds(100)),
        ], retryMilliseconds: 100))
        defer { upstream.stop() }
        let home = "/tmp/st-tcp-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home + "/elsewhere", withIntermediateDirectories: true)
        try RegistryFile(path: home + "/streams.json").save(try Registry(streams: [
            StreamSpec(id: "quotes", name: "Quotes", url: upstream.baseURL + "/sse/quotes", autostart: true),
        ]))
        let binary = StreamtopBinaryTests.executable.path
        let port = MonitorTmuxTests.freePort()
        try tmux("new-session", "-d", "-s", session, "-n", "service", "-x", "120", "-y", "30",
                 "env HOME=\(home) \(binary) run --headless --config \(home)/streams.json --state-dir \(home)/state "
                    + "--listen 127.0.0.1:\(port); sleep 60")
        try waitForScreen(of: "\(session):service", "the service to run") { $0.contains("Ctrl-C to stop") }
        let (_, health) = try XCTUnwrap(ServiceClient.running(stateDirectory: home + "/state"))
        let monitor = "env TERM=xterm-256color LANG=C.UTF-8 HOME=\(home)/elsewhere STREAMTOP_TOKEN= \(binary) run"

        try tmux("new-window", "-t", session, "-n", "anonymous",
                 "\(monitor) --attach http://127.0.0.1:\(port); echo \"EXITED $?\"; sleep 60")
        let refused = try waitForScreen(of: "\(session):anonymous", "the refusal") { $0.contains("EXITED 1") }
        XCTAssertTrue(refused.contains("streamtop: cannot attach to http://127.0.0.1:\(port): this address needs "
                                       + "'Authorization: Bearer TOKEN'"), refused)
        XCTAssertTrue(refused.contains("give the token with --token-file PATH or STREAMTOP_TOKEN"), refused)

        try tmux("new-window", "-t", session, "-n", "tunnel",
                 "\(monitor) --attach http://127.0.0.1:\(port) --token-file \(home)/state/token; "
                    + "echo \"EXITED $?\"; sleep 60")
        try waitForScreen(of: "\(session):tunnel", "the rows through the address") { screen in
            screen.contains("attached to pid \(health.pid), up")
                && self.row("Quotes", in: screen)?.contains("open") == true
        }
        try run(["send-keys", "-t", "\(session):tunnel", "q"])
        try waitForScreen(of: "\(session):tunnel", "the monitor to detach") { $0.contains("EXITED 0") }
        // The service ends with the test: tmux's kill-server would only send SIGHUP, which a
        // headless run takes as "reload".
        XCTAssertEqual(kill(pid_t(health.pid), SIGTERM), 0)
        XCTAssertTrue(waitUntil("the service to end") { kill(pid_t(health.pid), 0) != 0 })
    }
}
