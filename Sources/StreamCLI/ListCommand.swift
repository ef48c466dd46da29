import StreamCore
import StreamUI

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
            [
                spec.id, spec.name, spec.mode.rawValue + (spec.serve ? ", served" : ""),
                spec.mode == .poll ? "\(spec.interval)s" : "-", spec.group ?? "-", spec.url,
            ]
                .map { Sanitizer.line($0) }
        }
        DisplayWidth.measureUTF8()
        for line in ListCommand.columns(rows) { context.say(line) }
        return 0
    }

    /// Rows in columns two spaces apart, padded by display width: a CJK character or an emoji
    /// takes two columns of the terminal, as `wcwidth` says, so names in any script line up.
    static func columns(_ rows: [[String]]) -> [String] {
        let widths = rows[0].indices.map { column in rows.map { DisplayWidth.of($0[column]) }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).enumerated().map { index, cell in
                index == row.count - 1 ? cell.0 : TextLayout.fit(cell.0, width: cell.1 + 1)
            }.joined(separator: " ")
        }
    }

    static func redacted(_ spec: StreamSpec) -> StreamSpec {
        var copy = spec.redacted
        // Fields this streamtop does not know could hold anything: it cannot say what to redact.
        copy.unknownFields = JSONObject()
        copy.notify?.unknownFields = JSONObject()
        return copy
    }
}
