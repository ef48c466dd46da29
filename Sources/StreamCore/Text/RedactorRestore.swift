// The way back from a masked URL: what a person left masked is the registered secret.

extension Redactor {
    /// `shown`, a URL as `url(_:)` showed `registered` and perhaps edited since, with each
    /// credential still masked put back from `registered`, piece by piece: the user and the
    /// password of the user info, and the value of each credential query parameter (the n-th
    /// `token=REDACTED` takes the n-th `token`'s value). A piece typed over stays as typed, so
    /// a path edited beside a masked token keeps the token.
    public static func restoring(url shown: String, from registered: String) -> String {
        var result = shown
        if let question = result.firstIndex(of: "?") {
            let end = result[question...].firstIndex(of: "#") ?? result.endIndex
            let query = result.index(after: question)..<end
            var seen: [Substring: Int] = [:]
            let restored = result[query].split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
                guard let equals = pair.firstIndex(of: "=") else { return String(pair) }
                let name = pair[..<equals]
                guard isSensitive(name: String(name).removingPercentEscapesLoosely) else { return String(pair) }
                let occurrence = seen[name, default: 0]
                seen[name] = occurrence + 1
                let values = queryPairs(of: registered).filter { $0.name == name }.map(\.value)
                guard pair[pair.index(after: equals)...] == mask, occurrence < values.count else { return String(pair) }
                return "\(name)=\(values[occurrence])"
            }
            result.replaceSubrange(query, with: restored.joined(separator: "&"))
        }
        if let shownInfo = userInfo(of: result), let registeredInfo = userInfo(of: registered) {
            func parts(_ info: Substring) -> (user: Substring, password: Substring?) {
                guard let colon = info.firstIndex(of: ":") else { return (info, nil) }
                return (info[..<colon], info[info.index(after: colon)...])
            }
            let typed = parts(result[shownInfo]), original = parts(registered[registeredInfo])
            let user = typed.user == mask ? original.user : typed.user
            let password = typed.password == Substring(mask) ? original.password ?? "" : typed.password
            result.replaceSubrange(shownInfo, with: String(user) + (password.map { ":" + String($0) } ?? ""))
        }
        return result
    }
}
