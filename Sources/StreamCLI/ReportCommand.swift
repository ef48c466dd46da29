import StreamCore
import StreamEngine

/// `streamtop report`: what the streams did over a period, from the archive alone (so it works
/// after the fact, and on another machine with a copy of the archive).
struct ReportCommand: StreamtopCommand {
    static let name = "report"
    static let summary = "Report bytes, changes and savings over a period, from the archive."

    static let options: [CommandOption] = [
        CommandOption(spellings: ["--since"], name: "since", value: "WHEN", help: """
            Start of the period: 24h, 7d, 90m (that long ago), a date
            2026-12-01 (its midnight, UTC) or a time 2026-12-01T10:00:00Z.
            Default: 24h.
            """),
        CommandOption(spellings: ["--until"], name: "until", value: "WHEN", help: """
            End of the period, in the same forms (a date: the end of that
            day). Default: now.
            """),
        CommandOption(spellings: ["--group"], name: "group", value: "G", help: "Only the streams of group G."),
        CommandOption(spellings: ["--stream"], name: "stream", value: "ID", help: "Only stream ID."),
    ] + ArchiveSourceOptions.options + [
        CommandOption(spellings: ["--format"], name: "format", value: "FORMAT", help: """
            table (default: aligned, human units), csv (RFC 4180, a row per
            group and per stream, 'scope' says which), json (numbers
            unrounded) or html (one self-contained page with SVG charts).
            """),
        CommandOption(spellings: ["--output", "-o"], name: "output", value: "FILE", help: """
            Write to FILE (replaced atomically) instead of standard output.
            """),
        CommandOption(spellings: ["--config"], name: "config", value: "PATH", help: """
            The registry, for the group and name of streams whose archive
            holds no counters (default: $XDG_CONFIG_HOME/streamtop/streams.json).
            """),
        CommandOption(spellings: ["--state-dir"], name: "state-dir", value: "DIR", help: """
            The state directory (default: $XDG_STATE_HOME/streamtop, else
            ~/.local/state/streamtop).
            """),
        CommandOption(spellings: ["--help", "-h"], name: "help", value: nil, help: "Show this help."),
    ]

    static var usage: String {
        """
        USAGE: streamtop report [--since WHEN] [--until WHEN] [--group G] [--stream ID]
                                [--source local|s3] [--s3 s3://BUCKET/PREFIX] [--s3-endpoint URL]
                                [--s3-region R] [--format table|csv|json|html] [--output FILE]

        Reports, from the archive (<state-dir>/archive, or S3 with --s3), what each group and stream did over a
        period: per group the streamed and polled bytes, the poller's would-be patch bytes, the
        savings (1 - streamed / polled bytes per second of running time, as the monitor says;
        for a group without a stream, the poller's would-be patches against its bodies), the
        changes each saw and those the poller missed, and each one's running time; per stream
        its events, snapshots, patches, operations, polls, 304s, errors, reconnects, running
        time, uptime, changes per hour, change frequency (share of minutes in which it changed)
        and the mean, 95th percentile and largest snapshot, patch and poll body. Counts come
        from the counters the engine archives every minute (what the monitor showed), sizes
        from the archived events and bodies. Lines cut short by a crash are skipped, said on
        standard error.

        OPTIONS:
        \(CommandOption.help(options))

        EXIT STATUS:
          0  the report was written
          1  nothing archived in the period ("no archived data between … and …"), or the archive
             or FILE could not be read or written
          2  a usage error

        EXAMPLES:
          streamtop report
          streamtop report --since 7d --group quotes --format html --output quotes.html
          streamtop report --since 2026-12-01 --until 2026-12-01 --format csv
        """
    }

    enum Format: String {
        case table, csv, json, html
    }

    var since: String?
    var until: String?
    var group: String?
    var stream: String?
    var format = Format.table
    var output: String?
    var config: String?
    var stateDirectory: String?
    var source: ArchiveSourceOptions

    init(arguments: [String]) throws {
        let scanned = try CommandOption.scanner(ReportCommand.options).scan(arguments)
        if scanned.flags.contains("help") { throw HelpRequested() }
        if let extra = scanned.positionals.first {
            throw UsageError("unexpected argument '\(Sanitizer.line(extra))': report takes options only")
        }
        func value(_ name: String) -> String? { scanned.options[name]?.last }
        since = value("since")
        until = value("until")
        group = value("group")
        stream = value("stream")
        output = value("output")
        config = value("config")
        stateDirectory = value("state-dir")
        if let text = value("format") {
            guard let format = Format(rawValue: text) else {
                throw UsageError("--format takes table, csv, json or html, not '\(Sanitizer.line(text))'")
            }
            self.format = format
        }
        _ = try ReportPeriod.parse(since: since, until: until, now: SystemWallClock().now())
        source = try ArchiveSourceOptions(scanned)
    }

    func run(_ context: CommandContext) -> Int32 {
        let now = SystemWallClock().now()
        let period: ReportPeriod
        do { period = try ReportPeriod.parse(since: since, until: until, now: now) } catch {
            context.complain(error.message)
            return 2
        }
        let state = Paths.state(override: stateDirectory, environment: context.environment)
        guard let source = self.source.open(stateDirectory: state, config: config, context) else { return 1 }
        let scan = ArchiveScan(source: source, period: period) { context.complain("warning: " + Sanitizer.line($0)) }
        var streams: [StreamReport]
        do { streams = try scan.streamReports(stream: stream) } catch {
            context.complain("cannot read the archive: \(error)")
            return 1
        }
        if streams.contains(where: { !$0.hasCounters }) { completeFromRegistry(&streams, context) }
        if let group { streams.removeAll { $0.group != group } }
        guard !streams.isEmpty else {
            var what = "no archived data"
            if let stream { what += " of stream '\(Sanitizer.line(stream))'" }
            if let group { what += " of group '\(Sanitizer.line(group))'" }
            let between = "between \(period.since.iso8601) and \(period.until.iso8601)"
            context.complain("\(what) \(between) in \(Sanitizer.line(source.location))")
            return 1
        }
        let report = ArchiveReport(period: period, streams: streams)
        let text: String
        switch format {
        case .table: text = ReportTable.render(report)
        case .csv: text = ReportCSV.render(report)
        case .json: text = ReportJSON.render(report)
        case .html: text = ReportHTML.render(report)
        }
        guard let output else {
            context.output.write(Array(text.utf8))
            context.output.flush()
            return 0
        }
        do { try ReportFile.write(Array(text.utf8), to: output) } catch {
            context.complain(Sanitizer.line("\(error)"))
            return 1
        }
        return 0
    }

    /// The group, name and mode of streams archived without counters, from the registry when
    /// it can be read (quietly nothing otherwise: the archive may come from another machine).
    private func completeFromRegistry(_ streams: inout [StreamReport], _ context: CommandContext) {
        let path = Paths.registry(override: config, environment: context.environment)
        guard let registry = try? RegistryFile(path: path).load() else { return }
        for index in streams.indices where !streams[index].hasCounters {
            guard let spec = registry.spec(id: streams[index].id) else { continue }
            streams[index].group = spec.group
            streams[index].name = spec.name
            streams[index].mode = spec.mode == .poll ? .poll : .sse
        }
    }
}
