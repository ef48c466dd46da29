import StreamCore

/// `streamtop remove ID`: unregisters a stream.
struct RemoveCommand: StreamtopCommand {
    static let name = "remove"
    static let summary = "Unregister a stream."
    static let usage = """
        USAGE: streamtop remove <id> [--config PATH]

        Removes a stream from the registry (its logs and archive stay on disk).

        OPTIONS:
          --config PATH   Use another registry file.
          -h, --help      Show this help.
        """

    var id: String
    var config: String?

    init(arguments: [String]) throws {
        let scanned = try ArgumentScanner(flags: ["--help": "help", "-h": "help"], options: ["--config": "config"]).scan(arguments)
        if scanned.flags.contains("help") { throw HelpRequested() }
        guard let id = scanned.positionals.first else { throw UsageError("missing <id>: see 'streamtop list'") }
        guard scanned.positionals.count == 1 else { throw UsageError("unexpected argument '\(scanned.positionals[1])'") }
        self.id = id
        config = scanned.options["config"]?.last
    }

    func run(_ context: CommandContext) -> Int32 {
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
            context.say("removed \(id)")
            return 0
        } catch {
            context.complain("\(error)")
            return 1
        }
    }
}
