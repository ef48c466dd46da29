@testable import StreamUI
import XCTest

/// What comes after an ESC that ncurses did not match: the sequences terminals and
/// multiplexers send for keys and the mouse, whatever TERM's terminfo says.
final class EscapeSequenceTests: XCTestCase {
    /// Feeds `text` (what follows the ESC) a scalar at a time, as the terminal reads it: every
    /// prefix must ask for more, and the whole must decode.
    func decode(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> EscapeSequence {
        let scalars = Array(text.unicodeScalars)
        for end in 0..<scalars.count {
            let partial = EscapeSequence.decode(Array(scalars[..<end]))
            XCTAssertEqual(partial, .incomplete, "after \(end) of \(text.debugDescription)", file: file, line: line)
        }
        return EscapeSequence.decode(scalars)
    }

    func testHomeEndAndThePagesInEveryCommonForm() {
        let forms: [(String, Key)] = [
            // tmux and screen (whatever TERM the pane has), the VT220, the Linux console.
            ("[1~", .home), ("[4~", .end), ("[5~", .pageUp), ("[6~", .pageDown),
            // xterm, in the cursor keys' normal and application modes.
            ("[H", .home), ("[F", .end), ("OH", .home), ("OF", .end),
            // rxvt.
            ("[7~", .home), ("[8~", .end),
            // With a modifier (Ctrl-End, Shift-PgDn): the key still does what it does.
            ("[1;5F", .end), ("[1;2H", .home), ("[6;2~", .pageDown), ("[3~", .delete),
            ("[A", .up), ("[B", .down), ("[C", .right), ("[D", .left), ("OA", .up), ("[1;5B", .down),
            ("[Z", .backTab),
        ]
        for (text, key) in forms { XCTAssertEqual(decode(text), .key(key), text) }
    }

    func testF1ToF10() {
        let forms: [(String, Int)] = [
            ("OP", 1), ("OQ", 2), ("OR", 3), ("OS", 4),
            ("[11~", 1), ("[12~", 2), ("[13~", 3), ("[14~", 4), ("[15~", 5),
            ("[17~", 6), ("[18~", 7), ("[19~", 8), ("[20~", 9), ("[21~", 10), ("[23~", 11), ("[24~", 12),
            ("[[A", 1), ("[[B", 2), ("[[C", 3), ("[[D", 4), ("[[E", 5),  // the Linux console
            ("[1;2P", 1), ("O5Q", 2), ("[15;5~", 5),
        ]
        for (text, number) in forms { XCTAssertEqual(decode(text), .key(.function(number)), text) }
    }

    func testTheKeypadInApplicationModeTypesItsCharacters() {
        XCTAssertEqual(decode("Op"), .key(.character("0")))
        XCTAssertEqual(decode("Oy"), .key(.character("9")))
        XCTAssertEqual(decode("Ok"), .key(.character("+")))
        XCTAssertEqual(decode("On"), .key(.character(".")))
        XCTAssertEqual(decode("OM"), .key(.enter))
    }

    /// ESC then anything but `[` or `O` is Esc, and what followed is a key of its own; ESC
    /// alone asks for one more read (the terminal answers none within no wait: Esc).
    func testALoneEscIsEsc() {
        XCTAssertEqual(EscapeSequence.decode([]), .incomplete)
        XCTAssertEqual(EscapeSequence.decode(["x"]), .escape)
        XCTAssertEqual(EscapeSequence.decode(["\u{1B}"]), .escape)
        XCTAssertEqual(EscapeSequence.decode(["/"]), .escape)
    }

    /// Sequences that mean nothing here are dropped whole: none of them is typed as text.
    func testUnknownSequencesAreDroppedWhole() {
        for text in ["[I", "[O", "[2~", "[99~", "[?1;2c", "[200~", "OX", "[1:2A", "[38;5;1m"] {
            XCTAssertEqual(decode(text), .ignored, text)
        }
        let endless = ["["] + Array(repeating: Unicode.Scalar("1"), count: EscapeSequence.longest)
        XCTAssertEqual(EscapeSequence.decode(endless), .ignored, "a runaway sequence ends")
    }

    /// A scalar that cannot continue the sequence (another ESC, a control character) ends it:
    /// the sequence is dropped and that scalar is read again.
    func testABrokenSequenceGivesBackItsLastScalar() {
        XCTAssertEqual(EscapeSequence.decode(["[", "1", "\u{1B}"]), .broken)
        XCTAssertEqual(EscapeSequence.decode(["O", "\u{1B}"]), .broken)
        XCTAssertEqual(EscapeSequence.decode(["[", "[", "x"]), .broken)
        XCTAssertEqual(EscapeSequence.decode(["[", "1", "\u{7}"]), .broken)
    }

    func testSGRMouseReports() {
        XCTAssertEqual(decode("[<0;5;3M"), .mouse(MouseEvent(.press, row: 2, column: 4)))
        XCTAssertEqual(decode("[<0;5;3m"), .ignored, "a release does nothing")
        XCTAssertEqual(decode("[<64;10;7M"), .mouse(MouseEvent(.wheelUp, row: 6, column: 9)))
        XCTAssertEqual(decode("[<65;10;7M"), .mouse(MouseEvent(.wheelDown, row: 6, column: 9)))
        XCTAssertEqual(decode("[<16;5;3M"), .mouse(MouseEvent(.press, row: 2, column: 4)), "Ctrl-click is a click")
        XCTAssertEqual(decode("[<2;5;3M"), .ignored, "the right button")
        XCTAssertEqual(decode("[<32;5;3M"), .ignored, "a drag")
        XCTAssertEqual(decode("[<0;5M"), .ignored, "a report cut short")
        XCTAssertEqual(decode("[<0;300;120M"), .mouse(MouseEvent(.press, row: 119, column: 299)))
    }

    func testX10MouseReports() {
        // ESC [ M, then the button, column and row, each plus 32 (the column and row from 1).
        XCTAssertEqual(decode("[M %%"), .mouse(MouseEvent(.press, row: 4, column: 4)))
        XCTAssertEqual(decode("[M#%%"), .ignored, "a release")
        XCTAssertEqual(decode("[Ma!!"), .mouse(MouseEvent(.wheelDown, row: 0, column: 0)))
        XCTAssertEqual(decode("[M` \""), .ignored, "a report outside the screen (column 0)")
    }
}
