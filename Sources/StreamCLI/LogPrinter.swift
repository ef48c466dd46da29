import StreamCore

/// Prints a stream's log entries from their JSONL lines: as they are (`--jsonl`), or as
/// readable lines, `2026-12-02T15:04:05.120Z warn  close reason="…" status=500`, sanitized
/// for the terminal (field values come from the network). A line that is not an entry (a
/// torn write) is skipped.
struct LogPrinter {
    var jsonl: Bool

    /// One entry's output line (with its newline); nil when `line` is not an entry.
    func render<Bytes: Collection<UInt8>>(_ line: Bytes) -> [UInt8]? {
        guard case .object(let object)? = try? JSONParser.parse(Array(line)),
              case .string(let time)? = object["time"], case .string(let kind)? = object["kind"] else { return nil }
        if jsonl { return Array(line) + [0x0A] }
        let level = object["level"]?.stringValue ?? "info"
        var text = "\(time) \(level.padding(to: 6))\(kind)"
        for member in object.members where !["time", "level", "kind"].contains(member.key) {
            let shown: String
            switch member.value {
            case .string(let string): shown = "\"\(string)\""
            default: shown = JSONWriter.string(member.value)
            }
            text += " \(member.key)=\(shown)"
        }
        return Array((Sanitizer.line(text) + "\n").utf8)
    }

    /// Writes the entries among `lines` (JSONL, split at newlines) to the command's output.
    func print<Bytes: Collection<UInt8>>(lines bytes: Bytes, to context: CommandContext) {
        var out: [UInt8] = []
        for line in bytes.split(separator: 0x0A) {
            if let rendered = render(line) { out += rendered }
        }
        if !out.isEmpty { context.output.write(out) }
    }
}
