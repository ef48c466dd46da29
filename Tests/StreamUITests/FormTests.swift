@testable import StreamCore
@testable import StreamEngine
@testable import StreamUI
import XCTest

/// The register/edit form on the in-memory screen: credentials masked until Ctrl-R, kept when
/// left masked, replaced when typed over; a cursor per field that moves, inserts and deletes
/// by character and shows as a reverse-video cell.
final class FormTests: MonitorTestCase {
    let secretURL = "https://alice:pw1@h.example/q?s=A&token=t0k"
    let maskedURL = "https://REDACTED:REDACTED@h.example/q?s=A&token=REDACTED"
    let secretHeaders: [(name: String, value: String)] = [("Authorization", "Bearer s3cr3t"), ("X-Trace", "on")]

    /// Opens the edit form on a registered stream whose URL and headers hold credentials.
    func editSecretStream(registered: StreamSpec? = nil) -> StreamSpec {
        let spec = StreamSpec(id: "q", name: "Quotes", url: secretURL, headers: secretHeaders)
        link.specs["q"] = registered ?? spec
        link.publish([stream("q")])
        _ = render()
        press(.character("e"))
        return spec
    }

    var form: StreamForm? {
        guard case .form(let form) = controller.state.overlay else { return nil }
        return form
    }

    /// Where a field's value starts on the screen: its label's row, 14 columns after the label.
    func valueStart(_ label: String, in screen: ScreenBuffer) -> (row: Int, column: Int)? {
        let characters = label.map(String.init)
        for row in 0..<screen.rows {
            for column in 0..<(screen.columns - characters.count) where characters.indices.allSatisfy({
                screen.text(row: row, column: column + $0) == characters[$0]
            }) {
                return (row, column + 14)
            }
        }
        return nil
    }

    /// The columns of `row` drawn in reverse video: the cursor.
    func cursorColumns(_ row: Int, in screen: ScreenBuffer) -> [Int] {
        (0..<screen.columns).filter { screen[row, $0].style.reverse }
    }

    func testTheEditFormMasksCredentialsUntilCtrlR() throws {
        let spec = editSecretStream()
        var screen = render(24, 80).text.joined(separator: "\n")
        XCTAssertTrue(screen.contains(maskedURL), screen)
        XCTAssertTrue(screen.contains("Authorization: Bearer REDACTED; X-Trace: on"), screen)
        for secret in ["alice", "pw1", "t0k", "s3cr3t"] { XCTAssertFalse(screen.contains(secret), secret) }
        XCTAssertTrue(screen.contains("^R shows credentials"), screen)
        XCTAssertTrue(screen.contains("← → Home End move, ^U clears"), screen)

        press(.control("r"))
        screen = render(24, 80).text.joined(separator: "\n")
        XCTAssertTrue(screen.contains(secretURL), screen)
        XCTAssertTrue(screen.contains("Authorization: Bearer s3cr3t; X-Trace: on"), screen)
        XCTAssertTrue(screen.contains("^R hides credentials"), screen)

        press(.control("r"))
        screen = render(24, 80).text.joined(separator: "\n")
        XCTAssertTrue(screen.contains(maskedURL), screen)
        for secret in ["alice", "pw1", "t0k", "s3cr3t"] { XCTAssertFalse(screen.contains(secret), secret) }

        press(.enter)
        XCTAssertEqual(controller.state.overlay, .none)
        XCTAssertEqual(link.commands, ["update q"])
        XCTAssertEqual(link.specs["q"], spec, "saved as shown, masked: every secret kept")
    }

    /// A masked piece left as shown keeps its secret though the text around it changed; one
    /// typed over (or cleared with Ctrl-U and typed again) is what was typed.
    func testMaskedPiecesLeftAsShownAreKeptAndTypedOnesReplaceThem() throws {
        _ = editSecretStream()
        // The path, edited beside the masked user info and token.
        for _ in 0..<"?s=A&token=REDACTED".count { press(.left) }
        type("2")
        XCTAssertEqual(form?.values[.url], "https://REDACTED:REDACTED@h.example/q2?s=A&token=REDACTED")
        // A new password, typed over the masked one.
        press(.home)
        for _ in 0..<"https://REDACTED:".count { press(.right) }
        for _ in 0..<"REDACTED".count { press(.delete) }
        type("n3w")
        // The headers: cleared and typed anew.
        press(.tab, .tab, .tab, .tab)
        XCTAssertEqual(form?.focus, .headers)
        press(.control("u"))
        XCTAssertEqual(form?.values[.headers], "")
        type("Authorization: Bearer fr3sh")

        // Shown, the form says what it stands for; hidden again, it still does.
        press(.control("r"))
        XCTAssertEqual(form?.values[.url], "https://alice:n3w@h.example/q2?s=A&token=t0k")
        XCTAssertEqual(form?.values[.headers], "Authorization: Bearer fr3sh")
        press(.control("r"))
        XCTAssertEqual(form?.values[.url], "https://REDACTED:REDACTED@h.example/q2?s=A&token=REDACTED")
        XCTAssertEqual(form?.values[.headers], "Authorization: Bearer REDACTED")

        press(.enter)
        XCTAssertEqual(link.specs["q"]?.url, "https://alice:n3w@h.example/q2?s=A&token=t0k")
        XCTAssertEqual(link.specs["q"]?.headers.map(\.value), ["Bearer fr3sh"])
    }

    /// Attached to an engine on another machine, the settings arrive masked: there is nothing
    /// to show, the form says so, and saving sends the masks back for the engine to keep.
    func testCredentialsMaskedByTheEngineCannotBeShown() throws {
        let spec = StreamSpec(id: "q", name: "Quotes", url: secretURL, headers: secretHeaders)
        _ = editSecretStream(registered: spec.redacted)
        press(.control("r"))
        let screen = render(24, 80).text.joined(separator: "\n")
        XCTAssertTrue(screen.contains("the engine keeps these credentials to itself: type new ones"), screen)
        XCTAssertEqual(form?.values[.url], maskedURL)
        XCTAssertEqual(form?.showsCredentials, false)
        press(.enter)
        XCTAssertEqual(link.specs["q"], spec.redacted, "the masks go back as they came")
    }

    /// A new stream's name, when left empty, is its URL's host and path: never the user info.
    func testANewStreamIsNeverNamedAfterItsCredentials() {
        _ = render()
        press(.character("a"))
        type("https://alice:pw1@h.example/q/?token=t0k")
        XCTAssertTrue(render(24, 80).text.joined().contains("^R hides credentials"), "typed text shows as typed")
        press(.control("r"))
        XCTAssertEqual(form?.values[.url], "https://REDACTED:REDACTED@h.example/q/?token=REDACTED")
        press(.enter)
        XCTAssertEqual(link.commands, ["add h-example-q https://alice:pw1@h.example/q/?token=t0k"])
        XCTAssertEqual(link.specs["h-example-q"]?.name, "h.example/q")
    }

    func testTheCursorMovesInsertsAndDeletesWhereItIs() throws {
        _ = render()
        press(.character("a"))
        type("https://example.com/x")
        var screen = render(24, 80)
        let url = try XCTUnwrap(valueStart("URL", in: screen))
        XCTAssertEqual(cursorColumns(url.row, in: screen), [url.column + 21], "after the text")

        press(.home)
        screen = render(24, 80)
        XCTAssertEqual(cursorColumns(url.row, in: screen), [url.column])
        XCTAssertEqual(screen.text(row: url.row, column: url.column), "h", "the character under the cursor")
        for _ in 0..<8 { press(.right) }
        type("api.")
        XCTAssertEqual(form?.values[.url], "https://api.example.com/x")
        XCTAssertEqual(form?.cursor(in: .url), 12)
        press(.delete)
        XCTAssertEqual(form?.values[.url], "https://api.xample.com/x")
        press(.backspace, .backspace)
        XCTAssertEqual(form?.values[.url], "https://apxample.com/x")
        XCTAssertEqual(form?.cursor(in: .url), 10)
        press(.end)
        press(.left, .left, .right)
        XCTAssertEqual(form?.cursor(in: .url), 21)
        press(.right, .right)
        XCTAssertEqual(form?.cursor(in: .url), 22, "not past the end")
        press(.home, .left, .backspace)
        XCTAssertEqual(form?.values[.url], "https://apxample.com/x", "nothing before the start")
        press(.control("u"))
        XCTAssertEqual(form?.values[.url], "")
        screen = render(24, 80)
        XCTAssertEqual(cursorColumns(url.row, in: screen), [url.column])

        // The mode is a choice: ← → and Space toggle it; it has no cursor.
        press(.tab, .tab)
        XCTAssertEqual(form?.focus, .mode)
        press(.right)
        XCTAssertEqual(form?.values[.mode], "poll")
        press(.left)
        XCTAssertEqual(form?.values[.mode], "sse")
        press(.character(" "), .home, .control("u"))
        XCTAssertEqual(form?.values[.mode], "poll")
        screen = render(24, 80)
        let mode = try XCTUnwrap(valueStart("Mode", in: screen))
        XCTAssertEqual(cursorColumns(mode.row, in: screen), [])
    }

    /// Wide characters take two columns, and the cursor cell covers both; a combining mark
    /// joins the letter before it, so the cursor moves over the two as one.
    func testTheCursorMovesByCharacterAndDrawsByDisplayWidth() throws {
        _ = render()
        press(.character("a"), .tab)
        type("東京🚀x")
        press(.left, .left)
        var screen = render(24, 80)
        let name = try XCTUnwrap(valueStart("Name", in: screen))
        XCTAssertEqual(screen.text(row: name.row, column: name.column + 4), "🚀")
        XCTAssertEqual(cursorColumns(name.row, in: screen), [name.column + 4, name.column + 5])
        press(.backspace)
        XCTAssertEqual(form?.values[.name], "東🚀x")
        screen = render(24, 80)
        XCTAssertEqual(cursorColumns(name.row, in: screen), [name.column + 2, name.column + 3])
        press(.end)
        type("e\u{301}")
        XCTAssertEqual(form?.values[.name], "東🚀xé")
        XCTAssertEqual(form?.cursor(in: .name), 4)
        press(.left, .delete)
        XCTAssertEqual(form?.values[.name], "東🚀x", "the accented letter goes whole")
        screen = render(24, 80)
        XCTAssertEqual(cursorColumns(name.row, in: screen), [name.column + 5])
    }

    /// A value wider than its room scrolls to keep the cursor in view: the start after Home,
    /// the end after End, the cursor mid-field in between.
    func testALongValueScrollsToKeepTheCursorInView() throws {
        _ = render()
        press(.character("a"))
        let url = "https://h.example/" + (0..<20).map { "seg\($0)" }.joined(separator: "/")
        type(url)
        var screen = render(24, 80)
        let start = try XCTUnwrap(valueStart("URL", in: screen))
        let line = { (screen: ScreenBuffer) in screen.line(start.row) }
        XCTAssertTrue(line(screen).contains("seg18/seg19 "), line(screen))
        XCTAssertFalse(line(screen).contains("https://"))
        let end = try XCTUnwrap(cursorColumns(start.row, in: screen).first)

        press(.home)
        screen = render(24, 80)
        XCTAssertTrue(line(screen).contains(" https://h.example/seg0/"), line(screen))
        XCTAssertEqual(cursorColumns(start.row, in: screen), [start.column])

        for _ in 0..<60 { press(.right) }
        screen = render(24, 80)
        let middle = try XCTUnwrap(cursorColumns(start.row, in: screen).first)
        XCTAssertTrue(middle > start.column && middle < end, "\(middle)")
        let under = Array(url)[60]
        XCTAssertEqual(screen.text(row: start.row, column: middle), String(under))
    }
}

/// The form's last field marks a poll stream as served; Space toggles it, and an SSE stream
/// cannot be served (the problem shows under the field).
final class ServeFieldTests: MonitorTestCase {
    func testTheServeFieldTogglesAndOnlyAPollStreamIsServed() throws {
        let spec = StreamSpec(id: "m", name: "Market", url: "http://127.0.0.1:1/poll/market", mode: .poll, interval: 5)
        link.specs["m"] = spec
        link.publish([stream("m")])
        _ = render()
        press(.character("e"))
        for _ in 0..<StreamForm.Field.serve.rawValue { press(.tab) }
        press(.character(" "))
        guard case .form(let form) = controller.state.overlay else { return XCTFail("the form is open") }
        XCTAssertEqual(form.values[.serve], "yes")
        XCTAssertTrue(render(30, 100).text.contains { $0.contains("Space: publish it as SSE + patches (poll)") })
        press(.enter)
        XCTAssertEqual(link.specs["m"]?.serve, true)

        var sse = spec
        sse.mode = .sse
        link.specs["m"] = sse
        press(.character("e"))
        for _ in 0..<StreamForm.Field.serve.rawValue { press(.tab) }
        press(.character(" "))
        press(.enter)
        guard case .form(let refused) = controller.state.overlay else { return XCTFail("the form stays open") }
        XCTAssertEqual(refused.problem?.field, .serve)
        XCTAssertEqual(link.specs["m"]?.serve, false)
    }
}
