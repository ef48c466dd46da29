import Foundation
import StreamCore
import StreamEngine
import StreamService
import StreamUI

/// `streamtop run`: the full-screen monitor on the registered streams; `--headless`: the
/// engine without a screen, for servers and scripts.
struct RunCommand: StreamtopCommand {
    static let name = "run"
    static let summary = "The monitor on your registered streams (--headless: no screen, for servers)."
    static let usage = """
        USAGE: streamtop run [--headless] [--all] [--config PATH] [--state-dir DIR]
                             [--disk-budget SIZE] [--listen HOST:PORT] [--shard K/N]
                             [--serve-listen HOST:PORT]
                             [--s3 s3://BUCKET/PREFIX [--s3-endpoint URL] [--s3-region R]
                              [--s3-keep-local]] [--archive-segment SECONDS]
                             [--theme NAME] [--no-color] [--no-bell] [--no-mouse]
               streamtop run --attach SOCKET|http://HOST:PORT [--token-file PATH]

        Runs the streams marked to start (the ones running when streamtop last ended, or
        added with 'streamtop add --start'), or all of them with --all, in the full-screen
        monitor until you quit; with --headless, until SIGINT or SIGTERM. The latest state of
        every stream goes to status.json in the state directory within a second of a change,
        and at least every 10 s (read it with 'streamtop status'); logs and the archive go
        there too. One streamtop runs the streams of a state directory at a time, and serves
        the control API on the Unix socket streamtop.sock there ('streamtop start', 'stop',
        'logs' and a second 'streamtop run' go through it): a monitor started while another
        streamtop runs them attaches to it, and q detaches, leaving every stream running.

        OPTIONS:
          --headless       No screen: for servers, services and scripts. Problems (a stream
                           broken past its notify threshold, files that cannot be written)
                           go to stderr, recoveries to stdout. SIGHUP reads the registry
                           again; a closed or stuck stdout never stops the streams or SIGTERM.
          --all            Start every registered stream.
          --listen HOST:PORT
                           Serve the control API on TCP too (repeatable), e.g. 127.0.0.1:7878.
                           Every request there needs 'Authorization: Bearer TOKEN', the token
                           in the state directory's file 'token' (made on first use).
          --serve-listen HOST:PORT
                           Serve the served streams ("serve": true: a polled API as SSE,
                           one snapshot then JSON Patches) on TCP without a token, at
                           /v1/streams/ID/sse and, for a browser, /v1/streams/ID/view.
                           Nothing else is reachable there (repeatable).
          --attach SOCKET|http://HOST:PORT
                           Attach the monitor to a streamtop elsewhere: its socket (or
                           state directory), or its --listen address through a tunnel
                           (ssh -L), with the token from --token-file PATH or
                           STREAMTOP_TOKEN.
          --theme NAME     Colour theme for the monitor (remembered; t cycles).
          --no-color       No colours (also when NO_COLOR is set).
          --no-bell        No bell when a stream breaks (to keep it off: "bell": false in
                           ui.json beside the registry).
          --no-mouse       Leave the mouse to the terminal (to select text); otherwise a
                           click selects a row or sorts by a column, the wheel scrolls (to
                           keep it off: "mouse": false in ui.json).
          --config PATH    Use another registry file.
          --state-dir DIR  Where status.json, logs/ and archive/ go
                           (default: $XDG_STATE_HOME/streamtop, else ~/.local/state/streamtop).
          --disk-budget SIZE
                           The most the state directory may hold, e.g. 500M or 2G (K, M, G, T:
                           powers of 1024; default: the smaller of 10G and a tenth of its file
                           system). Past it the oldest archive parts and rotated logs are
                           removed, and status and the monitor say so.
          --s3 s3://BUCKET/PREFIX
                           Send the archive to S3: each closed segment, gzip-compressed, in
                           one signed PUT checked against its MD5, as PREFIX/<stream>/YYYY/MM/
                           DD/<stream>-<UTC start>-<n>.jsonl.gz, then removed here. Failures
                           are retried and said once; quitting sends the open segments.
                           Credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and
                           AWS_SESSION_TOKEN), else ~/.aws/credentials (AWS_PROFILE). Also
                           "archive": {"s3": …} in the registry (see README).
          --s3-endpoint URL
                           An S3-compatible store (MinIO, Ceph, moto…), addressed path-style.
          --s3-region R    The bucket's region (default: AWS_REGION, else us-east-1).
          --s3-keep-local  Keep segments here once uploaded.
          --archive-segment SECONDS
                           How long an archive segment lasts (60 to 86400; default 3600).
          --shard K/N      Run only shard K of N (0 <= K < N <= 1024): the streams whose
                           stable hash of id modulo N is K, so that N instances share one
                           registry and run each stream once. The state directory defaults
                           to shard-K-of-N inside the usual one.
          -h, --help       Show this help.
        """

    var all = false
    var headless = false
    var config: String?
    var stateDirectory: String?
    var diskBudget: Int?
    var theme: String?
    var noColor = false
    var noBell = false
    var noMouse = false
    var listen: [ListenAddress] = []
    var serveListen: [ListenAddress] = []
    var shard = Shard.all
    var attachTarget: String?
    var tokenFile: String?
    var archive = ArchiveOptions.Given()

    /// What `--serve-listen` serves, said at start: each served stream's URL (the first ten).
    static func servedLines(_ ids: [String], base: String) -> String {
        guard !ids.isEmpty else {
            return "serving on \(base) (no token) the streams marked \"serve\": none yet "
                + "('streamtop add URL --mode poll --serve')"
        }
        var lines = ["serving on \(base) (no token), as SSE, and as a page at .../view:"]
        lines += ids.prefix(10).map { "  \(base)/v1/streams/\($0)/sse" }
        if ids.count > 10 { lines.append("  and \(ids.count - 10) more") }
        return lines.joined(separator: "\n")
    }

    init(arguments: [String]) throws {
        let scanned = try ArgumentScanner(
            flags: [
                "--headless": "headless", "--all": "all", "--no-color": "no-color", "--no-bell": "no-bell",
                "--no-mouse": "no-mouse", "--help": "help", "-h": "help",
            ].merging(ArchiveOptions.scannedFlags) { $1 },
            options: [
                "--config": "config", "--state-dir": "state-dir", "--theme": "theme", "--disk-budget": "disk-budget",
                "--listen": "listen", "--shard": "shard", "--attach": "attach", "--token-file": "token-file",
                "--serve-listen": "serve-listen",
            ].merging(ArchiveOptions.scannedOptions) { $1 }
        ).scan(arguments)
        archive = try ArchiveOptions.given(scanned)
        if scanned.flags.contains("help") { throw HelpRequested() }
        headless = scanned.flags.contains("headless")
        theme = scanned.options["theme"]?.last
        noColor = scanned.flags.contains("no-color")
        noBell = scanned.flags.contains("no-bell")
        noMouse = scanned.flags.contains("no-mouse")
        if let extra = scanned.positionals.first { throw UsageError("unexpected argument '\(extra)'") }
        all = scanned.flags.contains("all")
        config = scanned.options["config"]?.last
        for text in scanned.options["listen"] ?? [] {
            switch ListenAddress.parse(text) {
            case .success(let address): listen.append(address)
            case .failure(let error): throw UsageError("--listen: \(error.message)")
            }
        }
        for text in scanned.options["serve-listen"] ?? [] {
            switch ListenAddress.parse(text) {
            case .success(let address): serveListen.append(address)
            case .failure(let error): throw UsageError("--serve-listen: \(error.message)")
            }
        }
        stateDirectory = scanned.options["state-dir"]?.last
        attachTarget = scanned.options["attach"]?.last
        tokenFile = scanned.options["token-file"]?.last
        if attachTarget != nil && headless {
            throw UsageError("--attach is for the monitor; --headless runs an engine")
        }
        if attachTarget != nil && (archive != ArchiveOptions.Given()) {
            throw UsageError("--attach joins an engine as it runs; its archive settings are its own")
        }
        if let text = scanned.options["disk-budget"]?.last {
            guard let bytes = HumanUnits.parseBytes(text) else {
                throw UsageError("--disk-budget: '\(text)' is not a size; give one such as 500M or 2G")
            }
            guard bytes > 0 else { throw UsageError("--disk-budget must be more than 0") }
            diskBudget = bytes
        }
        if let text = scanned.options["shard"]?.last {
            do {
                shard = try Shard(parsing: text)
            } catch {
                throw UsageError("--shard: \(error)")
            }
        }
    }

    /// `--state-dir`, else the usual directory, or for a shard its `shard-K-of-N` inside it:
    /// each instance holds its own lock, status.json and logs.
    static func stateDirectory(override: String?, shard: Shard, environment: [String: String]) -> String {
        let state = Paths.state(override: override, environment: environment)
        guard override == nil, shard != .all else { return state }
        return state + "/shard-\(shard.index)-of-\(shard.count)"
    }

    func validate(_ context: CommandContext) throws(UsageError) {
        try MonitorCommandSupport.checkTheme(theme, context)
    }

    func run(_ context: CommandContext) -> Int32 {
        if let attachTarget { return attach(to: attachTarget, context) }
        guard let registry = context.loadRegistry(config: config) else { return 1 }
        let state = Self.stateDirectory(override: stateDirectory, shard: shard, environment: context.environment)
        var storage = StorageLimits(diskBudget: diskBudget)
        let upload: ArchiveUploadSettings?
        do {
            let options = try ArchiveOptions(registry: registry, given: archive)
            storage.archiveSegmentSeconds = options.segmentSeconds
            upload = try options.uploadSettings(environment: context.environment)
        } catch {
            context.complain("\(error)")
            return 1
        }
        let mine = registry.streams.filter { shard.contains(id: $0.id) }
        let engine: Engine
        let registryPath = Paths.registry(override: config, environment: context.environment)
        if !headless && !MonitorApp.hasTerminal {
            context.complain("the monitor needs a terminal (standard input and output are not a TTY here); use 'streamtop run --headless'")
            return 1
        }
        if !headless, !monitorCanDraw(context) { return 1 }
        // One engine per state directory; held until this command returns.
        let lock: StateDirectoryLock
        do {
            lock = try StateDirectoryLock(stateDirectory: state)
        } catch {
            if case .held(_, let pid) = error,
               let status = attachToHolder(of: state, registryPath: registryPath, pid: pid, context) {
                return status
            }
            context.complain("\(error)")
            return 1
        }
        defer { withExtendedLifetime(lock) {} }
        do {
            engine = try Engine(
                specs: registry.streams, stateDirectory: state, registryFile: RegistryFile(path: registryPath),
                shard: shard, storage: storage, upload: upload, environment: context.environment)
        } catch {
            context.complain("\(error)")
            return 1
        }
        MonitorCommandSupport.raiseOpenFileLimit(for: engine, streams: mine.count)
        // The control API, for as long as this process runs the engine.
        var serviceOptions = ControlService.Options(stateDirectory: state)
        serviceOptions.listen = listen
        serviceOptions.serveListen = serveListen
        serviceOptions.serveLimits = ControlService.servedLimits(
            openFiles: OpenFileLimit.current,
            reserved: OpenFileLimit.needed(streams: mine.count) + serviceOptions.limits.maxConnections)
        serviceOptions.version = Streamtop.version
        serviceOptions.shard = shard.description
        serviceOptions.registryPath = registryPath
        let service: ControlService
        do {
            service = try ControlService(engine: engine, options: serviceOptions)
        } catch {
            engine.shutdown()
            context.complain("cannot serve the control API: \(error.message)")
            return 1
        }
        // Streams added, removed or edited meanwhile by other processes (`streamtop add` from a
        // script) are taken in within a second.
        let follower = RegistryFollower(file: RegistryFile(path: registryPath), engine: engine)
        if !headless {
            return runMonitor(
                engine, service: service, follower: follower, registry: registry, registryPath: registryPath, context)
        }
        let started = mine.filter { all || $0.autostart }
        engine.startAutostart(all: all)
        // The chores first: a stdout nobody reads holds this thread, never status.json or following.
        // They publish what a person should hear as alerts, as do the streams (broken past their
        // threshold, recovered, files that cannot be written): problems go to stderr, the rest to
        // stdout, each once, as a service's journal wants them.
        let chores = Chores(engine: engine, follower: follower)
        let count = "\(mine.count) stream\(mine.count == 1 ? "" : "s")"
            + (shard == .all ? "" : " (shard \(shard) of \(registry.streams.count) registered)")
        context.say("running \(started.count) of \(count); status in \(state)/status.json; "
                    + "API on \(ControlService.socketPath(stateDirectory: state))"
                    + listen.map { " and \($0)" }.joined() + "; Ctrl-C to stop")
        if !listen.isEmpty {
            context.say("TCP clients need the token in \(ControlService.tokenPath(stateDirectory: state))")
        }
        for (address, port) in zip(serveListen, service.servedPorts) {
            var shown = address
            shown.port = port
            context.say(RunCommand.servedLines(mine.filter(\.serve).map(\.id), base: "http://\(shown)"))
        }
        let serveRoom = serviceOptions.serveLimits.maxConnections
        if !serveListen.isEmpty, serveRoom < ControlService.servedLimits.maxConnections {
            context.complain("--serve-listen takes at most \(serveRoom) clients at once: the open-file limit "
                             + "(\(OpenFileLimit.current)) leaves no more room beside the streams and the control "
                             + "API; raise it (ulimit -n, or LimitNOFILE= in a systemd unit)")
        }
        for address in listen where !address.isLoopback {
            context.complain("--listen \(address) is reachable from other machines, and the token crosses the "
                             + "network in clear text: prefer 127.0.0.1 and an SSH tunnel")
        }
        context.output.flush()
        let wall = SystemWallClock()
        HangupSignal.install()
        var hangups = HangupSignal.count
        var seen = 0
        while !context.interrupted() {
            if HangupSignal.count != hangups {
                hangups = HangupSignal.count
                chores.reload(engine: engine, follower: follower)
            }
            for alert in engine.store.alerts(after: seen) {
                if alert.sequence > seen + 1 {
                    context.complain("\(alert.sequence - seen - 1) alerts came faster than they could be printed; "
                                     + "'streamtop status' has every stream's state")
                }
                seen = alert.sequence
                if alert.recovered { context.say(alert.message) } else { context.complain(alert.message) }
            }
            context.output.flush()
            context.errors.flush()
            usleep(100_000)  // the signal flag is checked ten times a second
        }
        service.stop()
        chores.stop()
        engine.shutdown()
        do { try engine.writeStatus(at: wall.now()) } catch { context.complain("\(error)") }
        context.say("stopped")
        return 0
    }

    /// Whether TERM names a terminal the monitor can draw on; says what to do when not.
    func monitorCanDraw(_ context: CommandContext) -> Bool {
        guard let problem = MonitorApp.terminalProblem(term: context.environment["TERM"]) else { return true }
        context.complain("\(problem); or, without a screen, 'streamtop run --headless' and 'streamtop status'")
        return false
    }

    /// The full-screen monitor; status.json is kept current meanwhile.
    private func runMonitor(
        _ engine: Engine, service: ControlService, follower: RegistryFollower, registry: Registry,
        registryPath: String, _ context: CommandContext
    ) -> Int32 {
        engine.startAutostart(all: all)
        let chores = Chores(engine: engine, follower: follower)
        let settingsPath = RegistryFile.directory(of: registryPath) + "/ui.json"
        let options = MonitorApp.Options(
            themeName: theme, themes: MonitorCommandSupport.themes(context), settingsPath: settingsPath,
            noColor: noColor || context.environment["NO_COLOR"].map { !$0.isEmpty } == true,
            greeting: "\(registry.streams.count) stream\(registry.streams.count == 1 ? "" : "s") from \(registryPath); ? for help",
            bell: noBell ? false : nil, mouse: noMouse ? false : nil)
        var status: Int32 = 0
        do {
            _ = try MonitorApp(link: EngineLink(engine: engine), time: SystemTimeSource(), options: options).run()
        } catch {
            context.complain("\(error)")
            status = 1
        }
        service.stop()
        chores.stop()
        // Quitting stops the streams without changing what the registry remembers: the ones
        // running now start again next time.
        engine.shutdown()
        try? engine.writeStatus(at: SystemWallClock().now())
        return status
    }
}
