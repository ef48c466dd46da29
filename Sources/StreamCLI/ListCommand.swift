import StreamCore

/// `streamtop list`: the registered streams.
struct ListCommand: StreamtopCommand {
    static let name = "list"
    static let summary = "Show the registered streams."
    static let usage = """
        USAGE: streamtop list [--json] [--config PATH]

        Shows the registered streams. URLs and headers are shown with credentials redacted.

        OPTIONS:
          --json          The registry as JSON (credentials redacted), for scripts.
          --config PATH   Use another registry file.
          -h, --help      Show this help.
        """

    var json = false
    var config: String?

    init(arguments: [String]) throws {
        let scanned = try ArgumentScanner(
            flags: ["--json": "json", "--help": "help", "-h": "help"], options: ["--config": "config"]
        ).scan(arguments)
        if scanned.flags.contains("help") { throw HelpRequested() }
        if let extra = scanned.positionals.first { throw UsageError("unexpected argument '\(extra)'") }
        json = scanned.flags.contains("json")
        config = scanned.options["config"]?.last
    }

    func run(_ context: CommandContext) -> Int32 {
        guard let registry = context.loadRegistry(config: config) else { return 1 }
        let shown = registry.streams.map(ListCommand.redacted)
        if json {
            context.say(JSONWriter.string(.array(shown.map(\.json)), pretty: true))
            return 0
        }
        if shown.isEmpty {
            context.say("No streams registered. Add one with: streamtop add <url>")
            return 0
        }
        let rows = [["ID", "NAME", "MODE", "EVERY", "GROUP", "URL"]] + shown.map { spec in
            [spec.id, spec.name, spec.mode.rawValue, spec.mode == .poll ? "\(spec.interval)s" : "-", spec.group ?? "-", spec.url]
                .map { Sanitizer.line($0) }
        }
        let widths = (0..<6).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            context.say(zip(row, widths).enumerated().map { index, cell in
                index == row.count - 1 ? cell.0 : cell.0.padding(to: cell.1 + 1)
            }.joined(separator: " "))
        }
        return 0
    }

    static func redacted(_ spec: StreamSpec) -> StreamSpec {
        var copy = spec
        copy.url = Redactor.url(spec.url)
        copy.headers = spec.headers.map { ($0.name, Redactor.header(name: $0.name, value: $0.value)) }
        if let webhook = spec.notify?.webhook { copy.notify?.webhook = Redactor.webhook(webhook) }
        // Fields this streamtop does not know could hold anything: it cannot say what to redact.
        copy.unknownFields = JSONObject()
        copy.notify?.unknownFields = JSONObject()
        return copy
    }
}
