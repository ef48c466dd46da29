import StreamCore
import StreamEngine

/// `streamtop replay ID`: a stream's archived events, as `tail --jsonl` printed them live.
struct ReplayCommand: StreamtopCommand {
    static let name = "replay"
    static let summary = "Print a stream's archived events as 'tail --jsonl' does."

    static let options: [CommandOption] = [
        CommandOption(spellings: ["--since"], name: "since", value: "WHEN", help: """
            From: 24h, 7d, 90m (that long ago), a date 2026-12-01 (its
            midnight, UTC) or a time 2026-12-01T10:00:00Z. Default: the
            oldest archived record.
            """),
        CommandOption(spellings: ["--until"], name: "until", value: "WHEN", help: """
            Up to, in the same forms (a date: the end of that day).
            Default: now.
            """),
        CommandOption(spellings: ["--document"], name: "document", value: nil, help: """
            Include the document after each event, as 'tail --document'.
            """),
        CommandOption(spellings: ["--state-dir"], name: "state-dir", value: "DIR", help: """
            The state directory (default: $XDG_STATE_HOME/streamtop, else
            ~/.local/state/streamtop).
            """),
        CommandOption(spellings: ["--config"], name: "config", value: "PATH", help: """
            The registry, for the S3 location of its "archive" (--source s3 without --s3).
            """),
    ] + ArchiveSourceOptions.options + [
        CommandOption(spellings: ["--help", "-h"], name: "help", value: nil, help: "Show this help."),
    ]

    static var usage: String {
        """
        USAGE: streamtop replay <id> [--since WHEN] [--until WHEN] [--document] [--state-dir DIR]
                                [--source local|s3] [--s3 s3://BUCKET/PREFIX] [--s3-endpoint URL]

        Prints the events a stream received, from its archive (<state-dir>/archive/<id>), in
        the form of 'streamtop tail --jsonl': one JSON object per line, each event as tail
        printed it live (kind "event": type, id, data, bytes), each poll as 'tail --poll
        --jsonl' did (kind "poll": status, wireBytes, bytes, changed, patch, patchBytes,
        skipped), errors as tail reports them (a patch that does not apply), and tail's
        "summary" line last (its bytes: the events' data and the polls' wire bytes). Every
        tool that reads tail's output reads history too. Lines cut short by a crash are
        skipped, said on standard error.

        OPTIONS:
        \(CommandOption.help(options))

        EXIT STATUS:
          0  the events were printed (none, in a period without any: the summary alone)
          1  no archive of that stream (the archived ones are listed), or it cannot be read
          2  a usage error

        EXAMPLES:
          streamtop replay quotes --since 1h --document | jq -c 'select(.kind == "event") | .document'
        """
    }

    var id: String
    var since: String?
    var until: String?
    var includeDocument = false
    var stateDirectory: String?
    var config: String?
    var source: ArchiveSourceOptions

    init(arguments: [String]) throws {
        let scanned = try CommandOption.scanner(ReplayCommand.options).scan(arguments)
        if scanned.flags.contains("help") { throw HelpRequested() }
        guard let id = scanned.positionals.first else { throw UsageError("missing <id>: the stream to replay") }
        guard scanned.positionals.count == 1 else {
            throw UsageError("unexpected argument '\(Sanitizer.line(scanned.positionals[1]))': replay shows one stream")
        }
        self.id = id
        since = scanned.options["since"]?.last
        until = scanned.options["until"]?.last
        includeDocument = scanned.flags.contains("document")
        stateDirectory = scanned.options["state-dir"]?.last
        config = scanned.options["config"]?.last
        source = try ArchiveSourceOptions(scanned)
        _ = try period(now: SystemWallClock().now())
    }

    private func period(now: UTCTime) throws(UsageError) -> ReportPeriod {
        var period = try ReportPeriod.parse(since: since ?? "1970-01-01", until: until, now: now)
        if since == nil { period.since = UTCTime(secondsSinceEpoch: 0) }
        return period
    }

    func run(_ context: CommandContext) -> Int32 {
        let period: ReportPeriod
        do { period = try self.period(now: SystemWallClock().now()) } catch {
            context.complain(error.message)
            return 2
        }
        let state = Paths.state(override: stateDirectory, environment: context.environment)
        guard let source = self.source.open(stateDirectory: state, config: config, context) else { return 1 }
        let streams: [String]
        do { streams = try source.streams() } catch {
            context.complain("cannot read the archive: \(error)")
            return 1
        }
        guard streams.contains(id) else {
            let known = streams.isEmpty ? "none is archived there" : "archived: " + streams.joined(separator: ", ")
            context.complain(Sanitizer.line("no archive of stream '\(id)' in \(source.location) (\(known))"))
            return 1
        }
        var replay = ArchiveReplay(period: period, includeDocument: includeDocument)
        let scan = ArchiveScan(source: source, period: period) { context.complain("warning: " + Sanitizer.line($0)) }
        do {
            try scan.forEachRecord(of: id) { record in
                replay.add(record)
                if replay.consumer.renderer.byteCount >= 1 << 16 { context.output.write(replay.take()) }
                return !context.output.isClosed && !context.interrupted()
            }
        } catch {
            context.complain("cannot read the archive: \(error)")
            return 1
        }
        replay.finish()
        context.output.write(replay.take())
        context.output.flush()
        return 0
    }
}
