import Foundation
import StreamCore
import StreamEngine

/// `streamtop run --headless`: the engine without a screen, for servers and scripts.
struct RunCommand: StreamtopCommand {
    static let name = "run"
    static let summary = "Run the registered streams (--headless: no screen; writes status.json)."
    static let usage = """
        USAGE: streamtop run --headless [--all] [--config PATH] [--state-dir DIR]

        Runs the streams marked to start (see 'streamtop add --start'), or all of them with
        --all, until SIGINT or SIGTERM. Every second the latest state of every stream goes to
        status.json in the state directory (read it with 'streamtop status'); logs and the
        archive go there too.

        OPTIONS:
          --headless       Without the full-screen monitor (which comes with the UI).
          --all            Start every registered stream.
          --config PATH    Use another registry file.
          --state-dir DIR  Where status.json, logs/ and archive/ go
                           (default: $XDG_STATE_HOME/streamtop, else ~/.local/state/streamtop).
          -h, --help       Show this help.
        """

    var all = false
    var config: String?
    var stateDirectory: String?

    init(arguments: [String]) throws {
        let scanned = try ArgumentScanner(
            flags: ["--headless": "headless", "--all": "all", "--help": "help", "-h": "help"],
            options: ["--config": "config", "--state-dir": "state-dir"]
        ).scan(arguments)
        if scanned.flags.contains("help") { throw HelpRequested() }
        guard scanned.flags.contains("headless") else {
            throw UsageError("the full-screen monitor is not built yet: use 'streamtop run --headless'")
        }
        if let extra = scanned.positionals.first { throw UsageError("unexpected argument '\(extra)'") }
        all = scanned.flags.contains("all")
        config = scanned.options["config"]?.last
        stateDirectory = scanned.options["state-dir"]?.last
    }

    func run(_ context: CommandContext) -> Int32 {
        guard let registry = context.loadRegistry(config: config) else { return 1 }
        let state = Paths.state(override: stateDirectory, environment: context.environment)
        let engine: Engine
        do {
            engine = try Engine(specs: registry.streams, stateDirectory: state)
        } catch {
            context.complain("\(error)")
            return 1
        }
        let started = registry.streams.filter { all || $0.autostart }
        for spec in started { engine.start(id: spec.id) }
        context.say("running \(started.count) of \(registry.streams.count) stream\(registry.streams.count == 1 ? "" : "s"); status in \(state)/status.json; Ctrl-C to stop")
        context.output.flush()
        let wall = SystemWallClock()
        var nextWrite = Date()
        while !context.interrupted() {
            if Date() >= nextWrite {
                do { try engine.writeStatus(at: wall.now()) } catch { context.complain("\(error)") }
                nextWrite = Date().addingTimeInterval(1)
            }
            usleep(100_000)  // the signal flag is checked ten times a second
        }
        engine.shutdown()
        do { try engine.writeStatus(at: wall.now()) } catch { context.complain("\(error)") }
        context.say("stopped")
        return 0
    }
}
