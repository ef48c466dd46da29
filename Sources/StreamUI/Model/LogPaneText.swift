import StreamCore
import StreamEngine

/// One log entry as one line of the log pane: `12:04:05 warn  close reason="…" status=500`.
/// Field values come from the network, so the whole line passes the sanitizer.
public enum LogPaneText {
    public static func line(_ entry: LogEntry) -> String {
        let clock = String(entry.time.iso8601.dropFirst(11).prefix(8))
        var text = "\(clock) \(entry.level.rawValue.padding(5)) \(entry.kind)"
        for member in entry.fields.members {
            let shown: String
            switch member.value {
            case .string(let string): shown = "\"\(string)\""
            default: shown = JSONWriter.string(member.value)
            }
            text += " \(member.key)=\(shown)"
        }
        return Sanitizer.line(text)
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
