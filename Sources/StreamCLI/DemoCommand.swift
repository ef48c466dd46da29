import Foundation
import LocalServer
import StreamCore
import StreamEngine
import StreamService
import StreamUI

/// `streamtop demo`: the monitor on simulated APIs served from this machine, with a registry
/// in a temporary directory (never the user's files): a newcomer sees streams, patches,
/// change rates and savings within seconds, without the internet.
struct DemoCommand: StreamtopCommand {
    static let name = "demo"
    static let summary = "The monitor on built-in simulated APIs (no internet, no files of yours)."
    static let usage = """
        USAGE: streamtop demo [--port PORT] [--theme NAME] [--no-color] [--no-bell] [--no-mouse]

        Starts a small HTTP server on 127.0.0.1 with simulated APIs (a 150-stock market where a
        few prices change every second, fast scores, weather every 5 s, a status page that
        rarely changes), registers each one twice, as a Server-Sent Events stream and as a
        poller, in a temporary directory, and opens the monitor on them. One stream fails for
        10 s every 40 s. Everything is removed when you quit. With --port, its APIs can be
        read from elsewhere too: http://127.0.0.1:PORT/poll/market (JSON) and /sse/market.

        OPTIONS:
          --port PORT      Serve on this port (default: a free one).
          --theme NAME     Colour theme (default, light, solarized-dark, high-contrast, mono…).
          --no-color       No colours (also when NO_COLOR is set).
          --no-bell        No bell when a stream breaks.
          --no-mouse       Leave the mouse to the terminal (to select text); otherwise a
                           click selects a row or sorts by a column, the wheel scrolls.
          -h, --help       Show this help.
        """

    var port: UInt16 = 0
    var theme: String?
    var noColor = false
    var noBell = false
    var noMouse = false

    init(arguments: [String]) throws {
        let scanned = try ArgumentScanner(
            flags: [
                "--no-color": "no-color", "--no-bell": "no-bell", "--no-mouse": "no-mouse",
                "--help": "help", "-h": "help",
            ],
            options: ["--port": "port", "--theme": "theme"]
        ).scan(arguments)
        if scanned.flags.contains("help") { throw HelpRequested() }
        if let extra = scanned.positionals.first { throw UsageError("unexpected argument '\(extra)'") }
        if let text = scanned.options["port"]?.last {
            guard let number = UInt16(text) else { throw UsageError("--port takes a port number (1-65535), not '\(text)'") }
            port = number
        }
        theme = scanned.options["theme"]?.last
        noColor = scanned.flags.contains("no-color")
        noBell = scanned.flags.contains("no-bell")
        noMouse = scanned.flags.contains("no-mouse")
    }

    /// The simulated APIs of the demo, faster than the defaults so that everything moves soon.
    static let apis = [
        LocalServer.APIConfiguration(name: "market", kind: "market", period: .seconds(1)),
        LocalServer.APIConfiguration(name: "scores", kind: "quotes", period: .milliseconds(250)),
        LocalServer.APIConfiguration(name: "weather", kind: "weather", period: .seconds(5)),
        LocalServer.APIConfiguration(name: "status", kind: "status", period: .seconds(90)),
    ]

    /// Every API as a stream and as a poller (same group, so their bytes are compared), and a
    /// stream that fails now and then.
    static func specs(baseURL: String) -> [StreamSpec] {
        var specs: [StreamSpec] = []
        let polls = ["market": 5, "scores": 2, "weather": 10, "status": 15]
        for api in apis {
            specs.append(StreamSpec(id: "\(api.name)-sse", name: "\(api.name.capitalized) (stream)", url: "\(baseURL)/sse/\(api.name)", group: api.name, autostart: true))
            specs.append(StreamSpec(id: "\(api.name)-poll", name: "\(api.name.capitalized) (poll)", url: "\(baseURL)/poll/\(api.name)", mode: .poll, interval: polls[api.name] ?? 5, group: api.name, autostart: true))
        }
        specs.append(StreamSpec(id: "flaky-sse", name: "Flaky scores (stream)", url: "\(baseURL)/sse/scores?fault=flaky", autostart: true, stall: 15))
        return specs
    }

    func validate(_ context: CommandContext) throws(UsageError) {
        try MonitorCommandSupport.checkTheme(theme, context)
    }

    func run(_ context: CommandContext) -> Int32 {
        // Without a terminal (CI, a pipe) it says so and ends, instead of waiting for keys.
        guard MonitorApp.hasTerminal else {
            context.complain(
                "the demo is a full-screen monitor and needs a terminal (standard input and output are not a TTY "
                    + "here); try it in a terminal, or 'streamtop tail URL' for a stream's events as plain output")
            return 1
        }
        if let problem = MonitorApp.terminalProblem(term: context.environment["TERM"]) {
            context.complain("\(problem); or 'streamtop tail URL' for a stream's events as plain output")
            return 1
        }
        let temporary = NSTemporaryDirectory().hasSuffix("/") ? NSTemporaryDirectory() : NSTemporaryDirectory() + "/"
        var template = Array("\(temporary)streamtop-demo-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            context.complain("cannot create a temporary directory: \(String(cString: strerror(errno)))")
            return 1
        }
        let directory = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let server: LocalServer
        do {
            server = try LocalServer(configuration: .init(apis: DemoCommand.apis, port: port))
        } catch {
            context.complain("cannot start the demo server on port \(port): \(error)")
            return 1
        }
        defer { server.stop() }
        let specs = DemoCommand.specs(baseURL: server.baseURL)
        let registryFile = RegistryFile(path: "\(directory)/streams.json")
        let state = "\(directory)/state"
        let engine: Engine
        let lock: StateDirectoryLock
        do {
            try registryFile.save(try Registry(streams: specs))
            // Held as `run` holds it: `streamtop status --state-dir` finds this engine running.
            lock = try StateDirectoryLock(stateDirectory: state)
            // Change windows of 10 s instead of 60 s, so change frequencies show within the first minute.
            engine = try Engine(
                specs: specs, stateDirectory: state, registryFile: registryFile,
                changeWindow: .seconds(10), environment: context.environment)
        } catch {
            context.complain("\(error)")
            return 1
        }
        defer { withExtendedLifetime(lock) {} }
        MonitorCommandSupport.raiseOpenFileLimit(for: engine, streams: specs.count)
        engine.startAutostart()
        defer { engine.shutdown() }
        // `streamtop add --config <directory>/streams.json` works on the demo too.
        let chores = Chores(engine: engine, follower: RegistryFollower(file: registryFile, engine: engine))
        defer { chores.stop() }
        // The control API, as `run` serves it: `status`, `logs`, `start`, `stop` and an attached
        // monitor work on the demo (`--state-dir` the demo's state directory).
        var serviceOptions = ControlService.Options(stateDirectory: state)
        serviceOptions.version = Streamtop.version
        serviceOptions.registryPath = registryFile.path
        let service: ControlService
        do {
            service = try ControlService(engine: engine, options: serviceOptions)
        } catch {
            context.complain("cannot serve the control API: \(error.message)")
            return 1
        }
        defer { service.stop() }

        let options = MonitorApp.Options(
            themeName: theme, themes: MonitorCommandSupport.themes(context), settingsPath: nil,
            noColor: noColor || context.environment["NO_COLOR"].map { !$0.isEmpty } == true,
            greeting: "demo: state in \(state), removed on quit; \(specs.count) streams from \(server.baseURL); "
                + "? for help, q quits",
            bell: noBell ? false : nil, mouse: noMouse ? false : nil)
        do {
            _ = try MonitorApp(link: EngineLink(engine: engine), time: SystemTimeSource(), options: options).run()
        } catch {
            context.complain("\(error)")
            return 1
        }
        return 0
    }
}
