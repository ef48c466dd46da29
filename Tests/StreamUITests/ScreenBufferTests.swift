import Foundation
@testable import StreamUI
import XCTest

/// The in-memory screen itself: widths, edges, combining marks, overwriting wide characters.
final class ScreenBufferTests: XCTestCase {
    override func setUp() {
        setlocale(LC_ALL, "C.UTF-8")
    }

    func testWideCharactersTakeTwoCellsAndNeverSpillOverTheEdge() {
        var screen = ScreenBuffer(rows: 2, columns: 5)
        XCTAssertEqual(screen.write("a株b", row: 0, column: 0), 4)
        XCTAssertEqual(screen.line(0), "a株b ")
        XCTAssertTrue(screen[0, 2].continuation)
        // Two columns left at 3 and 4 for "株株": the second does not fit and becomes a space.
        XCTAssertEqual(screen.write("株株", row: 1, column: 2), 5)
        XCTAssertEqual(screen.line(1), "  株 ")
        // Writing over half of a wide character blanks the other half.
        screen.write("x", row: 0, column: 2)
        XCTAssertEqual(screen.line(0), "a xb ")
    }

    func testCombiningMarksStayWithTheirCharacter() {
        var screen = ScreenBuffer(rows: 1, columns: 6)
        screen.write("cafe\u{301}!", row: 0, column: 0)
        XCTAssertEqual(screen.line(0), "caf\u{65}\u{301}! ")
        XCTAssertEqual(screen.text(row: 0, column: 3), "e\u{301}")
        screen.write("x", row: 0, column: 3)
        XCTAssertEqual(screen.text(row: 0, column: 3), "x", "overwriting drops the old marks")
        screen.write("e\u{301}", row: 0, column: 0)
        screen.clear()
        XCTAssertEqual(screen.line(0), "      ")
        XCTAssertTrue(screen.marks.isEmpty)
    }

    func testUnprintableTextShowsTheReplacement() {
        var screen = ScreenBuffer(rows: 1, columns: 4)
        screen.write("a\u{7}b", row: 0, column: 0)
        XCTAssertEqual(screen.line(0), "a?b ")
    }
}
