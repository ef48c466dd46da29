/// A strict reader of Prometheus's text exposition format 0.0.4, for checking what /metrics
/// writes line by line: comment lines, metric and label names, label syntax and escapes, values
/// (`+Inf`, `-Inf`, `NaN` included); every sample after its family's HELP and TYPE, each family
/// in one block, counters named `…_total`, no label set twice.
struct ExpositionParser {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Family {
        var type: String?
        var help: String?
        var samples: [Sample] = []
    }

    struct Failure: Error, CustomStringConvertible {
        var line: Int
        var reason: String
        var description: String { "line \(line): \(reason)" }
    }

    private(set) var families: [String: Family] = [:]
    /// Family names in the order they came.
    private(set) var order: [String] = []
    private var seen: Set<String> = []

    /// The samples of `family` by label set.
    func value(_ family: String, _ labels: [String: String] = [:]) -> Double? {
        families[family]?.samples.first { $0.labels == labels }?.value
    }

    init(_ text: String) throws {
        // By scalar: "\r\n" is one Character, and a line feed ends a line whatever precedes it.
        let scalars = text.unicodeScalars
        guard scalars.isEmpty || scalars.last == "\n" else { throw Failure(line: 0, reason: "no final line feed") }
        for (index, line) in scalars.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            do {
                try read(Array(line))
            } catch let problem as Problem {
                throw Failure(line: index + 1, reason: "\(problem.reason): \(String(String.UnicodeScalarView(line)))")
            }
        }
    }

    private mutating func read(_ line: [Unicode.Scalar]) throws {
        if line.isEmpty { return }
        if line[0] == "#" { return try comment(line) }
        var cursor = Cursor(line)
        let name = try cursor.name(allowColon: true)
        var labels: [String: String] = [:]
        if cursor.take("{") {
            while !cursor.take("}") {
                let label = try cursor.name(allowColon: false)
                if label.hasPrefix("__") { throw Problem("reserved label name \(label)") }
                guard cursor.take("="), cursor.take("\"") else { throw Problem("expected =\" after \(label)") }
                guard labels.updateValue(try cursor.labelValue(), forKey: label) == nil else {
                    throw Problem("label \(label) twice")
                }
                if !cursor.take(",") {
                    guard cursor.take("}") else { throw Problem("expected , or }") }
                    break
                }
            }
        }
        guard cursor.take(" ") else { throw Problem("expected a space before the value") }
        let value = try Self.number(cursor.rest(upTo: " "))
        if !cursor.atEnd {
            _ = cursor.take(" ")
            guard Int64(cursor.rest(upTo: nil)) != nil else { throw Problem("bad timestamp") }
        }
        try add(Sample(name: name, labels: labels, value: value))
    }

    private mutating func comment(_ line: [Unicode.Scalar]) throws {
        let text = String(String.UnicodeScalarView(line))
        let parts = text.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0] == "#", parts[1] == "HELP" || parts[1] == "TYPE" else { return }
        let name = String(parts[2])
        var cursor = Cursor(Array(name.unicodeScalars))
        guard (try? cursor.name(allowColon: true)) != nil, cursor.atEnd else {
            throw Problem("bad metric name \(name)")
        }
        if seen.contains(name), order.last != name { throw Problem("\(name) is not in one block") }
        if families[name]?.samples.isEmpty == false { throw Problem("\(parts[1]) of \(name) after its samples") }
        let rest = parts.count > 3 ? String(parts[3]) : ""
        if parts[1] == "HELP" {
            guard families[name]?.help == nil else { throw Problem("HELP of \(name) twice") }
            families[name, default: Family()].help = try Self.unescapeHelp(rest)
        } else {
            guard families[name]?.type == nil else { throw Problem("TYPE of \(name) twice") }
            let types = ["counter", "gauge", "histogram", "summary", "untyped"]
            guard types.contains(rest) else { throw Problem("unknown type \(rest)") }
            if rest == "counter", !name.hasSuffix("_total") { throw Problem("counter \(name) does not end in _total") }
            families[name, default: Family()].type = rest
        }
        enter(name)
    }

    private mutating func add(_ sample: Sample) throws {
        // Histograms and summaries would add suffixes; these families have none.
        guard let family = families[sample.name], family.type != nil, family.help != nil else {
            throw Problem("sample of \(sample.name) without HELP and TYPE before it")
        }
        if order.last != sample.name { throw Problem("\(sample.name) is not in one block") }
        if family.samples.contains(where: { $0.labels == sample.labels }) { throw Problem("\(sample.labels) twice") }
        families[sample.name]!.samples.append(sample)
    }

    private mutating func enter(_ name: String) {
        if order.last != name { order.append(name) }
        seen.insert(name)
    }

    /// Go's ParseFloat as Prometheus uses it.
    static func number(_ text: String) throws -> Double {
        switch text {
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default:
            let allowed = Set("0123456789+-.eE")
            guard !text.isEmpty, text.allSatisfy(allowed.contains), let value = Double(text) else {
                throw Problem("bad value \(text)")
            }
            return value
        }
    }

    static func unescapeHelp(_ text: String) throws -> String {
        var result = ""
        var escaping = false
        for scalar in text.unicodeScalars {
            if escaping {
                switch scalar {
                case "\\": result += "\\"
                case "n": result += "\n"
                default: throw Problem("bad escape \\\(scalar) in HELP")
                }
                escaping = false
            } else if scalar == "\\" {
                escaping = true
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        if escaping { throw Problem("HELP ends in a backslash") }
        return result
    }
}

/// Reads one sample line.
private struct Cursor {
    let scalars: [Unicode.Scalar]
    var index = 0

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    var atEnd: Bool { index == scalars.count }

    mutating func take(_ scalar: Unicode.Scalar) -> Bool {
        guard index < scalars.count, scalars[index] == scalar else { return false }
        index += 1
        return true
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*` (metric names), without colons for label names.
    mutating func name(allowColon: Bool) throws -> String {
        let start = index
        while index < scalars.count {
            let scalar = scalars[index]
            let letter = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
                || (allowColon && scalar == ":")
            guard letter || (index > start && ("0"..."9").contains(scalar)) else { break }
            index += 1
        }
        guard index > start else { throw Problem("expected a name") }
        return String(String.UnicodeScalarView(scalars[start..<index]))
    }

    /// After the opening quote: up to the closing one, with `\\`, `\"` and `\n` the only escapes.
    mutating func labelValue() throws -> String {
        var value = String.UnicodeScalarView()
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "\"": return String(value)
            case "\\":
                guard index < scalars.count else { throw Problem("label value ends in a backslash") }
                let escaped = scalars[index]
                index += 1
                switch escaped {
                case "\\": value.append("\\")
                case "\"": value.append("\"")
                case "n": value.append("\n")
                default: throw Problem("bad escape \\\(escaped) in a label value")
                }
            default: value.append(scalar)
            }
        }
        throw Problem("unterminated label value")
    }

    mutating func rest(upTo stop: Unicode.Scalar?) -> String {
        let start = index
        while index < scalars.count, scalars[index] != stop { index += 1 }
        return String(String.UnicodeScalarView(scalars[start..<index]))
    }
}

/// What is wrong with a line.
private struct Problem: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
