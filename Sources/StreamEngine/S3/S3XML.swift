/// Just enough XML for S3's answers (ListObjectsV2 pages and `<Error>` bodies): the text of
/// simple elements, entities decoded. S3's answers are flat records of text elements, so a
/// search for `<Name>…</Name>` finds them; no DTDs, no CDATA, no namespaces in element names.
package enum S3XML {
    /// The decoded text of each `<name>…</name>` (or "" for `<name/>`) in `xml`, in order.
    package static func texts(_ name: String, in xml: Substring) -> [String] {
        elements(name, in: xml).map { decode($0) }
    }

    package static func text(_ name: String, in xml: Substring) -> String? { elements(name, in: xml).first.map(decode) }

    /// The raw contents of each `<name>…</name>` (or "" for `<name/>`), in order.
    package static func elements(_ name: String, in xml: Substring) -> [Substring] {
        let empty = "<\(name)/>", close = "</\(name)>"
        var found: [Substring] = []
        var rest = xml
        while let start = rest.firstRange(of: "<\(name)") {
            let after = rest[start.upperBound...]
            if after.hasPrefix("/>") {
                found.append(rest[start.upperBound..<start.upperBound])
                rest = rest[rest.index(start.lowerBound, offsetBy: empty.count)...]
            } else if after.hasPrefix(">") || after.first.map({ $0 == " " || $0 == "\t" || $0 == "\n" }) == true {
                // `<name>`, or `<name attr="…">`.
                guard let openEnd = after.firstIndex(of: ">"), let end = rest[openEnd...].firstRange(of: close) else {
                    break
                }
                let contentStart = rest.index(after: openEnd)
                found.append(rest[contentStart..<end.lowerBound])
                rest = rest[end.upperBound...]
            } else {
                rest = after  // `<NameOther>`: another element
            }
        }
        return found
    }

    /// The five named entities and numeric references (`&#38;`, `&#x26;`); anything else is
    /// kept as it is.
    package static func decode(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var out = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let candidate = rest[amp...]
            guard let semicolon = candidate.prefix(12).firstIndex(of: ";") else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = candidate[candidate.index(after: amp)..<semicolon]
            if let decoded = decodeEntity(entity) {
                out.unicodeScalars.append(decoded)
                rest = rest[rest.index(after: semicolon)...]
            } else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
            }
        }
        out += rest
        return out
    }

    static func decodeEntity(_ entity: Substring) -> Unicode.Scalar? {
        switch entity {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            guard entity.hasPrefix("#") else { return nil }
            let digits = entity.dropFirst()
            let value = digits.hasPrefix("x") || digits.hasPrefix("X")
                ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            return value.flatMap(Unicode.Scalar.init)
        }
    }
}
