/// Keeps credentials out of everything a person or a file can see: logs, archive headers,
/// errors, status, notifications and the screen.
///
/// Redacted: the `Authorization`, `Proxy-Authorization`, `Cookie` and `Set-Cookie` headers
/// (an auth scheme such as `Bearer` is kept, so the log still says which kind was sent), any
/// header or query parameter whose name contains `token`, `key`, `secret`, `password`,
/// `passwd`, `auth`, `session` or `signature`, and a URL's user info (user and password: a token
/// is often sent as the user name, `https://TOKEN@host/`). A webhook URL shows only its scheme
/// and host (`webhook`). Values a stream sends that come back in a server's answer are replaced
/// by a `Scrubber`.
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

    /// The URL to show: sensitive query values and the user info (user and password) replaced.
    public static func url(_ url: String) -> String {
        var result = url
        if let userInfo = userInfo(of: result) {
            let colon = result[userInfo].firstIndex(of: ":")
            let user = result[userInfo.lowerBound..<(colon ?? userInfo.upperBound)]
            let password = colon.map { result[result.index(after: $0)..<userInfo.upperBound] } ?? ""
            let shown = (user.isEmpty ? "" : mask) + (colon == nil ? "" : ":") + (password.isEmpty ? "" : mask)
            result.replaceSubrange(userInfo, with: shown)
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

    /// A webhook URL as shown: its scheme and host (`https://hooks.slack.com/…`). The rest of
    /// it (Slack's `/services/T…/B…/…`, a topic, a query) is what lets anyone post there.
    public static func webhook(_ url: String) -> String {
        guard let authority = authority(of: url) else { return mask }
        let host = url[authority].split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        let shown = "\(url[..<authority.lowerBound])\(host)"
        return authority.upperBound == url.endIndex ? shown : shown + "/…"
    }

    /// Where the authority (`user:password@host:port`) of `scheme://authority/…` is, if the
    /// URL has one.
    static func authority(of url: String) -> Range<String.Index>? {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { return nil }
        let start = url.index(colon, offsetBy: 3)
        let end = url[start...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? url.endIndex
        return start..<end
    }

    /// Where the user info (`user:password`, before the `@`) of a URL is, if it has one.
    static func userInfo(of url: String) -> Range<String.Index>? {
        guard let authority = authority(of: url), let at = url[authority].lastIndex(of: "@") else { return nil }
        return authority.lowerBound..<at
    }

    /// The name and value of each `name=value` pair of a URL's query (`name` as written).
    static func queryPairs(of url: String) -> [(name: Substring, value: Substring)] {
        guard let question = url.firstIndex(of: "?") else { return [] }
        let end = url[question...].firstIndex(of: "#") ?? url.endIndex
        return url[url.index(after: question)..<end].split(separator: "&").compactMap { pair in
            pair.firstIndex(of: "=").map { (pair[..<$0], pair[pair.index(after: $0)...]) }
        }
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
