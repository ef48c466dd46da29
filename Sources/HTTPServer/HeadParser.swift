/// Parses and checks a complete request head (RFC 9112): the request line, the header lines,
/// and what they say about the body and the connection. Strict where leniency lets two
/// parsers disagree (request smuggling): bare CR or LF, folded lines, space before a colon,
/// conflicting lengths, a length beside chunked coding.
enum HeadParser {
    /// `head`: the head without its final blank line.
    static func parse(_ head: ArraySlice<UInt8>, limits: HTTPServer.Limits) throws(HTTPFailure) -> RequestHead {
        let lines = try splitLines(head)
        guard let requestLine = lines.first, !requestLine.isEmpty else {
            throw HTTPFailure(400, "the request line is empty")
        }
        if lines.count - 1 > limits.maxHeaderLines {
            throw HTTPFailure(431, "the request has more than \(limits.maxHeaderLines) header lines")
        }
        let (method, target, minorVersion) = try parseRequestLine(requestLine)
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(lines.count - 1)
        for line in lines.dropFirst() {
            headers.append(try parseHeaderLine(line))
        }
        let (path, query) = try TargetDecoding.decode(target)
        var request = RequestHead(
            method: method, target: target, path: path, query: query, minorVersion: minorVersion,
            headers: headers, framing: .none, expectsContinue: false, keepAlive: minorVersion == 1)
        try applySemantics(to: &request)
        return request
    }

    // MARK: Lines

    private static func splitLines(_ head: ArraySlice<UInt8>) throws(HTTPFailure) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = head.startIndex
        var index = head.startIndex
        while index < head.endIndex {
            let byte = head[index]
            if byte == 13, index + 1 < head.endIndex, head[index + 1] == 10 {
                lines.append(head[start..<index])
                index += 2
                start = index
            } else if byte == 13 || byte == 10 {
                throw HTTPFailure(400, "the request head has a bare CR or LF")
            } else {
                index += 1
            }
        }
        lines.append(head[start..<head.endIndex])
        return lines
    }

    private static func parseRequestLine(
        _ line: ArraySlice<UInt8>
    ) throws(HTTPFailure) -> (method: String, target: String, minorVersion: Int) {
        let parts = line.split(separator: 32, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw HTTPFailure(400, "the request line is not METHOD TARGET HTTP/1.1")
        }
        guard parts[0].allSatisfy(isTokenByte) else { throw HTTPFailure(400, "the request method is malformed") }
        guard parts[1].allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            throw HTTPFailure(400, "the request target has a byte that must be percent-encoded")
        }
        let version = Array(parts[2])
        let prefix = Array("HTTP/".utf8)
        guard version.count == 8, version.starts(with: prefix), version[6] == UInt8(ascii: "."),
            isDigit(version[5]), isDigit(version[7])
        else { throw HTTPFailure(400, "the request line does not end in an HTTP version") }
        guard version[5] == UInt8(ascii: "1"), version[7] <= UInt8(ascii: "1") else {
            throw HTTPFailure(505, "this server speaks HTTP/1.1 and HTTP/1.0")
        }
        return (
            String(decoding: parts[0], as: UTF8.self), String(decoding: parts[1], as: UTF8.self),
            Int(version[7] - UInt8(ascii: "0"))
        )
    }

    private static func parseHeaderLine(
        _ line: ArraySlice<UInt8>
    ) throws(HTTPFailure) -> (name: String, value: String) {
        guard let first = line.first, first != 32, first != 9 else {
            throw HTTPFailure(400, "the request head has a folded or empty header line")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
            line[..<colon].allSatisfy(isTokenByte)
        else { throw HTTPFailure(400, "the request head has a malformed header line") }
        var value = line[(colon + 1)...]
        while let byte = value.first, byte == 32 || byte == 9 { value = value.dropFirst() }
        while let byte = value.last, byte == 32 || byte == 9 { value = value.dropLast() }
        guard value.allSatisfy({ $0 == 9 || ($0 >= 32 && $0 != 127) }) else {
            throw HTTPFailure(400, "a header value has a control character")
        }
        let name = line[..<colon].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    // MARK: What the headers mean

    private static func applySemantics(to request: inout RequestHead) throws(HTTPFailure) {
        var hosts = 0
        var lengths: [Substring] = []
        var codings: [String] = []
        var expectation: String?
        for (name, value) in request.headers {
            switch name {
            case "host": hosts += 1
            case "content-length": lengths += value.split(separator: ",", omittingEmptySubsequences: false)
            case "transfer-encoding":
                codings += value.split(separator: ",").map { $0.trimmingWhitespace.lowercased() }
                    .filter { !$0.isEmpty }
            case "expect": expectation = value.lowercased()
            case "connection":
                if value.split(separator: ",").contains(where: { $0.trimmingWhitespace.lowercased() == "close" }) {
                    request.keepAlive = false
                }
            default: break
            }
        }
        if hosts > 1 || (hosts == 0 && request.minorVersion == 1) {
            throw HTTPFailure(400, "an HTTP/1.1 request needs exactly one Host header")
        }
        if !codings.isEmpty {
            guard request.minorVersion == 1 else { throw HTTPFailure(400, "HTTP/1.0 has no transfer codings") }
            guard lengths.isEmpty else {
                throw HTTPFailure(400, "a request has Content-Length or chunked coding, not both")
            }
            guard codings.last == "chunked" else { throw HTTPFailure(400, "the request body's length is unknown") }
            guard codings.count == 1 else {
                throw HTTPFailure(501, "transfer coding \(codings.dropLast().joined(separator: ", ")) is not supported")
            }
            request.framing = .chunked
        } else if !lengths.isEmpty {
            request.framing = .length(try contentLength(lengths))
        }
        if let expectation {
            guard expectation == "100-continue" else {
                throw HTTPFailure(417, "only Expect: 100-continue is understood")
            }
            request.expectsContinue = request.minorVersion == 1
        }
    }

    /// The one length that every Content-Length value names (a number too large to hold is
    /// `Int.max`, past any limit).
    private static func contentLength(_ values: [Substring]) throws(HTTPFailure) -> Int {
        var length: Int?
        for raw in values {
            let text = raw.trimmingWhitespace
            guard !text.isEmpty, text.utf8.allSatisfy(isDigit) else {
                throw HTTPFailure(400, "Content-Length is not a number")
            }
            let value = Int(text) ?? Int.max
            if let length, length != value {
                throw HTTPFailure(400, "the request has conflicting Content-Length values")
            }
            length = value
        }
        return length ?? 0
    }

    // MARK: Bytes

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    /// RFC 9110's tchar.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 48...57, 65...90, 97...122: return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default: return false
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingWhitespace: String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
