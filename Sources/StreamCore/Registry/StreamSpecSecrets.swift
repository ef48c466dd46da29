// The credentials a stream sends, as values, for `Redactor.Scrubber`.

extension StreamSpec {
    /// What a server must not be able to echo into a log, status.json or an alert: the value of
    /// each credential header (and what follows its auth scheme: `Bearer s3cr3t` gives
    /// `s3cr3t` too; each cookie's value), of each credential query parameter (as written and
    /// decoded), and the URL's user info (user, password, and the `Basic` credentials libcurl
    /// sends for them). The scrubber ignores values too short to look for.
    public var secrets: [String] {
        var secrets: [String] = []
        for header in headers where Redactor.isSensitive(name: header.name) {
            let value = header.value.trimmingWhitespace
            secrets.append(String(value))
            switch header.name.lowercased() {
            case "authorization", "proxy-authorization":
                if let space = value.firstIndex(of: " ") {
                    secrets.append(String(String(value[space...]).trimmingWhitespace))
                }
            case "cookie", "set-cookie":
                for pair in value.split(separator: ";") {
                    guard let equals = pair.firstIndex(of: "=") else { continue }
                    secrets.append(String(pair[pair.index(after: equals)...]))
                }
            default:
                break
            }
        }
        for (name, value) in Redactor.queryPairs(of: url)
        where Redactor.isSensitive(name: String(name).removingPercentEscapesLoosely) {
            secrets += [String(value), String(value).removingPercentEscapesLoosely]
        }
        if let userInfo = Redactor.userInfo(of: url) {
            let parts = url[userInfo].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let decoded = parts.map { String($0).removingPercentEscapesLoosely }
            secrets += parts.map(String.init) + decoded
            secrets.append(StreamSpec.base64(decoded[0] + ":" + (decoded.count > 1 ? decoded[1] : "")))
        }
        return secrets
    }

    /// RFC 4648 base64 of the text's UTF-8 bytes, with padding.
    static func base64(_ text: String) -> String { base64String(text.utf8) }
}
