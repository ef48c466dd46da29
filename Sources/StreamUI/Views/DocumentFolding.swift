import StreamCore

/// A large JSON document made short enough to read: long arrays and objects keep their
/// first items and say how many more there are; deep nesting is cut. Then pretty-printed and
/// sanitized line by line.
enum DocumentFolding {
    static func lines(_ value: JSONValue, maxItems: Int = 20, maxDepth: Int = 8, maxLines: Int = 5_000) -> [String] {
        let folded = fold(value, depth: 0, maxItems: maxItems, maxDepth: maxDepth)
        var lines = JSONWriter.string(folded, pretty: true).split(separator: "\n", omittingEmptySubsequences: false).map { Sanitizer.line(String($0)) }
        if lines.count > maxLines {
            let more = lines.count - maxLines
            lines = Array(lines.prefix(maxLines)) + ["… \(more) more lines"]
        }
        return lines
    }

    static func fold(_ value: JSONValue, depth: Int, maxItems: Int, maxDepth: Int) -> JSONValue {
        switch value {
        case .array(let items):
            if depth >= maxDepth { return .string("[… \(items.count) items]") }
            var kept = items.prefix(maxItems).map { fold($0, depth: depth + 1, maxItems: maxItems, maxDepth: maxDepth) }
            if items.count > maxItems { kept.append(.string("… \(items.count - maxItems) more items")) }
            return .array(kept)
        case .object(let object):
            if depth >= maxDepth { return .string("{… \(object.members.count) members}") }
            var kept = JSONObject()
            for member in object.members.prefix(maxItems * 2) {
                kept[member.key] = fold(member.value, depth: depth + 1, maxItems: maxItems, maxDepth: maxDepth)
            }
            if object.members.count > maxItems * 2 { kept["…"] = .string("\(object.members.count - maxItems * 2) more members") }
            return .object(kept)
        default:
            return value
        }
    }
}
