/// An HTTP/1.1 request head, as the server needs it.
struct HTTPRequest: Sendable {
    var method: String
    var path: String
    /// The path and query as requested.
    var target: String
    var query: [String: String]
    /// Header names lowercased, in order.
    var headers: [(name: String, value: String)]

    func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    enum ParseResult {
        case incomplete
        case complete(HTTPRequest, consumed: Int)
        case invalid(String)
    }

    static let maxHeadBytes = 16 << 10

    /// Parses a request head from the start of `bytes` (the body, if any, is ignored: this
    /// server only serves GET).
    static func parse(_ bytes: [UInt8]) -> ParseResult {
        guard let end = headEnd(bytes) else {
            return bytes.count > maxHeadBytes ? .invalid("request head larger than \(maxHeadBytes) bytes") : .incomplete
        }
        let head = String(decoding: bytes[0..<end], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { return .invalid("empty request") }
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else { return .invalid("malformed request line") }
        var headers: [(String, String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return .invalid("malformed header line") }
            headers.append((line[..<colon].lowercased(), String(line[line.index(after: colon)...]).trimmingSpaces))
        }
        let target = String(requestLine[1])
        let pathPart = target.prefix { $0 != "?" }
        var query: [String: String] = [:]
        if let question = target.firstIndex(of: "?") {
            for pair in target[target.index(after: question)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                query[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
        }
        let request = HTTPRequest(
            method: String(requestLine[0]), path: String(pathPart), target: target, query: query, headers: headers)
        return .complete(request, consumed: end + 4)
    }

    /// The index of the blank line ending the head (`\r\n\r\n`), if it arrived.
    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i
        }
        return nil
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
