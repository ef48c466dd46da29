import Foundation
import StreamCore
import StreamService

/// `streamtop add URL`: registers a stream.
struct AddCommand: StreamtopCommand {
    static let name = "add"
    static let summary = "Register a stream (an SSE URL, or a JSON URL to poll)."
    static let usage = """
        USAGE: streamtop add <url> [--name NAME] [--mode sse|poll] [--interval SECONDS]
                             [--header 'Name: value']... [--group GROUP] [--stall SECONDS]
                             [--max-retry SECONDS] [--no-compress] [--ca-file PATH] [--serve]
                             [--notify-command PROGRAM]
                             [--webhook URL] [--start] [--config PATH] [--state-dir DIR]

        Registers a stream in the registry (by default $XDG_CONFIG_HOME/streamtop/streams.json).
        When a streamtop runs for the state directory, it registers the stream itself and
        takes it in at once (and starts it with --start).

        ARGUMENTS:
          <url>                    An http:// or https:// URL.

        OPTIONS:
          --name NAME              Display name (default: the URL's host and path).
          --mode sse|poll          Hold an event stream open (default), or GET every interval.
          --interval SECONDS       Seconds between polls (default 60, at least 1).
          --header 'Name: value'   A request header; repeat for more. Credentials are stored in
                                   the registry (mode 0600) and never shown.
          --group GROUP            Compare streams of the same API (an SSE stream and a poller).
          --stall SECONDS          Reconnect after this long without a byte (default 90).
          --max-retry SECONDS      The longest wait a server's retry: may ask for before
                                   reconnecting (default 600).
          --no-compress            Do not offer gzip: saves ~39 KiB per connection, for many
                                   streams of small events.
          --ca-file PATH           Trust the CA certificates (PEM) in PATH for this stream
                                   instead of the system's (a private CA).
          --serve                  (poll) Serve it as a stream: the running streamtop publishes
                                   the polled document as SSE, one snapshot then JSON Patches,
                                   at /v1/streams/ID/sse (see run --serve-listen).
          --notify-command PROG    Run PROG (no shell) when the stream breaks and recovers.
          --webhook URL            POST a Slack-compatible message when it breaks and recovers.
          --start                  Mark it to run whenever streamtop runs.
          --config PATH            Use another registry file.
          --state-dir DIR          The state directory of a running streamtop (default:
                                   $XDG_STATE_HOME/streamtop, else ~/.local/state/streamtop).
          -h, --help               Show this help.
        """

    var spec: StreamSpec
    var config: String?
    var stateDirectory: String?

    init(arguments: [String]) throws {
        let scanner = ArgumentScanner(
            flags: [
                "--start": "start", "--no-compress": "no-compress", "--serve": "serve", "--help": "help", "-h": "help",
            ],
            options: [
                "--name": "name", "--mode": "mode", "--interval": "interval", "--header": "header", "-H": "header",
                "--group": "group", "--stall": "stall", "--notify-command": "notify-command", "--webhook": "webhook",
                "--ca-file": "ca-file", "--config": "config", "--max-retry": "max-retry", "--state-dir": "state-dir",
            ])
        let scanned = try scanner.scan(arguments)
        if scanned.flags.contains("help") { throw HelpRequested() }
        guard let url = scanned.positionals.first else { throw UsageError("missing <url>: the stream to register") }
        guard scanned.positionals.count == 1 else { throw UsageError("unexpected argument '\(scanned.positionals[1])'") }
        func last(_ option: String) -> String? { scanned.options[option]?.last }
        func seconds(_ option: String, default value: Int) throws(UsageError) -> Int {
            guard let text = last(option) else { return value }
            guard let number = Int(text) else { throw UsageError("--\(option) takes a whole number of seconds, not '\(text)'") }
            return number
        }
        guard let mode = StreamSpec.Mode(rawValue: last("mode") ?? "sse") else {
            throw UsageError("--mode takes sse or poll, not '\(last("mode")!)'")
        }
        var headers: [(name: String, value: String)] = []
        for header in scanned.options["header"] ?? [] {
            guard let colon = header.firstIndex(of: ":") else { throw UsageError("--header takes 'Name: value', not '\(Sanitizer.line(header))'") }
            headers.append((String(header[..<colon]), String(header[header.index(after: colon)...].drop { $0 == " " })))
        }
        var notify: NotifySpec?
        if last("notify-command") != nil || last("webhook") != nil {
            notify = NotifySpec(command: last("notify-command").map { $0.split(separator: " ").map(String.init) }, webhook: last("webhook"))
        }
        spec = StreamSpec(
            id: "", name: last("name") ?? StreamSpec.defaultName(for: url), url: url, mode: mode,
            interval: try seconds("interval", default: StreamSpec.defaultInterval), headers: headers, group: last("group"),
            notify: notify, autostart: scanned.flags.contains("start"), stall: try seconds("stall", default: StreamSpec.defaultStall),
            compress: !scanned.flags.contains("no-compress"), caFile: last("ca-file").map(AddCommand.absolute),
            maxRetry: try seconds("max-retry", default: StreamSpec.defaultMaxRetry),
            serve: scanned.flags.contains("serve"))
        config = last("config")
        stateDirectory = last("state-dir")
    }

    /// A path as given, made absolute: the engine may run in another directory.
    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    func run(_ context: CommandContext) -> Int32 {
        do throws(SpecError) {
            try spec.checkFiles()
        } catch {
            context.complain("\(error)")
            return 2
        }
        let state = Paths.state(override: stateDirectory, environment: context.environment)
        let engine: RunningEngine?
        do { engine = try RunningEngine.find(stateDirectory: state, config: config, context) } catch {
            context.complain(error.message + "; nothing was changed")
            return 1
        }
        if let engine {
            return add(through: engine, context)
        }
        let file = RegistryFile(path: Paths.registry(override: config, environment: context.environment))
        do {
            // Under the registry's lock: a monitor or another `add` saving meanwhile would
            // otherwise lose this stream, or this one theirs.
            let added = try file.whileLocked { () throws(RegistryError) -> Result<StreamSpec, SpecError> in
                var registry = try file.load()
                var spec = self.spec
                spec.id = registry.newID(for: spec.name)
                do throws(SpecError) {
                    try registry.add(spec)
                } catch {
                    return .failure(error)
                }
                try file.save(registry)
                return .success(spec)
            }
            switch added {
            case .success(let spec):
                context.say("added \(spec.id) (\(spec.mode.rawValue)) \(Sanitizer.line(Redactor.url(spec.url)))")
                return 0
            case .failure(let error):
                context.complain("\(error)")
                return 2
            }
        } catch {
            context.complain("\(error)")
            return 1
        }
    }

    /// `POST /v1/streams`: the running streamtop saves the stream to its registry and takes it
    /// in (it makes the id from the name, as the file's path does).
    private func add(through engine: RunningEngine, _ context: CommandContext) -> Int32 {
        guard case .object(var object) = spec.json else { return 1 }
        object["id"] = nil
        do throws(ServiceError) {
            let reply = try engine.client.json("POST", "/v1/streams", body: .object(object))
            let id = reply?["id"]?.stringValue ?? "?"
            context.say("added \(Sanitizer.line(id)) (\(spec.mode.rawValue)) \(Sanitizer.line(Redactor.url(spec.url)))")
            return 0
        } catch {
            context.complain(RunningEngine.message(error, id: nil))
            // Settings refused are a usage error, as when the file is written here.
            return error.status == 400 || error.status == 409 ? 2 : 1
        }
    }
}
