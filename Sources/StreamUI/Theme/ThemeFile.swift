/// Reads theme files in btop's format: one `theme[role]="value"` per line, `#` comments.
/// `theme8[role]="name"` lines choose the colour for 8-colour terminals.
///
/// Unknown roles are ignored (a newer streamtop may know them); a value that is not a colour
/// is reported with its line and the role keeps its default. Reading never fails on content.
public enum ThemeFile {
    public struct Parsed: Sendable, Equatable {
        public var theme: Theme
        /// Problems worth telling a person (bad values), each with its line number.
        public var warnings: [String]
    }

    public static func parse(_ text: String, name: String) -> Parsed {
        var colors: [ThemeRole: ThemeColor] = [:]
        var basic: [ThemeRole: ThemeColor] = [:]
        var warnings: [String] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(rawLine).trimmingCharacters
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let (table, key, value) = split(line) else {
                warnings.append("line \(number + 1): expected theme[role]=\"value\"")
                continue
            }
            guard let role = ThemeRole(rawValue: key) else { continue }  // unknown role: ignored
            guard let color = ThemeColor(parsing: value) else {
                warnings.append("line \(number + 1): \(key): \"\(value)\" is not a colour (#rrggbb, 0-255 or a name)")
                continue
            }
            if table == "theme8" { basic[role] = color } else { colors[role] = color }
        }
        return Parsed(theme: Theme(name: name, colors: colors, basicColors: basic), warnings: warnings)
    }

    /// `theme[key]="value"` (or `key = "value"`) → ("theme", key, value).
    private static func split(_ line: String) -> (String, String, String)? {
        guard let equals = line.firstIndex(of: "=") else { return nil }
        var left = String(line[..<equals]).trimmingCharacters
        var value = String(line[line.index(after: equals)...]).trimmingCharacters
        if value.count >= 2, value.first == "\"", value.last == "\"" { value = String(value.dropFirst().dropLast()) }
        var table = "theme"
        if let open = left.firstIndex(of: "["), left.last == "]" {
            table = String(left[..<open])
            left = String(left[left.index(after: open)..<left.index(before: left.endIndex)])
        }
        guard table == "theme" || table == "theme8", !left.isEmpty else { return nil }
        return (table, left, value)
    }
}
