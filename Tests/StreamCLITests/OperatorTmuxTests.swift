import Foundation
import TestSupport
import XCTest

/// The operator's views in the real binary at 80×24, in tmux: the columns that matter, the
/// incident's length and error count, the group view, the frozen display and help that scrolls.
extension MonitorTmuxTests {
    func testOperatorViewsAtEightyByTwentyFour() throws {
        try requireTmux()
        try startDemo("TERM=xterm-256color LANG=C.UTF-8", rows: 24, columns: 80)
        func lines(_ screen: String) -> [Substring] { screen.split(separator: "\n", omittingEmptySubsequences: false) }
        var shown = try waitForScreen("the demo's rows with their mode letter") { screen in
            lines(screen).contains { $0.contains("Market (stream)") && $0.contains(" s open") }
        }
        let all = lines(shown)
        XCTAssertTrue(all[2].contains("M STATE") && all[2].contains("ERR") && all[2].contains("SAVED"), String(all[2]))
        XCTAssertTrue(all[23].hasSuffix("? Help  q Quit"), String(all[23]))
        XCTAssertTrue(all.allSatisfy { $0.count <= 80 })
        // The flaky stream's outage: how long it has lasted, and its errors counted.
        let incident = #"failed \d+s +[1-9]"#
        shown = try waitForScreen("the flaky stream's incident") { screen in
            lines(screen).contains {
                $0.contains("Flaky scores") && $0.range(of: incident, options: .regularExpression) != nil
            }
        }

        // Groups side by side; Enter shows a group's streams, Esc all of them.
        try keys("g")
        shown = try waitForScreen("the group view") {
            $0.contains("GROUP (stream / poller)") && $0.contains("market (")
        }
        try keys("Enter")
        shown = try waitForScreen("the market group's streams") {
            $0.contains("(2 shown)") && $0.contains("group market")
        }
        try keys("Escape")
        try waitForScreen("every stream again") { !$0.contains("shown)") && $0.contains("Weather (poll)") }

        // Frozen, then live again.
        try keys("Z")
        try waitForScreen("the frozen marker") { $0.contains("FROZEN (Z resumes)") }
        try keys("Z")
        try waitForScreen("the marker gone") { !$0.contains("FROZEN") }

        // Help scrolls to its end and closes with any other key.
        try keys("?")
        try waitForScreen("help") { $0.contains("Help:") && $0.contains("Keys") }
        try keys("End")
        try waitForScreen("help's last lines") { $0.contains("changes the poller missed") }
        try keys("x")
        try waitForScreen("help closed") { !$0.contains("Help:") && $0.contains("NAME") }
        try keys("q")
        try waitForScreen("the quit question") { $0.contains("they stop when streamtop quits") }
        try keys("y")
        try waitForScreen("streamtop to exit") { $0.contains("EXITED 0") }
    }
}
