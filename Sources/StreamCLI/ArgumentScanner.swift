/// Splits a command's arguments into known flags, options with values and positionals,
/// with errors worded for people ("unknown option '--jsnol'; did you mean '--jsonl'?").
struct ArgumentScanner {
    /// Flags without a value, e.g. `--jsonl`. Each spelling maps to a canonical name.
    var flags: [String: String] = [:]
    /// Options that take a value, as `--name value` or `--name=value`.
    var options: [String: String] = [:]

    struct Result {
        var flags: Set<String> = []
        var options: [String: [String]] = [:]
        var positionals: [String] = []
    }

    func scan(_ arguments: [String]) throws(UsageError) -> Result {
        var result = Result()
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || argument == "-" || !argument.hasPrefix("-") {
                result.positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            if let canonical = flags[name] {
                guard inlineValue == nil else { throw UsageError("option '\(name)' takes no value") }
                result.flags.insert(canonical)
            } else if let canonical = options[name] {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count else { throw UsageError("option '\(name)' needs a value") }
                    value = arguments[index]
                    index += 1
                }
                result.options[canonical, default: []].append(value)
            } else {
                var message = "unknown option '\(name)'"
                if let suggestion = suggestion(for: name) { message += "; did you mean '\(suggestion)'?" }
                throw UsageError(message)
            }
        }
        return result
    }

    /// The known spelling closest to a mistyped one, when it is close enough to be a typo.
    func suggestion(for name: String) -> String? {
        let known = Array(flags.keys) + Array(options.keys)
        let scored = known.map { ($0, editDistance(Array(name), Array($0))) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }?.0
    }

    private func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
