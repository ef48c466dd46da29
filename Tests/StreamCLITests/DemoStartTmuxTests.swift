import Foundation
import XCTest

/// Input in the demo's first instants: its streams start all the same.
extension MonitorTmuxTests {
    /// Starts the demo and returns at once, before it has drawn anything. `again`: in the pane
    /// of the demo that ended last (a new session could reach a tmux server still exiting).
    func launchDemo(again: Bool) throws {
        let binary = StreamtopBinaryTests.executable.path
        let command = "env TERM=xterm-256color LANG=C.UTF-8 \(binary) demo --port \(MonitorTmuxTests.freePort()); "
            + "echo \"EXITED $?\"; sleep 60"
        if again {
            try tmux("respawn-pane", "-k", "-t", session, command)
        } else {
            try tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "12", command)
        }
    }

    /// Every one of the demo's nine streams has left `idle` (the header counts them by state).
    func waitForTheStreamsToRun(_ what: String) throws {
        try waitForScreen("\(what): the nine streams to run") { screen in
            let header = screen.split(separator: "\n").first ?? ""
            return header.contains("9 streams") && !header.contains(" idle")
        }
    }

    func quitDemo(_ what: String) throws {
        try keys("q")
        let asked = try waitForScreen("\(what): the quit question") {
            $0.contains("they stop when streamtop quits") || $0.contains("EXITED")
        }
        if !asked.contains("EXITED") { try keys("y") }
        try waitForScreen("\(what): the demo to end") { $0.contains("EXITED 0") }
    }

    /// Keys and a click sent as the demo starts, and a click the moment its first frame shows:
    /// its streams run all the same (they once stayed idle for good, see the closing note of
    /// 2026-12-03). STREAMTOP_RACE_RUNS=30 loops it more.
    func testInputAsTheDemoStartsLeavesItsStreamsRunning() throws {
        try requireTmux()
        let runs = ProcessInfo.processInfo.environment["STREAMTOP_RACE_RUNS"].flatMap { Int($0) } ?? 2
        for run in 0..<runs {
            try launchDemo(again: run > 0)
            try keys("j", "k", "j")
            try raw("\u{1B}[<0;11;6M\u{1B}[<0;11;6m")
            try waitForTheStreamsToRun("run \(run), input at once")
            try quitDemo("run \(run), input at once")

            try launchDemo(again: true)
            try waitForScreen("run \(run): the first frame") { $0.contains("Market (stream)") }
            try raw("\u{1B}[<0;11;6M\u{1B}[<0;11;6m")
            try keys("j")
            try waitForTheStreamsToRun("run \(run), input on the first frame")
            try quitDemo("run \(run), input on the first frame")
        }
    }
}
