import Foundation
import StreamCore
@testable import StreamService
import XCTest

/// The served page without a browser: what untrusted names become, and a policy that allows
/// exactly the page's own script and style.
final class ServedPageTests: XCTestCase {
    static let hostile = #"</script><script>alert(1)</script><img src=x onerror='alert(2)'>"&amp;"#

    func page(id: String = "quotes", name: String = "Quotes") -> String {
        String(decoding: ServedPage.html(streamID: id, name: name), as: UTF8.self)
    }

    /// The text between the first `open` and the `close` after it.
    func between(_ open: String, _ close: String, in html: String) throws -> String {
        let start = try XCTUnwrap(html.range(of: open), "no \(open)")
        let end = try XCTUnwrap(html.range(of: close, range: start.upperBound..<html.endIndex), "no \(close)")
        return String(html[start.upperBound..<end.lowerBound])
    }

    /// The text of the first `<tag>` element.
    func element(_ tag: String, in html: String) throws -> String {
        try between("<\(tag)>", "</\(tag)>", in: html)
    }

    func testEscapingForHTML() {
        XCTAssertEqual(
            HTMLText.escape(#"<a href="x">&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;")
        XCTAssertEqual(HTMLText.escape("tab\tline\nnul\u{0}esc\u{1B}del\u{7F}c1\u{85}"),
                       "tab\tline\nnul\u{FFFD}esc\u{FFFD}del\u{FFFD}c1\u{FFFD}")
        XCTAssertEqual(HTMLText.escape("Ünïcödé 株価 🚀 e\u{301}"), "Ünïcödé 株価 🚀 e\u{301}")
        XCTAssertEqual(HTMLText.escape(""), "")
    }

    func testUntrustedNamesAppearOnlyEscapedAndNeverInTheScript() throws {
        let html = page(id: Self.hostile + "/id", name: Self.hostile)
        let escaped = HTMLText.escape(Self.hostile)
        XCTAssertEqual(try element("title", in: html), "\(escaped) · streamtop")
        XCTAssertEqual(try between(#"<h1 id="name">"#, "</h1>", in: html), escaped)
        XCTAssertEqual(try between(#"<code id="stream-id">"#, "</code>", in: html), escaped + "/id")
        XCTAssertFalse(html.contains("alert(1)</script>"))
        XCTAssertFalse(html.contains("<img"))
        // One script: the constant one, which holds nothing of either.
        XCTAssertEqual(html.components(separatedBy: "<script").count, 2)
        XCTAssertEqual(html.components(separatedBy: "</script>").count, 2)
        XCTAssertEqual(try element("script", in: html), ServedPage.script)
        // An empty name shows the id.
        XCTAssertEqual(try element("title", in: page(id: "a<b", name: "")), "a&lt;b · streamtop")
    }

    func testThePolicyAllowsExactlyThePagesOwnScriptAndStyle() throws {
        let html = page()
        let policy = ServedPage.contentSecurityPolicy
        for tag in ["script", "style"] {
            let inline = try element(tag, in: html)
            let hash = "'sha256-" + Data(SHA256.hash(Array(inline.utf8))).base64EncodedString() + "'"
            XCTAssertTrue(policy.contains("\(tag)-src \(hash);"), "\(tag): \(hash) not in \(policy)")
        }
        for directive in ["default-src 'none'", "connect-src 'self'", "img-src data:", "base-uri 'none'"] {
            XCTAssertTrue(policy.contains(directive), directive)
        }
        XCTAssertFalse(policy.contains("unsafe"))
        XCTAssertTrue(ServedPage.script.unicodeScalars.allSatisfy(\.isASCII), "one encoding for its hash")
        XCTAssertFalse(ServedPage.script.contains("</"), "nothing in it could end the element")
        let headers = Dictionary(uniqueKeysWithValues: ServedPage.headers.map { ($0.name, $0.value) })
        XCTAssertEqual(headers["Content-Type"], "text/html; charset=utf-8")
        XCTAssertEqual(headers["Content-Security-Policy"], policy)
        XCTAssertEqual(headers["X-Content-Type-Options"], "nosniff")
        let response = ServedPage.response(streamID: "quotes", name: "Quotes")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, ServedPage.html(streamID: "quotes", name: "Quotes"))
    }

    /// The page fetches nothing: no `src=` or `href=` but the `data:` icon, and its stream is
    /// found relative to the page (`sse` next to `view`), behind any prefix.
    func testThePageNamesNoOtherResource() {
        let html = page()
        XCTAssertEqual(html.components(separatedBy: "src=").count, 1)
        XCTAssertEqual(html.components(separatedBy: "href=").count, 2)
        XCTAssertTrue(html.contains(#"<link rel="icon" href="data:,">"#))
        XCTAssertTrue(ServedPage.script.contains(#"new EventSource("sse")"#))
        XCTAssertFalse(ServedPage.script.contains("innerHTML"))
        XCTAssertFalse(ServedPage.script.contains("http"))
    }
}
