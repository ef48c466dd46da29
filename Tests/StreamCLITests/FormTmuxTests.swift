import Foundation
import TestSupport
import XCTest
@testable import StreamCore

/// The edit form in a real terminal: Ctrl-R, Ctrl-U and the arrows arrive as keys.
extension MonitorTmuxTests {
    /// Credentials open masked and Ctrl-R shows and hides them; the path is edited with ←
    /// beside the masked token, which is kept; Ctrl-U clears the headers for new ones.
    func testTheEditFormMasksCredentialsAndEditsWithTheCursorKeys() throws {
        guard (try? tmux("-V")).map({ $0.hasPrefix("tmux") }) == true else {
            throw XCTSkip("tmux is not installed (.ci/run installs it)")
        }
        let home = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamtop-tmux-form-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let registry = #"{"streams": [{"id": "q", "name": "Quotes", "url": "http://127.0.0.1:9/q?token=t0k", "#
            + #""headers": {"Authorization": "Bearer s3cr3t"}}]}"#
        try Data(registry.utf8).write(to: URL(fileURLWithPath: home + "/streams.json"))
        let binary = StreamtopBinaryTests.executable.path
        try tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30",
                 "env TERM=xterm-256color LANG=C.UTF-8 \(binary) run --config \(home)/streams.json "
                    + "--state-dir \(home)/state; echo \"EXITED $?\"; sleep 60")
        try waitForScreen("the stream's row") { $0.contains("› Quotes") }

        try keys("e")
        // The table's detail line shows the masked URL too: wait for the form's own title, and
        // for its last field (tmux may capture a frame that is still being drawn).
        var shown = try waitForScreen("the masked edit form") {
            $0.contains("Edit q (Enter saves") && $0.contains("http://127.0.0.1:9/q?token=REDACTED")
                && $0.contains("Authorization:")
        }
        XCTAssertTrue(shown.contains("Authorization: Bearer REDACTED"), shown)
        XCTAssertFalse(shown.contains("t0k") || shown.contains("s3cr3t"), shown)
        try keys("C-r")
        shown = try waitForScreen("the credentials shown") {
            $0.contains("http://127.0.0.1:9/q?token=t0k") && $0.contains("Authorization:")
        }
        XCTAssertTrue(shown.contains("Authorization: Bearer s3cr3t"), shown)
        try keys("C-r")
        try waitForScreen("the credentials hidden again") { $0.contains("http://127.0.0.1:9/q?token=REDACTED") }

        for _ in 0..<"?token=REDACTED".count { try keys("Left") }
        try text("2")
        try waitForScreen("the path edited") { $0.contains("http://127.0.0.1:9/q2?token=REDACTED") }
        try keys("Tab", "Tab", "Tab", "Tab", "C-u")
        try waitForScreen("the headers cleared") { !$0.contains("Authorization") }
        try text("X-Trace: on")
        try keys("Enter")
        try waitForScreen("the stream saved") { $0.contains("saved Quotes") }
        let saved = try XCTUnwrap(try RegistryFile(path: home + "/streams.json").load().spec(id: "q"))
        XCTAssertEqual(saved.url, "http://127.0.0.1:9/q2?token=t0k")
        XCTAssertTrue(saved.headers.elementsEqual([("X-Trace", "on")]) { $0 == $1 }, "\(saved.headers)")
        try keys("q")
        try waitForScreen("streamtop to exit") { $0.contains("EXITED 0") }
    }
}
