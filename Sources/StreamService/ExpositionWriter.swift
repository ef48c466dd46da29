/// Prometheus text exposition format 0.0.4, written: families with `# HELP` and `# TYPE` once
/// each, samples with escaped label values and values as Prometheus parses them.
struct ExpositionWriter {
    enum Kind: String {
        case counter, gauge
    }

    /// One metric family: its samples, each a label set (`a="x",b="y"`, already escaped; empty
    /// for none) and a value already formatted.
    struct Family {
        var name: String
        var kind: Kind
        var help: String
        var samples: [(labels: String, value: String)] = []

        init(_ name: String, _ kind: Kind, _ help: String) {
            self.name = name
            self.kind = kind
            self.help = help
        }

        mutating func add(_ labels: String, _ value: String) {
            samples.append((labels, value))
        }
    }

    /// The families sorted by name, each whole under its HELP and TYPE; a family without a
    /// sample is left out.
    static func text(_ families: [Family]) -> String {
        var text = ""
        text.reserveCapacity(families.reduce(0) { $0 + $1.samples.count * 120 })
        for family in families.sorted(by: { $0.name < $1.name }) where !family.samples.isEmpty {
            text += "# HELP \(family.name) \(escapeHelp(family.help))\n# TYPE \(family.name) \(family.kind.rawValue)\n"
            for sample in family.samples {
                text += family.name
                if !sample.labels.isEmpty { text += "{" + sample.labels + "}" }
                text += " " + sample.value + "\n"
            }
        }
        return text
    }

    /// `name="value"` pairs joined by commas, values escaped.
    static func labels(_ pairs: [(String, String)]) -> String {
        pairs.map { "\($0.0)=\"\(escapeLabel($0.1))\"" }.joined(separator: ",")
    }

    /// Backslash, double quote and line feed, as the format escapes them in label values.
    static func escapeLabel(_ value: String) -> String { escape(value, quotes: true) }

    /// Backslash and line feed, as the format escapes them in HELP text.
    static func escapeHelp(_ text: String) -> String { escape(text, quotes: false) }

    /// By Unicode scalar, not by Character: "\r\n" is one Character, and its line feed must
    /// be escaped all the same.
    private static func escape(_ text: String, quotes: Bool) -> String {
        let special = { (scalar: Unicode.Scalar) in scalar == "\\" || scalar == "\n" || (quotes && scalar == "\"") }
        guard text.unicodeScalars.contains(where: special) else { return text }
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": escaped.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": escaped.append(contentsOf: "\\n".unicodeScalars)
            case "\"" where quotes: escaped.append(contentsOf: "\\\"".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }

    static func value(_ integer: Int64) -> String { String(integer) }

    /// `NaN`, `+Inf`, `-Inf`; integers without a fraction; others in the shortest form that
    /// reads back exactly (`0.25`, `1e-07`).
    static func value(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number > 0 ? "+Inf" : "-Inf" }
        if abs(number) < 1e15, let integer = Int64(exactly: number) { return String(integer) }
        return "\(number)"
    }
}
