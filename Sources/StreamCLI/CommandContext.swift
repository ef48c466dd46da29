import StreamCore

/// What a command runs with: where its output goes, the environment (for the XDG paths),
/// and whether the user asked it to stop (SIGINT/SIGTERM).
public struct CommandContext {
    public var output: OutputSink
    public var errors: OutputSink
    public var environment: [String: String]
    public var interrupted: () -> Bool

    public init(output: OutputSink, errors: OutputSink, environment: [String: String], interrupted: @escaping () -> Bool = { false }) {
        self.output = output
        self.errors = errors
        self.environment = environment
        self.interrupted = interrupted
    }

    func say(_ text: String) {
        output.write(Array((text + "\n").utf8))
    }

    func complain(_ text: String) {
        errors.write(Array(("streamtop: " + text + "\n").utf8))
    }

    /// The registry at `--config` (or the XDG default); nil, after saying why, when it cannot
    /// be read.
    func loadRegistry(config: String?) -> Registry? {
        do {
            return try RegistryFile(path: Paths.registry(override: config, environment: environment)).load()
        } catch {
            complain("\(error)")
            return nil
        }
    }
}

/// One `streamtop` subcommand: its name, help, argument parsing and work.
protocol StreamtopCommand {
    static var name: String { get }
    /// One line for the command list in `streamtop --help`.
    static var summary: String { get }
    static var usage: String { get }

    /// Parses the arguments after the command name; throws `UsageError` or `HelpRequested`.
    init(arguments: [String]) throws

    /// Checks what parsing alone cannot (it needs the environment), before `run`.
    func validate(_ context: CommandContext) throws(UsageError)

    /// Does the work; returns the exit status.
    func run(_ context: CommandContext) -> Int32
}

extension StreamtopCommand {
    func validate(_ context: CommandContext) throws(UsageError) {}
}

/// Where streamtop keeps its files (XDG base directories).
enum Paths {
    /// `--config PATH`, else `$XDG_CONFIG_HOME/streamtop/streams.json`, else
    /// `~/.config/streamtop/streams.json`.
    static func registry(override: String?, environment: [String: String]) -> String {
        if let override { return override }
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") { return "\(config)/streamtop/streams.json" }
        return "\(environment["HOME"] ?? ".")/.config/streamtop/streams.json"
    }

    /// `--state-dir DIR`, else `$XDG_STATE_HOME/streamtop`, else `~/.local/state/streamtop`.
    static func state(override: String?, environment: [String: String]) -> String {
        if let override { return override }
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return "\(state)/streamtop" }
        return "\(environment["HOME"] ?? ".")/.local/state/streamtop"
    }
}
