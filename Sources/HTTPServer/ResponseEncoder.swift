/// Response heads and whole responses as bytes. The server owns the framing: a handler's
/// `Content-Length`, `Transfer-Encoding` and `Connection` headers are replaced by its own, and
/// a header that would split the head (CR, LF or NUL in it, or a name that is not a token) is
/// left out rather than sent.
enum ResponseEncoder {
    /// A complete response. `omitBody`: the request was HEAD (the length is still the body's).
    static func response(_ response: HTTPServerResponse, keepAlive: Bool, omitBody: Bool) -> [UInt8] {
        let status = (200...999).contains(response.status) ? response.status : 500
        let bodiless = status == 204 || status == 304
        var text = statusLine(status) + headerLines(response.headers)
        if !bodiless { text += "Content-Length: \(response.body.count)\r\n" }
        text += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
        var bytes = Array(text.utf8)
        if !omitBody && !bodiless { bytes += response.body }
        return bytes
    }

    /// The head of a streamed response: no length, the connection closes when it ends.
    static func streamHead(status: Int, headers: [(name: String, value: String)]) -> [UInt8] {
        let status = (200...999).contains(status) ? status : 500
        return Array((statusLine(status) + headerLines(headers) + "Connection: close\r\n\r\n").utf8)
    }

    static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    private static func statusLine(_ status: Int) -> String {
        "HTTP/1.1 \(status) \(httpReason(status))\r\n"
    }

    private static let framingHeaders: Set<String> = ["content-length", "transfer-encoding", "connection", "keep-alive"]

    private static func headerLines(_ headers: [(name: String, value: String)]) -> String {
        var text = ""
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy(HeadParser.isTokenByte),
                !framingHeaders.contains(name.lowercased()),
                value.utf8.allSatisfy({ $0 != 13 && $0 != 10 && $0 != 0 })
            else { continue }
            text += "\(name): \(value)\r\n"
        }
        return text
    }
}
