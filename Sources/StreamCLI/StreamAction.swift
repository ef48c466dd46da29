import StreamCore
import StreamService

/// What `start`, `stop` and `restart` share: their arguments, and the work, through the
/// running streamtop's API when one runs for the state directory, else in the registry.
struct StreamAction {
    /// What the usage texts of start, stop and restart end with: their output and options.
    static let usageTail = """
        Prints one line per stream saying what it is now. An id that is not registered is an
        error (exit status 1); the other streams are still done.

        OPTIONS:
          --config PATH    Use another registry file.
          --state-dir DIR  The state directory of the streamtop running the streams
                           (default: $XDG_STATE_HOME/streamtop, else ~/.local/state/streamtop).
          -h, --help       Show this help.
        """

    let action: ServiceRoute.StreamAction
    /// The ids as given, each once, in order.
    var ids: [String] = []
    var config: String?
    var stateDirectory: String?

    init(_ action: ServiceRoute.StreamAction, arguments: [String]) throws {
        self.action = action
        let scanned = try ArgumentScanner(
            flags: ["--help": "help", "-h": "help"], options: ["--config": "config", "--state-dir": "state-dir"]
        ).scan(arguments)
        if scanned.flags.contains("help") { throw HelpRequested() }
        guard !scanned.positionals.isEmpty else {
            throw UsageError("missing <id>: name the streams to \(action.rawValue) (see 'streamtop list')")
        }
        var seen: Set<String> = []
        ids = scanned.positionals.filter { seen.insert($0).inserted }
        config = scanned.options["config"]?.last
        stateDirectory = scanned.options["state-dir"]?.last
    }

    func run(_ context: CommandContext) -> Int32 {
        let state = Paths.state(override: stateDirectory, environment: context.environment)
        let engine: RunningEngine?
        do { engine = try RunningEngine.find(stateDirectory: state, config: config, context) } catch {
            context.complain(error.message + "; nothing was changed")
            return 1
        }
        if let engine {
            return run(through: engine, context)
        }
        switch action {
        case .start, .stop:
            return remember(context, stateDirectory: state)
        case .restart:
            context.complain(
                "\(RunningEngine.noneRunning(state)): there is nothing to restart "
                    + "('streamtop start' marks streams to start with the next 'streamtop run')")
            return 1
        }
    }

    /// `POST /v1/streams/{id}/start|stop|restart` for each stream; its state from the reply.
    private func run(through engine: RunningEngine, _ context: CommandContext) -> Int32 {
        var status: Int32 = 0
        for id in ids {
            do throws(ServiceError) {
                let reply = try engine.client.json("POST", RunningEngine.path(id: id, "/" + action.rawValue))
                let state = reply?["state"]?.stringValue ?? "?"
                context.say("\(Sanitizer.line(id)) is now \(Sanitizer.line(state))")
                // Done, but not remembered for the next run: the registry could not be written.
                if let warning = reply?["warning"]?.stringValue {
                    context.complain("\(Sanitizer.line(id)): \(Sanitizer.line(warning))")
                    status = 1
                }
            } catch {
                context.complain(RunningEngine.message(error, id: id))
                status = 1
            }
        }
        return status
    }

    /// No streamtop runs: each stream's `autostart` in the registry, for the next `run`.
    private func remember(_ context: CommandContext, stateDirectory: String) -> Int32 {
        let file = RegistryFile(path: Paths.registry(override: config, environment: context.environment))
        let registry: Registry
        do {
            registry = try file.load()
        } catch {
            context.complain("\(error)")
            return 1
        }
        let autostart = action == .start
        var status: Int32 = 0
        var saidNoneRuns = false
        for id in ids {
            guard registry.spec(id: id) != nil else {
                context.complain(RunningEngine.unknownStream(id))
                status = 1
                continue
            }
            do {
                try file.setAutostart(id: id, autostart)
            } catch {
                context.complain("\(error)")
                status = 1
                continue
            }
            if !saidNoneRuns {
                context.say(RunningEngine.noneRunning(stateDirectory) + " now")
                saidNoneRuns = true
            }
            context.say("\(id) will \(autostart ? "start" : "stay stopped") with the next 'streamtop run'")
        }
        return status
    }
}
