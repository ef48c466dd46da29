/// One option of a command: its spellings, the name the scanner gives it, its value's
/// placeholder (nil: a flag) and its help. A command's usage lists them from the same table
/// its scanner is built from.
struct CommandOption: Sendable {
    var spellings: [String]
    var name: String
    var value: String?
    var help: String

    static func scanner(_ options: [CommandOption]) -> ArgumentScanner {
        var scanner = ArgumentScanner()
        for option in options {
            for spelling in option.spellings {
                if option.value == nil {
                    scanner.flags[spelling] = option.name
                } else {
                    scanner.options[spelling] = option.name
                }
            }
        }
        return scanner
    }

    /// The OPTIONS section: each option's spellings and value, then its help, aligned.
    static func help(_ options: [CommandOption]) -> String {
        let heads = options.map { option in
            option.spellings.joined(separator: ", ") + (option.value.map { " " + $0 } ?? "")
        }
        let width = (heads.map(\.count).max() ?? 0) + 2
        return zip(heads, options).map { head, option in
            let lines = option.help.split(separator: "\n", omittingEmptySubsequences: false)
            let indent = String(repeating: " ", count: width + 2)
            return "  " + head.padding(to: width) + lines.joined(separator: "\n" + indent)
        }.joined(separator: "\n")
    }
}
