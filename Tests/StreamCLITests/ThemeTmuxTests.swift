import Foundation
import TestSupport
import XCTest
@testable import StreamCore

/// Themes in a real terminal, with the binary copied out of the checkout.
extension MonitorTmuxTests {
    /// Run from elsewhere with a fresh home, a copy of the binary offers every shipped theme:
    /// `t` goes through them all, each loaded without a warning, and the choice is remembered.
    func testTGoesThroughEveryShippedThemeOfACopiedBinary() throws {
        guard (try? tmux("-V")).map({ $0.hasPrefix("tmux") }) == true else {
            throw XCTSkip("tmux is not installed (.ci/run installs it)")
        }
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamtop-tmux-themes-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let home = root + "/home", elsewhere = root + "/elsewhere", copy = root + "/bin/streamtop"
        for directory in [home, elsewhere, root + "/bin"] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(atPath: StreamtopBinaryTests.executable.path, toPath: copy)
        try Data(#"{"streams":[]}"#.utf8).write(to: URL(fileURLWithPath: home + "/streams.json"))
        let command = "cd \(elsewhere) && env -u XDG_CONFIG_HOME HOME=\(home) TERM=xterm-256color LANG=C.UTF-8 "
            + "\(copy) run --config \(home)/streams.json --state-dir \(home)/state; echo \"EXITED $?\"; sleep 60"
        try tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "20", command)
        try waitForScreen("the monitor") { $0.contains("0 streams from \(home)/streams.json") }
        for name in ["high-contrast", "light", "mono", "solarized-dark", "default"] {
            try keys("t")
            try waitForScreen("theme \(name)") { $0.contains("theme \(name) (t: next)") }
            waitUntil("ui.json to remember \(name)") {
                let bytes = FileManager.default.contents(atPath: home + "/ui.json").map { Array($0) } ?? []
                return (try? JSONParser.parse(bytes))?["theme"]?.stringValue == name
            }
        }
        try keys("q")
        try waitForScreen("streamtop to exit") { $0.contains("EXITED 0") }
    }
}
