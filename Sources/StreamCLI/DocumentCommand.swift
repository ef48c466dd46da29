import StreamCore
import StreamService

/// `streamtop document ID`: a stream's current JSON document, from the running streamtop.
struct DocumentCommand: StreamtopCommand {
    static let name = "document"
    static let summary = "Print a stream's current JSON document (from the running streamtop)."
    static let usage = """
        USAGE: streamtop document <id> [--pretty] [--state-dir DIR]

        Prints the current JSON document of a stream in the streamtop running for the state
        directory: the last snapshot with every patch since applied (an SSE stream), or the
        last poll's body. Documents live only in a running streamtop: without one, this is
        an error.

        OPTIONS:
          --pretty         Indented, for reading (default: one line, for scripts).
          --state-dir DIR  The state directory of the streamtop running the streams
                           (default: $XDG_STATE_HOME/streamtop, else ~/.local/state/streamtop).
          -h, --help       Show this help.
        """

    var id: String
    var pretty = false
    var stateDirectory: String?

    init(arguments: [String]) throws {
        let scanned = try ArgumentScanner(
            flags: ["--pretty": "pretty", "--help": "help", "-h": "help"], options: ["--state-dir": "state-dir"]
        ).scan(arguments)
        if scanned.flags.contains("help") { throw HelpRequested() }
        guard let id = scanned.positionals.first else { throw UsageError("missing <id>: see 'streamtop list'") }
        guard scanned.positionals.count == 1 else {
            let extra = Sanitizer.line(scanned.positionals[1])
            throw UsageError("unexpected argument '\(extra)': document shows one stream")
        }
        self.id = id
        pretty = scanned.flags.contains("pretty")
        stateDirectory = scanned.options["state-dir"]?.last
    }

    func run(_ context: CommandContext) -> Int32 {
        let state = Paths.state(override: stateDirectory, environment: context.environment)
        guard let engine = RunningEngine.find(stateDirectory: state) else {
            context.complain(
                "\(RunningEngine.noneRunning(state)): documents live only in a running streamtop "
                    + "(start one with 'streamtop run --headless')")
            return 1
        }
        do throws(ServiceError) {
            let reply = try engine.client.request("GET", RunningEngine.path(id: id, "/document"))
            if let error = reply.error { throw error }
            guard pretty else {
                // The service writes it on one line already.
                context.output.write(reply.body.last == 0x0A ? reply.body : reply.body + [0x0A])
                return 0
            }
            guard let document = reply.json else {
                throw ServiceError(502, "not_json", "the document from \(engine.client.endpoint) is not JSON")
            }
            context.say(JSONWriter.string(document, pretty: true))
            return 0
        } catch {
            context.complain(RunningEngine.message(error, id: id))
            return 1
        }
    }
}
