import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The real `streamtop demo` in a real terminal: tmux runs it, `send-keys` types, and
/// `capture-pane` reads the screen. Waits are for what the screen shows, polled.
final class MonitorTmuxTests: XCTestCase {
    let tmuxSocket = "streamtop-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let session = "demo"

    @discardableResult
    func tmux(_ arguments: String...) throws -> String { try run(arguments) }

    /// Runs tmux with posix_spawn and waitpid, its output in a file: `new-session` forks the
    /// tmux server, which keeps every inherited descriptor open for as long as it runs, so
    /// neither a pipe nor Foundation's Process (which waits on those) would ever finish.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(tmuxSocket)-\(UUID().uuidString).out").path
        defer { unlink(path) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ["tmux", "-L", tmuxSocket] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "xterm-256color"
        var cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in cEnvironment { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, "tmux", &actions, nil, &cArguments, &cEnvironment)
        guard spawned == 0 else { throw XCTSkip("cannot run tmux (error \(spawned))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    func screen() throws -> String { try tmux("capture-pane", "-t", session, "-p") }

    /// Polls the screen until `condition` holds; returns the screen.
    @discardableResult
    func waitForScreen(_ what: String, file: StaticString = #filePath, line: UInt = #line, _ condition: (String) -> Bool) throws -> String {
        var last = ""
        let reached = try waitUntil("\(what); the screen was:\n\(last)", file: file, line: line) {
            last = try screen()
            return condition(last)
        }
        guard reached else { throw WaitFailed() }
        return last
    }

    func keys(_ keys: String...) throws { try run(["send-keys", "-t", session] + keys) }
    func text(_ text: String) throws { try run(["send-keys", "-t", session, "-l", text]) }

    static func freePort() -> UInt16 { freeLoopbackPort() }

    override func tearDown() {
        _ = try? tmux("kill-server")
    }

    func testDemoEndToEnd() throws {
        guard (try? tmux("-V")).map({ $0.hasPrefix("tmux") }) == true else { throw XCTSkip("tmux is not installed (.ci/run installs it)") }
        let port = MonitorTmuxTests.freePort()
        let binary = StreamtopBinaryTests.executable.path
        try tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "32",
                 "env TERM=xterm-256color LANG=C.UTF-8 \(binary) demo --port \(port); echo \"EXITED $?\"; sleep 60")

        // Rows come alive: the quotes stream has bytes.
        var shown = try waitForScreen("the quotes stream to show bytes") { screen in
            screen.split(separator: "\n").contains { $0.contains("Market (stream)") && $0.contains("KiB") }
        }
        XCTAssertTrue(shown.contains("streamtop  9 streams"), shown)
        let directory = MonitorTmuxTests.demoDirectory(shown)
        XCTAssertNotNil(directory, shown)

        // Register a stream with keys: a hostile server that answers with escape sequences.
        try keys("a")
        try text("http://127.0.0.1:\(port)/sse/market?fault=escape")
        try keys("Tab")
        try text("Evil")
        try keys("Enter")
        shown = try waitForScreen("the new stream to fail") { $0.contains("registered Evil") || $0.contains("Evil failed") }
        try keys("/")
        try text("evil")
        try keys("Enter")
        shown = try waitForScreen("the filter to show only Evil") { $0.contains("(1 shown)") && $0.contains("› Evil") }
        try keys("Enter")
        shown = try waitForScreen("Evil's details with its sanitized error") { $0.contains("Last error      HTTP 500: ␛[31mred␛]0;pwned␇␛[2J gone") }
        XCTAssertFalse(shown.unicodeScalars.contains { $0.value == 0x1B }, "no escape sequence reached the terminal")
        XCTAssertNotEqual(try tmux("display-message", "-p", "-t", session, "#{pane_title}").trimmingCharacters(in: .whitespacesAndNewlines), "pwned")
        try keys("Escape")

        // Stop it and start it again.
        try keys("Space")
        try waitForScreen("Evil to stop") { $0.split(separator: "\n").contains { $0.contains("Evil") && $0.contains("stopped") } }
        try keys("Space")
        try waitForScreen("Evil to run again") { $0.split(separator: "\n").contains { $0.contains("Evil") && ($0.contains("failed") || $0.contains("connecting")) } }

        // Its log: every request and response.
        try keys("l")
        try waitForScreen("Evil's log pane") { $0.contains("log: Evil") && $0.contains("response status=500") }
        try keys("Escape", "Escape")
        try waitForScreen("the filter to clear") { !$0.contains("shown)") && $0.contains("Market (poll)") }

        // The demo serves the control API as `run` does: `status` is live.
        if let directory {
            let status = try StreamtopBinaryTests.run(["status", "--state-dir", directory + "/state"])
            XCTAssertEqual(status.status, 0)
            XCTAssertTrue(status.output.hasPrefix("live from the streamtop running since"), status.output)
        }

        // A script adds a stream to the running demo's registry: it shows up and runs.
        if let directory {
            let add = Process()
            add.executableURL = StreamtopBinaryTests.executable
            add.arguments = ["add", "http://127.0.0.1:\(port)/sse/weather", "--name", "Added", "--start", "--config", directory + "/streams.json"]
            add.standardOutput = FileHandle.nullDevice
            try add.run()
            add.waitUntilExit()
            XCTAssertEqual(add.terminationStatus, 0)
            try waitForScreen("the added stream to run") { screen in
                screen.contains("registry changed: added added") && screen.contains("streamtop  11 streams")
                    && screen.split(separator: "\n").contains { $0.contains("Added") && $0.contains("open") }
            }
        }

        // A narrower window: the layout follows, nothing wraps.
        try tmux("resize-window", "-t", session, "-x", "70", "-y", "20")
        shown = try waitForScreen("the layout at 70 columns") { screen in
            var lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.last?.isEmpty == true { lines.removeLast() }
            return lines.count == 20 && lines.allSatisfy { $0.count <= 70 } && lines[2].contains("NAME") && !lines[2].contains("MEAN")
        }

        // Quit: streams are running, so it asks; then the terminal is restored.
        try keys("q")
        try waitForScreen("the quit question") { $0.contains("they stop when streamtop quits") }
        try keys("y")
        shown = try waitForScreen("streamtop to exit") { $0.contains("EXITED 0") }
        // The header the monitor showed last (11 streams once a script added one) is gone.
        XCTAssertFalse(shown.contains("streamtop  1"), "the alternate screen is gone: the terminal is back as it was")
        XCTAssertFalse(shown.contains(" streams "), shown)
        if let directory { XCTAssertFalse(FileManager.default.fileExists(atPath: directory), "the demo removed its files") }
    }

    /// The demo's directory, from its greeting (`demo: state in DIR/state, removed on quit; …`).
    static func demoDirectory(_ screen: String) -> String? {
        let words = screen.split(separator: " ")
        guard let word = words.first(where: { $0.contains("streamtop-demo-") }) else { return nil }
        let state = word.trimmingCharacters(in: CharacterSet(charactersIn: ","))
        return state.hasSuffix("/state") ? String(state.dropLast("/state".count)) : state
    }

    /// The process tmux runs in the pane's shell: the demo.
    func demoPID() throws -> pid_t? {
        let shell = try tmux("display-message", "-p", "-t", session, "#{pane_pid}").trimmingCharacters(in: .whitespacesAndNewlines)
        let children = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
        return children.split(separator: " ").first.flatMap { pid_t($0) }
    }

    /// SIGTERM and SIGHUP (an SSH session dropped) end the monitor cleanly: the terminal is
    /// restored, the engine stopped and the demo's files removed.
    /// status.json cannot be written (a directory sits where it goes): the status line says so
    /// once, and says when it is written again.
    func testAStatusFileThatCannotBeWrittenIsSaidAndItsEndToo() throws {
        guard (try? tmux("-V")).map({ $0.hasPrefix("tmux") }) == true else { throw XCTSkip("tmux is not installed (.ci/run installs it)") }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-tmux-status-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home + "/state/status.json", withIntermediateDirectories: true)
        try Data(#"{"streams":[]}"#.utf8).write(to: URL(fileURLWithPath: home + "/streams.json"))
        let binary = StreamtopBinaryTests.executable.path
        try tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "20",
                 "env TERM=xterm-256color LANG=C.UTF-8 \(binary) run --config \(home)/streams.json --state-dir \(home)/state; sleep 60")
        try waitForScreen("the failure in the status line") { $0.contains("cannot replace \(home)/state/status.json: Is a directory") }
        try FileManager.default.removeItem(atPath: home + "/state/status.json")
        try waitForScreen("the recovery in the status line") { $0.contains("status.json is written again") }
        XCTAssertTrue(FileManager.default.fileExists(atPath: home + "/state/status.json"))
        try keys("q")
    }

    func testSignalsRestoreTheTerminalAndRemoveTheDemo() throws {
        guard (try? tmux("-V")).map({ $0.hasPrefix("tmux") }) == true else { throw XCTSkip("tmux is not installed (.ci/run installs it)") }
        let binary = StreamtopBinaryTests.executable.path
        for signal in [SIGTERM, SIGHUP] {
            try tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30",
                     "env TERM=xterm-256color LANG=C.UTF-8 \(binary) demo --port \(MonitorTmuxTests.freePort()); echo \"EXITED $?\"; sleep 60")
            let shown = try waitForScreen("the demo to start") { $0.contains("streamtop-demo-") && $0.contains("Market (stream)") }
            let directory = MonitorTmuxTests.demoDirectory(shown)
            let pid = try XCTUnwrap(try demoPID())
            XCTAssertEqual(kill(pid, signal), 0)
            let after = try waitForScreen("streamtop to end on signal \(signal)") { $0.contains("EXITED") }
            XCTAssertFalse(after.contains("Market (stream)"), "the alternate screen is gone")
            if let directory {
                waitUntil("signal \(signal): the demo to remove its files") { !FileManager.default.fileExists(atPath: directory) }
            }
            try tmux("kill-session", "-t", session)
        }
    }
}

struct WaitFailed: Error {}
