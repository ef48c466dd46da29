import StreamCore
import StreamService

/// `streamtop remove ID`: unregisters a stream.
struct RemoveCommand: StreamtopCommand {
    static let name = "remove"
    static let summary = "Unregister a stream."
    static let usage = """
        USAGE: streamtop remove <id> [--config PATH] [--state-dir DIR]

        Removes a stream from the registry (its logs and archive stay on disk). When a
        streamtop runs for the state directory, it removes the stream itself, at once.

        OPTIONS:
          --config PATH    Use another registry file.
          --state-dir DIR  The state directory of a running streamtop (default:
                           $XDG_STATE_HOME/streamtop, else ~/.local/state/streamtop).
          -h, --help       Show this help.
        """

    var id: String
    var config: String?
    var stateDirectory: String?

    init(arguments: [String]) throws {
        let scanned = try ArgumentScanner(
            flags: ["--help": "help", "-h": "help"], options: ["--config": "config", "--state-dir": "state-dir"]
        ).scan(arguments)
        if scanned.flags.contains("help") { throw HelpRequested() }
        guard let id = scanned.positionals.first else { throw UsageError("missing <id>: see 'streamtop list'") }
        guard scanned.positionals.count == 1 else { throw UsageError("unexpected argument '\(scanned.positionals[1])'") }
        self.id = id
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
            // `DELETE /v1/streams/{id}`: the running streamtop stops the stream and forgets it.
            do throws(ServiceError) {
                let reply = try engine.client.request("DELETE", RunningEngine.path(id: id))
                if let error = reply.error { throw error }
                context.say("removed \(Sanitizer.line(id))")
                return 0
            } catch {
                context.complain(RunningEngine.message(error, id: id))
                return 1
            }
        }
        let file = RegistryFile(path: Paths.registry(override: config, environment: context.environment))
        do {
            let removed = try file.whileLocked { () throws(RegistryError) -> Bool in
                var registry = try file.load()
                guard registry.remove(id: id) != nil else { return false }
                try file.save(registry)
                return true
            }
            guard removed else {
                context.complain("no stream '\(Sanitizer.line(id))' is registered (see 'streamtop list')")
                return 1
            }
            context.say("removed \(Sanitizer.line(id))")
            return 0
        } catch {
            context.complain("\(error)")
            return 1
        }
    }
}
