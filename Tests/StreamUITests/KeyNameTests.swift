@testable import StreamCore
@testable import StreamEngine
@testable import StreamUI
import XCTest

/// Help, the footer and the form name the keys in the glyphs of the locale: arrows with UTF-8,
/// words without (`LANG=C`, a serial console), never a `?` for a character the terminal lacks.
final class KeyNameTests: MonitorTestCase {
    func testWithoutUTF8TheKeysHaveASCIINames() {
        link.publish([stream("a")])
        _ = render(40, 100, glyphs: .ascii)
        press(.character("?"))
        let screen = render(40, 100, glyphs: .ascii), help = screen.text
        XCTAssertNotNil(row(containing: "Up k", in: screen), help.joined(separator: "\n"))
        XCTAssertNotNil(row(containing: "Down j", in: screen))
        XCTAssertNotNil(row(containing: "PgUp", in: screen))
        XCTAssertNotNil(row(containing: "Home", in: screen))
        XCTAssertNotNil(row(containing: "F1", in: screen))
        XCTAssertFalse(help.joined().unicodeScalars.contains { $0.value > 0x7E }, help.joined(separator: "\n"))

        // The form's hint names the arrows the same way.
        press(.escape, .character("a"))
        let formScreen = render(40, 100, glyphs: .ascii), form = formScreen.text
        let hint = row(containing: "Tab/Down next field, S-Tab/Up previous", in: formScreen)
        XCTAssertNotNil(hint, form.joined(separator: "\n"))
        XCTAssertFalse(form.joined().unicodeScalars.contains { $0.value > 0x7E }, form.joined(separator: "\n"))
    }

    func testWithUTF8TheArrowsAreDrawn() {
        link.publish([stream("a")])
        _ = render(40, 100)
        press(.character("?"))
        let screen = render(40, 100), help = screen.text
        XCTAssertNotNil(row(containing: "↑ k", in: screen), help.joined(separator: "\n"))
        XCTAssertNotNil(row(containing: "↓ j", in: screen))
    }

    func testEveryKeyHasAnASCIIName() {
        let keys: [Key] = [.up, .down, .left, .right, .pageUp, .pageDown, .home, .end, .enter, .escape, .backspace,
                           .tab, .backTab, .delete, .function(10), .character(" "), .character("q")]
        for key in keys {
            let label = key.label(.ascii)
            XCTAssertFalse(label.isEmpty)
            XCTAssertTrue(label.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value <= 0x7E }, label)
        }
        XCTAssertEqual([Key.up, .down, .left, .right].map { $0.label(.ascii) }, ["Up", "Down", "Left", "Right"])
        for context in [KeyContext.table, .detail, .log] {
            for entry in KeyMap.footer(for: context, glyphs: .ascii) {
                XCTAssertTrue(entry.key.unicodeScalars.allSatisfy { $0.value <= 0x7E }, entry.key)
            }
        }
    }

    /// In the log pane Home and End go to the oldest and newest entries, as g and G do.
    func testHomeAndEndInTheLogPane() {
        link.publish([stream("a")])
        link.log = logEntries(50)
        _ = render()
        press(.character("l"))
        _ = render(30, 100)
        press(.home)
        XCTAssertEqual(controller.state.logTop, 0)
        XCTAssertTrue(controller.state.logOpen)
        press(.end)
        XCTAssertNil(controller.state.logTop, "follows the newest again")
        XCTAssertTrue(controller.state.logOpen, "End does not close the log pane")
    }
}
