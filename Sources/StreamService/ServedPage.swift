import Foundation
import HTTPServer
import StreamCore

/// The page at `GET /v1/streams/{id}/view`: one served stream's live document in a browser.
///
/// One self-contained HTML page: its style and script are inline and nothing is fetched from
/// anywhere (no script, font, style or image); it opens `new EventSource("sse")`, relative to
/// itself, so it works on every listener and behind any path prefix. It keeps the document from
/// the `data` event, applies each `patch` event with a small RFC 6902 applier of its own (on a
/// copy: a patch that fails leaves the document as it was, is shown, and the page takes a fresh
/// connection without `Last-Event-ID` for a fresh snapshot), and shows it as indented JSON in a
/// `<pre>` (text, never markup), under a header with the stream's name, the connection's state
/// (connecting, open, reconnecting, or closed: refused with an error status, tried again every
/// 5 s), the version (the last event id), patches applied, bytes of event data received, and
/// when the document last changed.
/// `window.streamtop` holds the same live state for tests and the curious.
///
/// The stream's id and name are untrusted text: they appear only as HTML text, escaped, and
/// never inside the script, which is one constant; so the policy allows exactly that script and
/// that style by their SHA-256 hashes (`contentSecurityPolicy`) — no nonce, no `unsafe-inline`.
package enum ServedPage {
    /// The whole page for stream `streamID` called `name` (the id when the name is empty).
    package static func html(streamID: String, name: String) -> [UInt8] {
        let title = HTMLText.escape(name.isEmpty ? streamID : name)
        let page = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · streamtop</title>
            <link rel="icon" href="data:,">
            <style>\(style)</style>
            </head>
            <body>
            <header>
            <h1 id="name">\(title)</h1>
            <code id="stream-id">\(HTMLText.escape(streamID))</code>
            <dl>
            <div><dt>state</dt><dd id="state" data-state="connecting">connecting</dd></div>
            <div><dt>version</dt><dd id="version">–</dd></div>
            <div><dt>patches</dt><dd id="patches">0</dd></div>
            <div><dt>errors</dt><dd id="errors">0</dd></div>
            <div><dt>received</dt><dd id="bytes">0 B</dd></div>
            <div><dt>changed</dt><dd id="changed">–</dd></div>
            </dl>
            </header>
            <p id="error" role="alert" hidden></p>
            <pre id="document">waiting for the first snapshot…</pre>
            <script>\(script)</script>
            </body>
            </html>

            """
        return Array(page.utf8)
    }

    /// The response to `GET /v1/streams/{id}/view`, with `headers`.
    package static func response(streamID: String, name: String) -> HTTPServerResponse {
        HTTPServerResponse(status: 200, headers: headers, body: html(streamID: streamID, name: name))
    }

    /// The page's headers: its type, its policy, and no sniffing, referrer or stale copies.
    package static let headers: [(name: String, value: String)] = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Security-Policy", contentSecurityPolicy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-cache"),
    ]

    /// Nothing but the page's own script and style (by hash), the icon that is no icon (a
    /// `data:` URL, so the browser asks the server for no favicon), and connections to the
    /// page's own origin (the `EventSource`). No plugins, frames, forms or `<base>`.
    package static let contentSecurityPolicy =
        "default-src 'none'; script-src '\(sha256Source(script))'; style-src '\(sha256Source(style))'; "
        + "img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'"

    /// `sha256-` and the base64 of the text's SHA-256: a CSP hash source.
    static func sha256Source(_ text: String) -> String {
        "sha256-" + Data(SHA256.hash(Array(text.utf8))).base64EncodedString()
    }

}
