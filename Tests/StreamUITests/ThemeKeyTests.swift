@testable import StreamUI
import XCTest

/// `t`: the next theme, round the list; with only one theme it says so instead of nothing.
final class ThemeKeyTests: MonitorTestCase {
    func testTCyclesThroughEveryTheme() {
        var changes: [String] = []
        controller.onThemeChange = { changes.append($0) }
        controller.themeNames = ["default", "light", "mono"]
        controller.setTheme("light")
        press(.character("t"), .character("t"), .character("t"))
        XCTAssertEqual(changes, ["mono", "default", "light"])
        XCTAssertEqual(controller.state.themeName, "light")
    }

    func testTWithOneThemeSaysSo() {
        var changes: [String] = []
        controller.onThemeChange = { changes.append($0) }
        controller.themeNames = ["default"]
        press(.character("t"))
        XCTAssertEqual(changes, [])
        XCTAssertEqual(
            controller.state.status?.text, "only the theme default; more go in ~/.config/streamtop/themes/NAME.theme")
        XCTAssertTrue(render().text.joined(separator: "\n").contains("only the theme default"))
    }
}
