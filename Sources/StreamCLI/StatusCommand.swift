import StreamCore
import StreamEngine
import StreamService

/// `streamtop status`: the state of every stream, live from the running streamtop's API, or
/// (none running) from the status.json that `run` writes.
struct StatusCommand: StreamtopCommand {
    static let name = "status"
    static let summary = "Show the state of every stream (from a running streamtop)."
    static let usage = """
        USAGE: streamtop status [--json] [--state-dir DIR]

        Shows each stream's state, bytes, rates, changes and last error, and how much of its
        disk budget the state directory uses (and whether the oldest files are being removed
        to keep within it): live from the streamtop running for the state directory, else
        what 'streamtop run' last wrote to status.json there, and how long ago.

        OPTIONS:
          --json           The status as JSON, for scripts: status.json's form (live, each
                           stream and the whole also have the "version" of the change they
                           show, and each stream when it was "updatedAt", in epoch seconds).
          --state-dir DIR  The state directory (default: $XDG_STATE_HOME/streamtop).
          -h, --help       Show this help.
        """

    var json = false
    var stateDirectory: String?

    init(arguments: [String]) throws {
        let scanned = try ArgumentScanner(
            flags: ["--json": "json", "--help": "help", "-h": "help"], options: ["--state-dir": "state-dir"]
        ).scan(arguments)
        if scanned.flags.contains("help") { throw HelpRequested() }
        if let extra = scanned.positionals.first { throw UsageError("unexpected argument '\(extra)'") }
        json = scanned.flags.contains("json")
        stateDirectory = scanned.options["state-dir"]?.last
    }

    func run(_ context: CommandContext) -> Int32 {
        let state = Paths.state(override: stateDirectory, environment: context.environment)
        let status: JSONValue
        let heading: String
        let engine: RunningEngine?
        do { engine = try RunningEngine.find(stateDirectory: state) } catch {
            // Read-only: what it last wrote is still worth showing, said for what it is.
            context.complain(error.message + "; showing the status.json it last wrote")
            engine = nil
        }
        if let engine {
            do throws(ServiceError) {
                guard let body = try engine.client.json("GET", "/v1/streams"), body["streams"]?.arrayValue != nil else {
                    throw ServiceError(502, "not_status", "\(engine.client.endpoint) did not answer with a status")
                }
                status = StatusCommand.live(body, at: SystemWallClock().now())
            } catch {
                context.complain("cannot show the status: \(RunningEngine.message(error, id: nil))")
                return 1
            }
            heading = "live from the streamtop running since \(Sanitizer.line(engine.health.startedAt)) "
                + "(pid \(engine.health.pid))"
        } else {
            let path = state + "/status.json"
            do {
                status = try StatusFile.read(path: path)
            } catch {
                if case .missing = error {
                    context.complain("no status to show: \(error); is 'streamtop run --headless' running?")
                } else {
                    context.complain("cannot show the status: \(error)")
                }
                return 1
            }
            // status.json outlives the engine that wrote it: say when nothing is running.
            heading = StatusCommand.heading(
                updatedAt: status["updatedAt"]?.stringValue, now: SystemWallClock().now(),
                running: StateDirectoryLock.isHeld(stateDirectory: state))
        }
        if json {
            context.say(JSONWriter.string(status, pretty: true))
            return 0
        }
        context.say(heading)
        let streams = status["streams"]?.arrayValue ?? []
        let header = ["ID", "STATE", "WIRE", "RATE", "EVENTS", "PATCH/MIN", "CHANGES", "ERRORS", "LAST ERROR"]
        // Ages as of the status's own time: now when live, when status.json was written otherwise.
        let asOf = status["updatedAt"]?.stringValue.flatMap(UTCTime.init(iso8601:))?.secondsSinceEpoch
            ?? SystemWallClock().now().secondsSinceEpoch
        let rows = streams.map { stream -> [String] in
            func int(_ key: String) -> Int { stream[key]?.numberValue?.intValue ?? Int(stream[key]?.numberValue?.doubleValue ?? 0) }
            func double(_ key: String) -> Double { stream[key]?.numberValue?.doubleValue ?? 0 }
            let frequency = stream["changeFrequency"]?.numberValue.map { "\(Int(($0.doubleValue * 100).rounded()))%" } ?? "-"
            // A stream in an incident says for how long, whatever its state now.
            let broken = stream["incidentSince"]?.numberValue
                .map { ", broken for " + HumanUnits.duration(seconds: max(0, asOf - $0.doubleValue)) }
            return [
                stream["id"]?.stringValue ?? "?", (stream["state"]?.stringValue ?? "?") + (broken ?? ""),
                HumanUnits.bytes(int("wireBytes")), HumanUnits.bytes(Int(double("wireBytesPerSecond"))) + "/s",
                String(int("events")), String(format1(double("patchesPerMinute"))), frequency,
                // A log or archive that cannot be written is an error too, said when nothing
                // more pressing is.
                String(int("errors")), stream["lastError"]?.stringValue ?? stream["storageError"]?.stringValue.map { "not stored: \($0)" } ?? "",
            ].map { Sanitizer.line($0) }
        }
        let table = [header] + rows
        let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        for row in table {
            context.say(row.enumerated().map { index, cell in index == row.count - 1 ? cell : cell.padding(to: widths[index] + 1) }.joined(separator: " "))
        }
        for group in status["groups"]?.arrayValue ?? [] {
            context.say(Sanitizer.line(groupLine(group)))
        }
        for stream in streams {
            if let line = StatusCommand.servedLine(stream) { context.say(Sanitizer.line(line)) }
        }
        if let disk = status["disk"] { context.say(Sanitizer.line(diskLine(disk))) }
        if let upload = status["disk"]?["upload"] { context.say(Sanitizer.line(uploadLine(upload))) }
        return 0
    }

    /// "served quotes: 3 clients (12 in all, 1 dropped); sent 2.8 KiB where polling would fetch
    /// 3.4 KiB: 19% fewer bytes" for a served stream; nil for the others.
    static func servedLine(_ stream: JSONValue) -> String? {
        guard let served = stream["served"], let clients = served["clients"]?.numberValue?.intValue else { return nil }
        func int(_ key: String) -> Int { served[key]?.numberValue?.intValue ?? 0 }
        var line = "served \(stream["id"]?.stringValue ?? "?"): \(clients) client\(clients == 1 ? "" : "s") "
            + "(\(int("connections")) in all, \(int("dropped")) dropped); sent \(HumanUnits.bytes(int("sentBytes"))) "
            + "where polling would fetch \(HumanUnits.bytes(int("pollBytes")))"
        if let savings = served["savings"]?.numberValue?.doubleValue {
            line += ": \(Int((abs(savings) * 100).rounded()))% \(savings >= 0 ? "fewer" : "more") bytes"
        }
        return line
    }

    /// The API's `/v1/streams` in status.json's form: its `updatedAt` (now) first.
    static func live(_ body: JSONValue, at now: UTCTime) -> JSONValue {
        guard case .object(let object) = body else { return body }
        var status: JSONObject = ["updatedAt": .string(now.iso8601)]
        for member in object.members where member.key != "updatedAt" { status[member.key] = member.value }
        return .object(status)
    }

    /// "updated 2026-11-29T03:00:00Z (3d ago; no streamtop is running these streams now: this is
    /// the last it wrote)".
    static func heading(updatedAt: String?, now: UTCTime, running: Bool) -> String {
        var notes: [String] = []
        if let updatedAt, let time = UTCTime(iso8601: updatedAt), now >= time {
            notes.append(HumanUnits.duration(seconds: now.secondsSinceEpoch - time.secondsSinceEpoch) + " ago")
        }
        if !running { notes.append("no streamtop is running these streams now: this is the last it wrote") }
        let said = notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"
        return Sanitizer.line("updated \(updatedAt ?? "?")" + said)
    }

    /// "disk: 9.9 GiB of 10.0 GiB budget; pruning: the oldest files go, kept since … (42 files,
    /// 1.3 GiB removed)".
    private func diskLine(_ disk: JSONValue) -> String {
        func bytes(_ key: String) -> String { HumanUnits.bytes(disk[key]?.numberValue?.intValue ?? 0) }
        var line = "disk: \(bytes("used")) of \(bytes("budget")) budget"
        if disk["pruning"] == true {
            line += "; pruning: the oldest files go"
            if let since = disk["keptSince"]?.stringValue { line += ", kept since \(since)" }
        }
        let removed = disk["removedFiles"]?.numberValue?.intValue ?? 0
        if removed > 0 { line += " (\(removed) file\(removed == 1 ? "" : "s"), \(bytes("removedBytes")) removed)" }
        return line
    }

    /// "s3: s3://bucket/prefix: 3 segments (1.2 MiB) waiting; 42 uploaded (80.0 MiB); failing: …".
    private func uploadLine(_ upload: JSONValue) -> String {
        func int(_ key: String) -> Int { upload[key]?.numberValue?.intValue ?? 0 }
        let waiting = int("waitingSegments")
        var line = "s3: \(upload["destination"]?.stringValue ?? "?"): "
        line += waiting == 0 ? "nothing waiting"
            : "\(waiting) segment\(waiting == 1 ? "" : "s") (\(HumanUnits.bytes(int("waitingBytes")))) waiting"
        line += "; \(int("uploadedSegments")) uploaded (\(HumanUnits.bytes(int("uploadedBytes"))))"
        if let error = upload["lastError"]?.stringValue { line += "; failing: \(error)" }
        return line
    }

    /// "group quotes: streaming (quotes) used 93% fewer bytes than polling (quotes-polled)".
    private func groupLine(_ group: JSONValue) -> String {
        let name = group["group"]?.stringValue ?? "?"
        let streamed = group["streamed"]?.stringValue ?? "?"
        let polled = group["polled"]?.stringValue ?? "?"
        guard let savings = group["savings"]?.numberValue?.doubleValue else {
            return "group \(name): streaming (\(streamed)) against polling (\(polled)): "
                + "not measured yet (a minute of running)"
        }
        let percent = Int((abs(savings) * 100).rounded())
        let comparison = savings >= 0 ? "fewer" : "more"
        return "group \(name): streaming (\(streamed)) used \(percent)% \(comparison) bytes than polling (\(polled))"
    }

    private func format1(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}
