@testable import StreamCore
@testable import StreamEngine
@testable import StreamUI
import XCTest

/// Help, the register/edit form and its validation, confirmations, the log pane, and alerts.
final class DialogAndAlertTests: MonitorTestCase {
    func testHelpListsEveryKeyOfTheKeyMap() {
        link.publish([stream("a")])
        _ = render(40, 100)
        press(.character("?"))
        // Help is longer than a screen: read it page by page.
        var screen = ""
        var page = render(40, 100).text
        while true {
            screen += page.joined(separator: "\n")
            press(.pageDown)
            let next = render(40, 100).text
            if next == page { break }
            page = next
        }
        for binding in KeyMap.bindings { XCTAssertTrue(screen.contains(binding.help), binding.help) }
        press(.character("x"))
        XCTAssertEqual(controller.state.overlay, .none, "any key closes help")
        press(.function(1))
        XCTAssertEqual(controller.state.overlay, .help)
    }

    func testRegisterFormValidatesAndRegisters() {
        _ = render()
        press(.character("a"))
        type("ftp://example.com/x")
        press(.enter)
        var screen = render(30, 100).text.joined(separator: "\n")
        XCTAssertTrue(screen.contains("url: must start with http:// or https://"), screen)
        guard case .form(var form) = controller.state.overlay else { return XCTFail("the form stays open") }
        XCTAssertEqual(form.focus, .url)
        for _ in 0..<"ftp://example.com/x".count { press(.backspace) }
        type("https://api.example.com/quotes?token=abc")
        press(.tab, .tab)          // to Mode
        press(.character(" "))     // poll
        press(.tab)                // Interval
        press(.backspace, .backspace)
        type("abc")
        press(.enter)
        screen = render(30, 100).text.joined(separator: "\n")
        XCTAssertTrue(screen.contains("interval: must be a whole number of seconds"), screen)
        press(.backspace, .backspace, .backspace)
        type("0")
        press(.enter)
        screen = render(30, 100).text.joined(separator: "\n")
        XCTAssertTrue(screen.contains("interval: must be between 1 and 86400 seconds"), screen)
        press(.backspace)
        type("15")
        press(.tab)                // Headers
        type("Authorization Bearer x")
        press(.enter)
        guard case .form(let withProblem) = controller.state.overlay else { return XCTFail() }
        XCTAssertEqual(withProblem.problem?.field, .headers)
        for _ in 0..<"Authorization Bearer x".count { press(.backspace) }
        type("Authorization: Bearer x")
        press(.enter)
        XCTAssertEqual(controller.state.overlay, .none)
        XCTAssertEqual(link.commands, ["add api-example-com-quotes https://api.example.com/quotes?token=abc"])
        let spec = link.specs["api-example-com-quotes"]!
        XCTAssertEqual(spec.mode, .poll)
        XCTAssertEqual(spec.interval, 15)
        XCTAssertEqual(spec.headers.first?.value, "Bearer x")
        XCTAssertTrue(spec.autostart)
        XCTAssertEqual(controller.state.status?.text, "registered api.example.com/quotes")

        // Editing fills the form with the spec and saves through update.
        link.publish([stream("api-example-com-quotes", mode: .poll)])
        _ = render()
        press(.character("e"))
        guard case .form(let editing) = controller.state.overlay else { return XCTFail() }
        XCTAssertEqual(editing.values[.headers], "Authorization: Bearer REDACTED", "credentials are never shown")
        form = editing
        press(.tab, .tab, .tab, .tab, .tab)  // Group
        type("quotes")
        press(.enter)
        XCTAssertEqual(link.commands.last, "update api-example-com-quotes")
        XCTAssertEqual(link.specs["api-example-com-quotes"]?.group, "quotes")
        XCTAssertEqual(link.specs["api-example-com-quotes"]?.headers.first?.value, "Bearer x", "a redacted value left as shown is kept")
        _ = form
    }

    /// Header values may hold `;` (a cookie of two pairs): a part that does not start with a
    /// header name continues the value before it. A credential typed anew replaces the old one.
    func testHeaderValuesWithSemicolonsAndRedactedCredentials() throws {
        let base = StreamSpec(id: "c", name: "c", url: "https://h/x",
                              headers: [("Cookie", "a=1; b=2"), ("X-Api-Key", "k3y"), ("X-Trace", "on")])
        var form = StreamForm.editing(base)
        XCTAssertEqual(form.values[.headers], "Cookie: REDACTED; X-Api-Key: REDACTED; X-Trace: on")
        var spec = try XCTUnwrap(form.spec(base: base) { $0 })
        XCTAssertTrue(spec.headers.elementsEqual(base.headers) { $0 == $1 }, "\(spec.headers)")
        form.values[.headers] = "Cookie: c=3; d=4; X-Api-Key: new-key; X-Trace: on"
        spec = try XCTUnwrap(form.spec(base: base) { $0 })
        XCTAssertEqual(spec.headers.map(\.name), ["Cookie", "X-Api-Key", "X-Trace"])
        XCTAssertEqual(spec.headers.map(\.value), ["c=3; d=4", "new-key", "on"])
        form.values[.headers] = "oops; X-Trace: on"
        XCTAssertNil(form.spec(base: base) { $0 })
        XCTAssertEqual(form.problem?.message, "headers: 'oops' needs 'Name: value'")
    }

    func testDeleteAndQuitAskFirst() {
        link.publish([stream("a"), stream("b", state: .stopped)])
        _ = render()
        press(.character("d"))
        XCTAssertTrue(render().text.joined().contains("Delete A? Its log and archive stay on disk."))
        press(.character("n"))
        XCTAssertEqual(link.commands, [])
        press(.character("d"), .character("y"))
        XCTAssertEqual(link.commands, ["remove a"])

        XCTAssertEqual(controller.handle(.character("q")), .redraw, "a stream is running: ask")
        XCTAssertTrue(render().text.joined().contains("1 stream is running; they stop when streamtop quits. Quit?"))
        XCTAssertEqual(controller.handle(.character("n")), .redraw)
        _ = controller.handle(.character("q"))
        XCTAssertEqual(controller.handle(.character("y")), .quit)
        link.publish([stream("b", state: .stopped)])
        _ = render()
        XCTAssertEqual(controller.handle(.character("q")), .quit, "nothing running: quit at once")
    }

    func testStartStopRestartGoToTheEngine() {
        link.publish([stream("a"), stream("b", state: .stopped)])
        _ = render()
        press(.character(" "), .down, .character(" "), .character("r"))
        XCTAssertEqual(link.commands, ["stop a", "start b", "restart b"])
    }

    /// The log is read back from disk when the stream published since the last read, not
    /// on every frame and key.
    func testTheLogPaneReadsTheLogOnlyWhenTheStreamPublished() {
        link.publish([stream("a")])
        link.log = [LogEntry(time: UTCTime(secondsSinceEpoch: 0), kind: "event", fields: ["id": "1"])]
        _ = render()
        press(.character("l"))
        _ = render(30, 100)
        settle()
        press(.up, .down)
        _ = render(30, 100)
        settle()
        XCTAssertEqual(link.logReads, 1)
        link.log.append(LogEntry(time: UTCTime(secondsSinceEpoch: 1), kind: "event", fields: ["id": "2"]))
        var published = stream("a")
        published.version += 1
        link.publish([published])
        _ = render(30, 100)
        settle()
        let screen = render(30, 100)
        XCTAssertEqual(link.logReads, 2)
        XCTAssertNotNil(row(containing: "id=\"2\"", in: screen))
    }

    func testLogPaneFollowsScrollsAndSearches() {
        link.publish([stream("a")])
        link.log = (0..<50).map { LogEntry(time: UTCTime(secondsSinceEpoch: Double($0)), level: $0 == 7 ? .error : .info, kind: "event", fields: ["id": .string("\($0)"), "excerpt": .string($0 == 7 ? "boom \u{1B}[2J" : "ok")]) }
        _ = render()
        press(.character("l"))
        settle()
        var screen = render(30, 100)
        XCTAssertNotNil(row(containing: "log: A", in: screen))
        XCTAssertNotNil(row(containing: "id=\"49\"", in: screen), "follows the newest")
        press(.character("g"))
        screen = render(30, 100)
        XCTAssertNotNil(row(containing: "00:00:00 info  event id=\"0\"", in: screen))
        press(.character("/"))
        type("boom")
        press(.enter)
        screen = render(30, 100)
        let found = row(containing: "boom ␛[2J", in: screen)
        XCTAssertNotNil(found, screen.text.joined(separator: "\n"))
        XCTAssertEqual(screen[found!, 0].style.role, .logError)
        press(.character("G"))
        XCTAssertNil(controller.state.logTop)
        press(.escape)
        XCTAssertFalse(controller.state.logOpen)
    }

    func testABrokenStreamRingsOncePerIncidentAndRecoveryClearsIt() {
        link.publish([stream("a")])
        _ = render()
        XCTAssertFalse(controller.bellPending)
        link.publish([stream("a", state: .failed(nextAttempt: time.now() + .seconds(1), attempt: 1), lastError: "HTTP 503: simulated outage")])
        _ = render()
        XCTAssertTrue(controller.bellPending)
        XCTAssertEqual(controller.state.status?.text, "A failed: HTTP 503: simulated outage")
        controller.bellPending = false
        // Retrying and failing again is the same incident: no second bell.
        link.publish([stream("a", state: .connecting(attempt: 2), lastError: "HTTP 503: simulated outage", broken: true)])
        _ = render()
        link.publish([stream("a", state: .stalled(nextAttempt: time.now(), attempt: 2), lastError: "stalled")])
        let screen = render()
        XCTAssertFalse(controller.bellPending)
        XCTAssertEqual(screen[3, 2].style.role, .selectedFG)
        link.publish([stream("a")])
        _ = render()
        XCTAssertEqual(controller.state.status?.text, "A recovered")
        XCTAssertFalse(controller.bellPending)
        // The engine's alert after the threshold is shown too.
        link.alertEvents = [AlertEvent(sequence: 1, stream: "a", message: "a is failed since 12:00", recovered: false)]
        _ = render()
        XCTAssertEqual(controller.state.status?.text, "a is failed since 12:00")
    }

    /// While the disk budget removes old files the header says so, in a few columns; the
    /// engine's alert goes to the status line like any other.
    func testTheHeaderSaysWhileTheDiskBudgetPrunes() {
        link.publish([stream("a")])
        var disk = DiskStatus(budget: 10 << 30, used: 3 << 30)
        link.disk = disk
        XCTAssertFalse(render().text[0].contains("disk"), "nothing to say while within the budget")
        disk.pruning = true
        disk.used = (10 << 30) - (100 << 20)
        link.disk = disk
        let alert = "disk budget (10.0 GiB) reached: removing the oldest archive parts and rotated logs"
        link.alertEvents = [AlertEvent(sequence: 1, stream: "", message: alert, recovered: false)]
        link.publish([stream("a")])
        let screen = render()
        let header = screen.text[0]
        XCTAssertEqual(header.trimmingCharacters(in: .whitespaces),
                       "streamtop  1 stream  1 open  disk pruning: 9.9 GiB of 10.0 GiB")
        let column = header.distance(from: header.startIndex, to: header.range(of: "disk")!.lowerBound)
        XCTAssertEqual(screen[0, column].style.role, .logWarn)
        XCTAssertEqual(controller.state.status?.text, alert)
        XCTAssertTrue(render(20, 60).text[0].hasPrefix("streamtop  1 stream  1 open  disk pruning"), "60 columns")
    }

    func testDetailViewShowsSizesEventsAndTheFoldedDocument() {
        link.publish([stream("quotes", events: 30, size: 250)])
        link.log = [LogEntry(time: UTCTime(secondsSinceEpoch: 3_600), kind: "event", fields: ["type": "patch", "id": "29", "bytes": 250, "excerpt": "[{\"op\":\"replace\"}]"])]
        _ = render()
        press(.enter)
        settle()
        let screen = render(40, 100).text.joined(separator: "\n")
        XCTAssertTrue(screen.contains("Quotes  (quotes, sse)"), screen)
        XCTAssertTrue(screen.contains("Patch sizes     last 250 B  mean 250 B  p95 250 B  max 250 B"), screen)
        XCTAssertTrue(screen.contains("Last events"), screen)
        XCTAssertTrue(screen.contains("01:00:00 info  event type=\"patch\" id=\"29\" bytes=250"), screen)
        XCTAssertTrue(screen.contains("\"symbol\": \"ACME\""), screen)
        press(.escape)
        XCTAssertFalse(controller.state.showingDetail)
    }

    func testLargeDocumentsAreFolded() {
        let big: JSONValue = .array((0..<500).map { .number(JSONNumber($0)) })
        let lines = DocumentFolding.lines(["items": big, "deep": [[[[[[[[[["x"]]]]]]]]]]])
        XCTAssertTrue(lines.contains { $0.contains("\"… 480 more items\"") }, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains { $0.contains("[… 1 items]") || $0.contains("[… ") }, lines.joined(separator: "\n"))
        XCTAssertLessThan(lines.count, 60)
    }
}
