/// Keeps credentials out of everything a person or a file can see: logs, archive headers,
/// errors, status, notifications and the screen.
///
/// Redacted: the `Authorization`, `Proxy-Authorization`, `Cookie` and `Set-Cookie` headers
/// (an auth scheme such as `Bearer` is kept, so the log still says which kind was sent), any
/// header or query parameter whose name contains `token`, `key`, `secret`, `password`,
/// `passwd`, `auth`, `session` or `signature`, and the password of a URL's user info.
public enum Redactor {
    public static let mask = "REDACTED"

    static let sensitiveHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie"]
    static let sensitiveWords = ["token", "key", "secret", "password", "passwd", "auth", "session", "signature"]

    public static func isSensitive(name: String) -> Bool {
        let lower = name.lowercased()
        return sensitiveHeaders.contains(lower) || sensitiveWords.contains { lower.contains($0) }
    }

    /// The value to show for a header.
    public static func header(name: String, value: String) -> String {
        guard isSensitive(name: name) else { return value }
        let lower = name.lowercased()
        if lower == "authorization" || lower == "proxy-authorization",
           let space = value.firstIndex(of: " "), value[..<space].allSatisfy({ $0.isLetter })
        {
            return "\(value[..<space]) \(mask)"
        }
        return mask
    }

    /// The URL to show: sensitive query values and a user-info password replaced.
    public static func url(_ url: String) -> String {
        var result = url
        // user:password@host
        if let colon = result.firstIndex(of: ":"), result[colon...].hasPrefix("://") {
            let authorityStart = result.index(colon, offsetBy: 3)
            let authorityEnd = result[authorityStart...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? result.endIndex
            let authority = result[authorityStart..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                result.replaceSubrange(result.index(after: colon)..<at, with: mask)
            }
        }
        guard let question = result.firstIndex(of: "?") else { return result }
        let fragmentStart = result[question...].firstIndex(of: "#") ?? result.endIndex
        let query = result[result.index(after: question)..<fragmentStart]
        let redacted = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let equals = pair.firstIndex(of: "=") else { return String(pair) }
            let name = String(pair[..<equals]).removingPercentEscapesLoosely
            return isSensitive(name: name) ? "\(pair[..<equals])=\(mask)" : String(pair)
        }.joined(separator: "&")
        result.replaceSubrange(result.index(after: question)..<fragmentStart, with: redacted)
        return result
    }
}

extension String {
    /// `%XX` decoded where it forms valid UTF-8; anything else left as it is. Enough to see
    /// through `api%5Fkey`.
    package var removingPercentEscapesLoosely: String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
