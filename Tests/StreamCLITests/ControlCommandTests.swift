import Foundation
import TestSupport
import XCTest
@testable import StreamCLI
@testable import StreamCore
import StreamEngine

#if canImport(Glibc)
import Glibc
#endif

/// `start`, `stop`, `restart`, `logs` and `document` with no streamtop running: the registry,
/// the log files, and errors that say a running streamtop is needed; their usage errors.
final class ControlCommandTests: TemporaryHomeTestCase {
    var registryPath: String { home + "/config/streamtop/streams.json" }
    var stateDirectory: String { home + "/.local/state/streamtop" }

    override func setUpWithError() throws {
        try super.setUpWithError()
        XCTAssertEqual(run(["add", "http://127.0.0.1:9/sse/quotes", "--name", "quotes"]).status, 0)
        XCTAssertEqual(run(["add", "http://127.0.0.1:9/sse/quotes", "--name", "later"]).status, 0)
    }

    func autostart(_ id: String) throws -> Bool? {
        try RegistryFile(path: registryPath).load().spec(id: id)?.autostart
    }

    func testStartAndStopWithoutAnEngineMarkTheRegistryForTheNextRun() throws {
        let started = run(["start", "quotes", "later", "quotes"])
        XCTAssertEqual(started.status, 0, started.err)
        XCTAssertEqual(started.out, """
            no streamtop is running the streams of \(stateDirectory) now
            quotes will start with the next 'streamtop run'
            later will start with the next 'streamtop run'

            """)
        XCTAssertEqual(try autostart("quotes"), true)
        XCTAssertEqual(try autostart("later"), true)

        // An unknown id is named; the others are still done.
        let stopped = run(["stop", "nope", "later"])
        XCTAssertEqual(stopped.status, 1)
        XCTAssertEqual(stopped.err, "streamtop: no stream 'nope' is registered (see 'streamtop list')\n")
        XCTAssertEqual(stopped.out, """
            no streamtop is running the streams of \(stateDirectory) now
            later will stay stopped with the next 'streamtop run'

            """)
        XCTAssertEqual(try autostart("later"), false)
        XCTAssertEqual(try autostart("quotes"), true)

        // --config and --state-dir as the other commands take them.
        let elsewhere = home + "/elsewhere.json"
        XCTAssertEqual(run(["add", "http://h/x", "--name", "x", "--config", elsewhere]).status, 0)
        let other = run(["start", "x", "--config", elsewhere, "--state-dir", home + "/state"])
        XCTAssertEqual(other.status, 0, other.err)
        XCTAssertEqual(other.out.split(separator: "\n").first.map(String.init),
                       "no streamtop is running the streams of \(home!)/state now")
        XCTAssertEqual(try RegistryFile(path: elsewhere).load().spec(id: "x")?.autostart, true)
    }

    /// A streamtop that holds the state directory but does not answer (hung, or not serving
    /// yet) is said, and nothing is done to the files behind its back.
    func testAStreamtopThatDoesNotAnswerIsSaidAndNothingChanges() throws {
        let lock = try StateDirectoryLock(stateDirectory: stateDirectory)
        defer { withExtendedLifetime(lock) {} }
        // Its socket is there (it is not starting up) but nobody answers on it.
        XCTAssertTrue(FileManager.default.createFile(atPath: stateDirectory + "/streamtop.sock", contents: nil))
        let expected = "streamtop: streamtop (pid \(getpid())) runs the streams of \(stateDirectory) but does not "
            + "answer on \(stateDirectory)/streamtop.sock"
        for arguments in [["stop", "quotes"], ["start", "quotes"], ["remove", "later"]] {
            let result = run(arguments)
            XCTAssertEqual(result.status, 1, "\(arguments)")
            XCTAssertEqual(result.err, expected + "; nothing was changed\n", "\(arguments)")
        }
        let document = run(["document", "x"])
        XCTAssertEqual(document.status, 1)
        XCTAssertEqual(document.err, expected + "\n")
        XCTAssertEqual(try autostart("quotes"), false, "untouched")
        XCTAssertNotNil(try RegistryFile(path: registryPath).load().spec(id: "later"))
    }

    func testRestartAndDocumentNeedARunningStreamtop() {
        let restarted = run(["restart", "quotes"])
        XCTAssertEqual(restarted.status, 1)
        XCTAssertEqual(restarted.out, "")
        XCTAssertEqual(restarted.err, "streamtop: no streamtop is running the streams of \(stateDirectory): "
                       + "there is nothing to restart ('streamtop start' marks streams to start with the next "
                       + "'streamtop run')\n")
        let document = run(["document", "quotes", "--state-dir", home + "/state"])
        XCTAssertEqual(document.status, 1)
        XCTAssertEqual(document.out, "")
        XCTAssertEqual(document.err, "streamtop: no streamtop is running the streams of \(home!)/state: documents "
                       + "live only in a running streamtop (start one with 'streamtop run --headless')\n")
    }

    /// The log files, as readable lines (escape sequences shown, never sent) or as they are.
    func testLogsWithoutAnEngineReadTheLogFiles() throws {
        let logs = stateDirectory + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        // The rotated file holds the older entries; a torn last line is skipped.
        try (ControlCommandTests.entry(0) + ControlCommandTests.entry(1)).write(
            toFile: logs + "/quotes.jsonl.1", atomically: false, encoding: .utf8)
        try (ControlCommandTests.entry(2) + #"{"time":"2026-12-01T10:00:03.000Z","level":"inf"#)
            .write(toFile: logs + "/quotes.jsonl", atomically: false, encoding: .utf8)

        let shown = run(["logs", "quotes"])
        XCTAssertEqual(shown.status, 0, shown.err)
        XCTAssertEqual(shown.out, """
            2026-12-01T10:00:00.000Z info  connect attempt=1 lastEventId=null
            2026-12-01T10:00:01.000Z warn  close reason="HTTP 500 \u{241B}[2J" status=500
            2026-12-01T10:00:02.000Z info  event type="data" bytes=42 changed=true

            """)
        let last = run(["logs", "quotes", "-n", "2", "--jsonl"])
        XCTAssertEqual(last.out, ControlCommandTests.entry(1) + ControlCommandTests.entry(2))
        XCTAssertEqual(run(["logs", "quotes", "--lines=1"]).out.split(separator: "\n").count, 1)
        XCTAssertEqual(run(["logs", "quotes", "-n", "0"]).out, "")

        // Registered, never run: nothing to show. A stream removed keeps its log.
        let never = run(["logs", "later"])
        XCTAssertEqual([String(never.status), never.out, never.err], ["0", "", ""])
        XCTAssertEqual(run(["remove", "quotes"]).status, 0)
        XCTAssertEqual(run(["logs", "quotes", "-n", "1"]).out.split(separator: "\n").count, 1)

        let unknown = run(["logs", "nope"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.err, "streamtop: no stream 'nope' is registered (see 'streamtop list')\n")
        XCTAssertEqual(run(["logs", "../config/streamtop/streams"]).status, 1)
    }

    /// `logs -f` with no streamtop: the file's last entries, then its lines as they are
    /// written, on to the new file when it is rotated, until SIGINT.
    func testLogsFollowWithoutAnEngineReadsTheFileAsItGrows() throws {
        let logs = stateDirectory + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        try ControlCommandTests.entry(0).write(toFile: logs + "/quotes.jsonl", atomically: false, encoding: .utf8)
        let process = Process()
        process.executableURL = StreamtopBinaryTests.executable
        process.arguments = ["logs", "quotes", "-f", "--config", registryPath, "--state-dir", stateDirectory]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let collector = PipeCollector(output)
        waitUntil("the last entry") { collector.text.contains(" connect attempt=1 ") }

        let file = try XCTUnwrap(FileHandle(forWritingAtPath: logs + "/quotes.jsonl"))
        file.seekToEndOfFile()
        file.write(Data(ControlCommandTests.entry(1).utf8))
        try file.close()
        waitUntil("the line written to the file") { collector.text.contains(" close reason=") }
        XCTAssertEqual(rename(logs + "/quotes.jsonl", logs + "/quotes.jsonl.1"), 0)
        try ControlCommandTests.entry(2).write(toFile: logs + "/quotes.jsonl", atomically: false, encoding: .utf8)
        waitUntil("the line of the file that replaced it") { collector.text.contains(" event type=") }

        process.interrupt()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        waitUntil("the end of the output") { collector.isEnded }
        XCTAssertEqual(collector.text.split(separator: "\n").count, 3, collector.text)
    }

    static func entry(_ index: Int) -> String {
        let time = #"{"time":"2026-12-01T10:00:0\#(index).000Z","#
        switch index {
        case 0: return time + #""level":"info","kind":"connect","attempt":1,"lastEventId":null}"# + "\n"
        case 1: return time + #""level":"warn","kind":"close","reason":"HTTP 500 \u001b[2J","status":500}"# + "\n"
        default: return time + #""level":"info","kind":"event","type":"data","bytes":42,"changed":true}"# + "\n"
        }
    }

    func testMistakesAreUsageErrors() {
        let cases: [([String], String)] = [
            (["start"], "missing <id>: name the streams to start (see 'streamtop list')"),
            (["stop", "--now", "quotes"], "unknown option '--now'"),
            (["restart"], "missing <id>: name the streams to restart (see 'streamtop list')"),
            (["logs"], "missing <id>: see 'streamtop list'"),
            (["logs", "a", "b"], "unexpected argument 'b': logs shows one stream"),
            (["logs", "a", "-n", "many"], "-n takes a whole number from 0 to 1000, not 'many'"),
            (["logs", "a", "-n", "1001"], "-n takes a whole number from 0 to 1000, not '1001'"),
            (["logs", "a", "-n"], "option '-n' needs a value"),
            (["logs", "a", "--jsnol"], "unknown option '--jsnol'; did you mean '--jsonl'?"),
            (["document"], "missing <id>: see 'streamtop list'"),
            (["document", "a", "b"], "unexpected argument 'b': document shows one stream"),
            (["document", "a", "--prety"], "unknown option '--prety'; did you mean '--pretty'?"),
            (["status", "--state-dri", "x"], "unknown option '--state-dri'; did you mean '--state-dir'?"),
        ]
        for (arguments, message) in cases {
            let result = run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertEqual(result.out, "", "\(arguments)")
            XCTAssertEqual(result.err, "streamtop: \(message)\nRun 'streamtop \(arguments[0]) --help' for usage.\n")
        }
        for command in ["start", "stop", "restart", "logs", "document"] {
            let help = run([command, "--help"])
            XCTAssertEqual(help.status, 0)
            XCTAssertTrue(help.out.hasPrefix("USAGE: streamtop \(command) <id>"), help.out)
            XCTAssertTrue(run(["--help"]).out.contains("\n  \(command.padding(to: 10))"), command)
        }
    }
}
