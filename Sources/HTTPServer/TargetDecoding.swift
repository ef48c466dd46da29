/// The request target split into its percent-decoded path and query.
enum TargetDecoding {
    /// The path (decoded, `+` kept) and query (decoded, `+` a space, the last of a repeated
    /// name winning) of an origin-form (`/a?b=c`), absolute-form (`http://host/a?b=c`) or
    /// asterisk-form (`*`) target.
    static func decode(_ target: String) throws(HTTPFailure) -> (path: String, query: [String: String]) {
        var rest = Substring(target)
        if let schemeEnd = rest.range(of: "://"),
            ["http", "https"].contains(rest[..<schemeEnd.lowerBound].lowercased())
        {
            let afterAuthority = rest[schemeEnd.upperBound...]
            let start = afterAuthority.firstIndex { $0 == "/" || $0 == "?" } ?? afterAuthority.endIndex
            rest = afterAuthority[start...]
            if !rest.hasPrefix("/") { rest = "/" + rest }
        } else if rest != "*" && !rest.hasPrefix("/") {
            throw HTTPFailure(400, "the request target must be a path starting with /")
        }
        let pathPart = rest.prefix { $0 != "?" }
        let path = try percentDecoded(pathPart, plusIsSpace: false)
        var query: [String: String] = [:]
        if pathPart.endIndex < rest.endIndex {
            for pair in rest[rest.index(after: pathPart.endIndex)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = try percentDecoded(parts[0], plusIsSpace: true)
                query[name] = parts.count > 1 ? try percentDecoded(parts[1], plusIsSpace: true) : ""
            }
        }
        return (path, query)
    }

    /// `%XX` sequences decoded; the result must be UTF-8.
    static func percentDecoded(_ text: Substring, plusIsSpace: Bool) throws(HTTPFailure) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) })
        else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw HTTPFailure(400, "the request target has a malformed percent escape")
                }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw HTTPFailure(400, "the request target does not decode to UTF-8 text")
        }
        return decoded
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
