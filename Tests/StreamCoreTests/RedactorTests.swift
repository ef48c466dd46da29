import XCTest
@testable import StreamCore

final class RedactorTests: XCTestCase {
    func testHeaders() {
        XCTAssertEqual(Redactor.header(name: "Authorization", value: "Bearer abc.def"), "Bearer REDACTED")
        XCTAssertEqual(Redactor.header(name: "authorization", value: "abc"), "REDACTED")
        XCTAssertEqual(Redactor.header(name: "Cookie", value: "sid=1; theme=dark"), "REDACTED")
        XCTAssertEqual(Redactor.header(name: "X-Api-Key", value: "k"), "REDACTED")
        XCTAssertEqual(Redactor.header(name: "X-Auth-Token", value: "t"), "REDACTED")
        XCTAssertEqual(Redactor.header(name: "Accept", value: "text/event-stream"), "text/event-stream")
    }

    func testURLs() {
        XCTAssertEqual(Redactor.url("https://api.example.com/q?symbol=ACME&token=abc&api_key=k#frag"),
                       "https://api.example.com/q?symbol=ACME&token=REDACTED&api_key=REDACTED#frag")
        XCTAssertEqual(Redactor.url("https://user:pa%40ss@host:8443/x?a=1"),
                       "https://REDACTED:REDACTED@host:8443/x?a=1")
        // A token is often the user name alone (GitHub, many APIs), or with an empty password.
        XCTAssertEqual(Redactor.url("https://ghp_TOKEN123@host/x"), "https://REDACTED@host/x")
        XCTAssertEqual(Redactor.url("https://sk_live_123:@host/x"), "https://REDACTED:@host/x")
        XCTAssertEqual(Redactor.url("https://host/x?next=a@b"), "https://host/x?next=a@b")
        XCTAssertEqual(Redactor.url("http://h/x?api%5Fkey=1&X-Amz-Signature=s&flag&page=2"),
                       "http://h/x?api%5Fkey=REDACTED&X-Amz-Signature=REDACTED&flag&page=2")
        XCTAssertEqual(Redactor.url("http://h/path"), "http://h/path")
        XCTAssertEqual(Redactor.url("http://h/?"), "http://h/?")
    }

    func testWebhooksShowOnlySchemeAndHost() {
        XCTAssertEqual(Redactor.webhook("https://hooks.slack.com/services/T000/B000/XXXX"), "https://hooks.slack.com/…")
        XCTAssertEqual(Redactor.webhook("https://ntfy.sh/my-secret-topic?auth=x"), "https://ntfy.sh/…")
        XCTAssertEqual(Redactor.webhook("http://user:pw@127.0.0.1:8080/hook"), "http://127.0.0.1:8080/…")
        XCTAssertEqual(Redactor.webhook("https://example.com"), "https://example.com")
        XCTAssertEqual(Redactor.webhook("not a url"), "REDACTED")
    }

    func testAScrubberReplacesTheSecretsAServerEchoes() {
        let scrubber = Redactor.Scrubber(secrets: ["s3cr3t/tok+en", "abc", "k3y-value"])
        XCTAssertEqual(scrubber.scrub("you sent Bearer s3cr3t/tok+en and k3y-value, k3y-value"),
                       "you sent Bearer REDACTED and REDACTED, REDACTED")
        XCTAssertEqual(scrubber.scrub(#"{"authorization":"Bearer s3cr3t\/tok+en"}"#),
                       #"{"authorization":"Bearer REDACTED"}"#, "as JSON escapes it")
        XCTAssertEqual(scrubber.scrub("GET /q?token=s3cr3t%2Ftok%2Ben"), "GET /q?token=REDACTED", "percent-encoded")
        XCTAssertEqual(scrubber.scrub("abc is too short to look for"), "abc is too short to look for")
        XCTAssertTrue(Redactor.Scrubber(secrets: ["abc"]).isEmpty)
        // An excerpt cut after the secret started still loses it whole.
        let body = Array((String(repeating: "x", count: 195) + "s3cr3t/tok+en tail").utf8)
        XCTAssertEqual(scrubber.excerpt(body.prefix(200 + scrubber.longest), limit: 200),
                       String(repeating: "x", count: 195) + "REDAC")
        XCTAssertEqual(scrubber.excerpt(Array("é".utf8) + [0x78], limit: 1), "", "cut at a character boundary")
    }

    func testAStreamKnowsItsSecrets() {
        let spec = StreamSpec(
            id: "s", name: "s", url: "https://us%65r:p%40ss@h/q?symbol=ACME&api_key=k%2Fey1&page=2",
            headers: [
                ("Authorization", "Bearer t0ken-1"), ("Cookie", "sid=c00kie; theme=dark"), ("Accept", "text/plain"),
            ])
        XCTAssertEqual(spec.secrets, [
            "Bearer t0ken-1", "t0ken-1", "sid=c00kie; theme=dark", "c00kie", "dark", "k%2Fey1", "k/ey1",
            "us%65r", "p%40ss", "user", "p@ss", "dXNlcjpwQHNz",
        ])
        XCTAssertEqual(StreamSpec.base64("a"), "YQ==")
        XCTAssertEqual(StreamSpec.base64("ab"), "YWI=")
        XCTAssertEqual(StreamSpec.base64("abc"), "YWJj")
    }

    /// A masked URL maps back piece by piece: what is still `REDACTED` is the registered value
    /// of the same piece, what was typed over stays typed, and the rest of the URL may change.
    func testMaskedURLPiecesAreRestoredOneByOne() {
        let registered = "https://us%65r:p%40ss@h/q?token=t1&symbol=ACME&token=t2&api_key=&x#frag"
        let shown = Redactor.url(registered)
        XCTAssertEqual(
            shown, "https://REDACTED:REDACTED@h/q?token=REDACTED&symbol=ACME&token=REDACTED&api_key=REDACTED&x#frag")
        XCTAssertEqual(Redactor.restoring(url: shown, from: registered), registered)
        let cases: [(String, String)] = [
            // The path and a plain parameter edited beside masked credentials.
            ("https://REDACTED:REDACTED@h/v2?token=REDACTED&symbol=XYZ&token=REDACTED",
             "https://us%65r:p%40ss@h/v2?token=t1&symbol=XYZ&token=t2"),
            // A new password, a new first token: typed values stay.
            ("https://REDACTED:n3w@h/q?token=fresh&token=REDACTED", "https://us%65r:n3w@h/q?token=fresh&token=t2"),
            ("https://plain/x", "https://plain/x"),
            // A user info or token the registered URL does not have stays as shown.
            ("https://h/q?token=REDACTED&token=REDACTED&token=REDACTED",
             "https://h/q?token=t1&token=t2&token=REDACTED"),
            ("https://REDACTED@h/q", "https://us%65r@h/q"),
            ("https://h/q?session=REDACTED", "https://h/q?session=REDACTED"),
        ]
        for (edited, expected) in cases {
            XCTAssertEqual(Redactor.restoring(url: edited, from: registered), expected, edited)
        }
    }

    /// The API's way back (`PUT` after `/settings`) keeps a token beside an edited path.
    func testKeepingSecretsRestoresTheURLPieceByPiece() {
        let registered = StreamSpec(
            id: "s", name: "s", url: "https://h/q?api_key=k3y&page=1", headers: [("Authorization", "Bearer t0k")])
        var edited = registered.redacted
        XCTAssertEqual(edited.url, "https://h/q?api_key=REDACTED&page=1")
        edited.url = "https://h/q?api_key=REDACTED&page=2"
        edited.name = "renamed"
        let kept = edited.keepingSecrets(of: registered)
        XCTAssertEqual(kept.url, "https://h/q?api_key=k3y&page=2")
        XCTAssertEqual(kept.headers.first?.value, "Bearer t0k")
        XCTAssertEqual(kept.name, "renamed")
    }
}
