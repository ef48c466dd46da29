import Foundation
import HTTPServer
import StreamCore
import StreamService
import TestSupport
import XCTest

/// The served page in headless Chromium (Debian's `chromium`; `.ci/run` installs it, and only
/// without it do these tests skip): a stream driven event by event from the test, the page's
/// document compared as JSON after each one; untrusted names shown as text; nothing fetched but
/// the page and its stream; the page's patch applier against the public conformance suites.
final class ServedPageBrowserTests: XCTestCase {
    var browser: Chromium?

    override func tearDown() {
        browser?.close()
        browser = nil
    }

    func launch() throws -> Chromium {
        let launched = try Chromium.launch()
        browser = launched
        return launched
    }

    /// Waits until the page's `window.streamtop.document` is `expected` (JSON equality).
    func waitForDocument(
        _ expected: JSONValue, on page: ChromiumPage, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        var seen: JSONValue?
        try waitUntil("the page's document is \(JSONWriter.string(expected)); it was \(String(describing: seen))",
                      file: file, line: line) {
            seen = try page.evaluateJSON("window.streamtop.document")
            return seen == expected
        }
    }

    func value(_ expression: String, on page: ChromiumPage) throws -> JSONValue? {
        try page.evaluateJSON(expression)
    }

    /// Every operation, pointers with escapes and "-", nested arrays, members named like
    /// Object's own; after each patch the page's document equals StreamCore's for the same patch.
    static let patches: [JSONValue] = [
        [["op": "add", "path": "/tags/-", "value": "new"], ["op": "add", "path": "/tags/0", "value": "first"]],
        [["op": "replace", "path": "/prices/1/last", "value": 21.25], ["op": "add", "path": "/matrix/1/2", "value": 5]],
        [["op": "remove", "path": "/meta/a~1b"], ["op": "replace", "path": "/meta/m~0n", "value": 3]],
        [
            ["op": "move", "from": "/prices/0", "path": "/prices/-"],
            ["op": "copy", "from": "/matrix/0", "path": "/matrix/-"],
        ],
        [
            ["op": "test", "path": "/meta/constructor", "value": "c"],
            ["op": "add", "path": "/meta/__proto__/y", "value": 2],
            ["op": "remove", "path": "/matrix/0/1"],  // the copy above was deep: /matrix/2 keeps its 2
            ["op": "test", "path": "/matrix/2", "value": [1, 2]],
            ["op": "move", "from": "/matrix/1", "path": "/matrix/0/0"],
        ],
        [
            ["op": "replace", "path": "", "value": .null],
            ["op": "add", "path": "", "value": ["list": [["deep": ["a": []]]]]],
            ["op": "add", "path": "/list/0/deep/a/0", "value": "x"],
            ["op": "copy", "from": "/list/0", "path": "/list/1"],
            ["op": "replace", "path": "/list/1/deep/a", "value": true],
        ],
    ]

    func testThePageFollowsSnapshotsAndEveryKindOfPatch() throws {
        let server = try PageServer(name: "Quotes")
        let page = try launch().open(server.viewURL(id: "quotes"))
        try server.waitForStreamRequest(1)
        XCTAssertEqual(try value("window.streamtop.state", on: page), "connecting", "not answered yet")
        let first = try server.openStream(1)
        XCTAssertNil(first.request.header("last-event-id"))

        var document: JSONValue = [
            "name": "quotes",
            "prices": [["symbol": "ACME", "last": 10.5], ["symbol": "INIT", "last": 20]],
            "meta": ["a/b": 1, "m~n": 2, "__proto__": ["x": 1], "constructor": "c"],
            "matrix": [[1, 2], [3, 4]],
            "tags": [],
        ]
        server.send("data", id: 1, document, on: first.stream)
        try waitForDocument(document, on: page)
        XCTAssertEqual(try value("window.streamtop.state", on: page), "open")
        XCTAssertEqual(try value("window.streamtop.version", on: page), "1")

        var version = 1
        for patch in Self.patches {
            version += 1
            server.send("patch", id: version, patch, on: first.stream)
            try document.apply(JSONPatch(json: patch))
            try waitForDocument(document, on: page)
            if version == 4 {
                XCTAssertEqual(document["meta"], ["m~n": 3, "__proto__": ["x": 1], "constructor": "c"])
            }
            if version == 6 {
                XCTAssertEqual(document["matrix"], [[[3, 4, 5], 1], [1, 2]])
                XCTAssertEqual(document["meta"]?["__proto__"], ["x": 1, "y": 2])
            }
        }
        XCTAssertEqual(document, ["list": [["deep": ["a": ["x"]]], ["deep": ["a": true]]]])
        XCTAssertEqual(try value("window.streamtop.patches", on: page), 6)
        XCTAssertEqual(try value("window.streamtop.errors", on: page), 0)
        XCTAssertEqual(try value("window.streamtop.version", on: page), "7")

        // A patch whose last operation fails changes nothing, not even its first operation.
        let failing: JSONValue = [
            ["op": "replace", "path": "/list", "value": "gone"],
            ["op": "test", "path": "/list/1/deep/a", "value": false],
        ]
        server.send("patch", id: 8, failing, on: first.stream)
        try waitUntil("the page counts the error") { try value("window.streamtop.errors", on: page) == 1 }
        XCTAssertEqual(try page.evaluateJSON("window.streamtop.document"), document)
        XCTAssertEqual(try value("window.streamtop.stale", on: page), true)
        let error = try XCTUnwrap(value("window.streamtop.error", on: page)?.stringValue)
        XCTAssertTrue(error.hasPrefix("patch 8: operation 1: "), error)
        XCTAssertEqual(try value("document.getElementById('error').hidden", on: page), false)

        // It asks afresh, without Last-Event-ID, for a fresh snapshot; "reconnecting" until then.
        try server.waitForStreamRequest(2)
        XCTAssertEqual(try value("window.streamtop.state", on: page), "reconnecting")
        let second = try server.openStream(2)
        XCTAssertNil(second.request.header("last-event-id"))
        document = ["name": "quotes", "prices": [], "note": "resynchronised"]
        server.send("data", id: 100, document, on: second.stream)
        try waitForDocument(document, on: page)
        XCTAssertEqual(try value("window.streamtop.stale", on: page), false)
        XCTAssertEqual(try value("window.streamtop.state", on: page), "open")

        // A dropped connection: EventSource comes back by itself with Last-Event-ID, and the
        // page says "reconnecting" for as long as the server leaves it unanswered.
        second.stream.finish()
        try server.waitForStreamRequest(3)
        XCTAssertEqual(try value("window.streamtop.state", on: page), "reconnecting")
        let third = try server.openStream(3)
        XCTAssertEqual(third.request.header("last-event-id"), "100")
        server.send("patch", id: 101, [["op": "add", "path": "/prices/-", "value": 1]], on: third.stream)
        try document.apply(JSONPatch(json: [["op": "add", "path": "/prices/-", "value": 1]]))
        try waitForDocument(document, on: page)
        XCTAssertEqual(try value("window.streamtop.state", on: page), "open")

        // The header shows what window.streamtop holds; the <pre> shows the document.
        let header = try value(
            "['state', 'version', 'patches', 'errors', 'bytes'].map((id) => document.getElementById(id).textContent)",
            on: page)
        XCTAssertEqual(header, ["open", "101", "7", "1", .string(HumanUnits.bytes(server.dataBytes))])
        XCTAssertEqual(try value("window.streamtop.bytes", on: page), .number(JSONNumber(server.dataBytes)))
        let shown = try XCTUnwrap(value("document.getElementById('document').textContent", on: page)?.stringValue)
        XCTAssertEqual(try JSONParser.parse(shown), document)
        XCTAssertEqual(try page.problems(), [])
    }

    func testUntrustedNamesAreTextAndTheStreamIsFoundNextToThePage() throws {
        let name = #"</script><img src=x onerror="window.pwned=1"><b>&amp;'</title>"#
        let id = #"a"b<c>&'d/e f"#
        let server = try PageServer(name: name)
        let page = try launch().open(server.viewURL(id: id))
        let (request, stream) = try server.openStream(1)
        XCTAssertEqual(request.pathSegments, ["v1", "streams", id, "sse"], "relative to the page's own URL")
        let document: JSONValue = ["<b>x</b>": "</pre><script>window.pwned=2</script><img src=y onerror=alert(1)>"]
        server.send("data", id: 1, document, on: stream)
        try waitForDocument(document, on: page)

        XCTAssertEqual(try value("document.getElementById('name').textContent", on: page), .string(name))
        XCTAssertEqual(try value("document.getElementById('stream-id').textContent", on: page), .string(id))
        XCTAssertEqual(try value("document.title", on: page), .string(name + " · streamtop"))
        let shown = try XCTUnwrap(value("document.getElementById('document').textContent", on: page)?.stringValue)
        XCTAssertEqual(try JSONParser.parse(shown), document)
        let markup = "[document.images.length, document.scripts.length, document.querySelectorAll('b').length, "
            + "document.getElementById('document').childElementCount, typeof window.pwned]"
        XCTAssertEqual(try value(markup, on: page), [0, 1, 0, 0, "undefined"])
        XCTAssertEqual(try page.problems(), [])
    }

    func testThePageFetchesNothingButItselfAndItsStream() throws {
        let server = try PageServer(name: "Weather")
        let url = server.viewURL(id: "weather")
        let page = try launch().open(url)
        let (_, stream) = try server.openStream(1)
        server.send("data", id: 1, ["temperature": 21.5], on: stream)
        try waitForDocument(["temperature": 21.5], on: page)

        XCTAssertEqual(try page.requestedURLs(), [url, server.base + "/v1/streams/weather/sse"])
        XCTAssertEqual(server.requests.map(\.target), ["/v1/streams/weather/view", "/v1/streams/weather/sse"])
        // Under its policy, the page's own script ran and its own style applied: the hashes match.
        let response = try XCTUnwrap(page.events("Network.responseReceived").first {
            $0["response"]?["url"]?.stringValue == url
        })
        XCTAssertEqual(
            response["response"]?["headers"]?["Content-Security-Policy"], .string(ServedPage.contentSecurityPolicy))
        XCTAssertEqual(try value("getComputedStyle(document.body).marginTop", on: page), "0px")
        XCTAssertEqual(try page.problems(), [], "no policy violation, no exception")
    }

    /// Refused with an error status, EventSource gives up: the page says "closed" and, 5 s
    /// later, starts afresh.
    func testARefusedStreamIsClosedAndTriedAgain() throws {
        let server = try PageServer(name: "Status")
        let page = try launch().open(server.viewURL(id: "status"))
        try server.refuseStream(1, status: 503)
        try server.waitForStreamRequest(2)
        XCTAssertEqual(try value("window.streamtop.state", on: page), "reconnecting")
        // What it said on its way, kept by the browser: nothing that a slow look could miss.
        try waitUntil("the page says what it went through") { try page.consoleMessages().count >= 2 }
        XCTAssertEqual(try page.consoleMessages(), ["streamtop: closed", "streamtop: reconnecting"])
        let (request, stream) = try server.openStream(2)
        XCTAssertNil(request.header("last-event-id"))
        server.send("data", id: 7, ["up": true], on: stream)
        try waitForDocument(["up": true], on: page)
        XCTAssertEqual(try value("[window.streamtop.state, window.streamtop.version]", on: page), ["open", "7"])
        XCTAssertEqual(try page.consoleMessages(), ["streamtop: closed", "streamtop: reconnecting", "streamtop: open"])
    }

    /// The page's applier (`window.streamtop.applyPatch`) against the public JSON Patch
    /// conformance suites StreamCore's applier passes: the same results and errors, and the
    /// document given is never changed (the page applies on a copy).
    func testThePagesApplierPassesTheConformanceSuites() throws {
        let server = try PageServer(name: "conformance")
        let page = try launch().open(server.viewURL(id: "conformance"))
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/json-patch")
        for (file, active) in [("tests.json", 92), ("spec_tests.json", 16)] {
            let text = try String(contentsOf: fixtures.appendingPathComponent(file), encoding: .utf8)
            let records = try XCTUnwrap(JSONParser.parse(text).arrayValue)
            let outcomes = try XCTUnwrap(page.evaluateJSON("""
                (\(text)).map((record) => {
                  if (record.disabled || !("doc" in record) || !("patch" in record)) return null;
                  const before = JSON.stringify(record.doc);
                  let outcome;
                  try {
                    outcome = { result: window.streamtop.applyPatch(record.doc, record.patch) };
                  } catch (error) {
                    outcome = { error: String(error.message) };
                  }
                  outcome.untouched = JSON.stringify(record.doc) === before;
                  return outcome;
                })
                """)?.arrayValue)
            XCTAssertEqual(outcomes.count, records.count)
            var checked = 0
            for (index, (record, outcome)) in zip(records, outcomes).enumerated() where outcome != .null {
                let name = "\(file)#\(index) \(record["comment"]?.stringValue ?? "")"
                XCTAssertEqual(outcome["untouched"], true, name)
                if let expected = record["expected"] {
                    XCTAssertEqual(outcome["result"], expected, "\(name): \(outcome)")
                } else if record["error"] != nil {
                    XCTAssertNotNil(outcome["error"], "\(name): expected an error, got \(outcome)")
                    XCTAssertNotEqual(outcome["error"], "", name)
                }
                checked += 1
            }
            XCTAssertEqual(checked, active, file)
        }
    }
}
