#if canImport(Glibc)
import Glibc
#endif
import StreamCore
import StreamEngine
import StreamService

/// `streamtop logs ID`: a stream's last log entries, and with `-f` the new ones as they come.
struct LogsCommand: StreamtopCommand {
    static let name = "logs"
    static let summary = "Show a stream's log (-f: follow it)."
    static let usage = """
        USAGE: streamtop logs <id> [-n N] [-f] [--jsonl] [--config PATH] [--state-dir DIR]

        Shows the last entries of a stream's log: each connection, response, event, poll,
        state change and error, with its time and level. From the streamtop running the
        streams when one runs for the state directory, else from the log files there
        (logs/<id>.jsonl).

        OPTIONS:
          -n, --lines N    How many entries (default 20, at most 1000; 0 with -f: only new ones).
          -f, --follow     Then print new entries as they are written, until Ctrl-C: from the
                           running streamtop, else by reading the log file as it grows (a
                           streamtop started later writes there too).
          --jsonl          The entries as the log holds them, one JSON object per line.
          --config PATH    Use another registry file.
          --state-dir DIR  The state directory (default: $XDG_STATE_HOME/streamtop, else
                           ~/.local/state/streamtop).
          -h, --help       Show this help.
        """

    var id: String
    var count = 20
    var follow = false
    var jsonl = false
    var config: String?
    var stateDirectory: String?

    static let mostEntries = 1000

    init(arguments: [String]) throws {
        let scanned = try ArgumentScanner(
            flags: [
                "-f": "follow", "--follow": "follow", "--jsonl": "jsonl", "--help": "help", "-h": "help",
            ],
            options: ["-n": "lines", "--lines": "lines", "--config": "config", "--state-dir": "state-dir"]
        ).scan(arguments)
        if scanned.flags.contains("help") { throw HelpRequested() }
        guard let id = scanned.positionals.first else { throw UsageError("missing <id>: see 'streamtop list'") }
        guard scanned.positionals.count == 1 else {
            throw UsageError("unexpected argument '\(Sanitizer.line(scanned.positionals[1]))': logs shows one stream")
        }
        self.id = id
        if let text = scanned.options["lines"]?.last {
            guard let number = Int(text), number >= 0, number <= LogsCommand.mostEntries else {
                let most = LogsCommand.mostEntries
                throw UsageError("-n takes a whole number from 0 to \(most), not '\(Sanitizer.line(text))'")
            }
            count = number
        }
        follow = scanned.flags.contains("follow")
        jsonl = scanned.flags.contains("jsonl")
        config = scanned.options["config"]?.last
        stateDirectory = scanned.options["state-dir"]?.last
    }

    func run(_ context: CommandContext) -> Int32 {
        let state = Paths.state(override: stateDirectory, environment: context.environment)
        let printer = LogPrinter(jsonl: jsonl)
        if let engine = RunningEngine.find(stateDirectory: state, config: config, context) {
            if follow { return LogServiceFollow(engine: engine, id: id, count: count, printer: printer).run(context) }
            do throws(ServiceError) {
                let reply = try engine.client.request("GET", RunningEngine.path(id: id, "/logs?limit=\(count)"))
                if let error = reply.error { throw error }
                printer.print(lines: reply.body, to: context)
                return 0
            } catch {
                context.complain(RunningEngine.message(error, id: id))
                return 1
            }
        }
        guard let path = logPath(stateDirectory: state, context) else { return 1 }
        if follow { return LogFileFollow(path: path, count: count, printer: printer).run(context) }
        printer.print(lines: LogsCommand.lastLines(path: path, count: count), to: context)
        return 0
    }

    /// Where stream `id`'s log is, when it is registered or its log is on disk (a stream
    /// removed keeps its log); nil, after saying so, otherwise.
    private func logPath(stateDirectory: String, _ context: CommandContext) -> String? {
        let directory = stateDirectory + "/logs"
        // An id never holds '/': anything else is not a stream's name.
        let path = id.contains("/") || id.hasPrefix(".") ? nil : "\(directory)/\(id).jsonl"
        if let path, access(path, F_OK) == 0 { return path }
        guard let registry = context.loadRegistry(config: config) else { return nil }
        guard let path, registry.spec(id: id) != nil else {
            context.complain(RunningEngine.unknownStream(id))
            return nil
        }
        return path
    }

    /// The JSONL lines of the last `count` entries of the log at `path` (and the file it
    /// rotated to before), oldest first.
    static func lastLines(path: String, count: Int) -> [UInt8] {
        guard count > 0, let slash = path.lastIndex(of: "/") else { return [] }
        let stream = String(path[path.index(after: slash)...].dropLast(".jsonl".count))
        let log = StreamLog(directory: String(path[..<slash]), stream: stream)
        return log.recent(limit: count).flatMap(\.line)
    }
}
