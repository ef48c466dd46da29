import StreamCore
import StreamEngine

/// `streamtop status`: the state of every stream, from the status.json that `run` writes.
struct StatusCommand: StreamtopCommand {
    static let name = "status"
    static let summary = "Show the state of every stream (from a running streamtop)."
    static let usage = """
        USAGE: streamtop status [--json] [--state-dir DIR]

        Shows what 'streamtop run' last wrote to status.json: each stream's state, bytes,
        rates, changes and last error, and how much of its disk budget the state directory
        uses (and whether the oldest files are being removed to keep within it).

        OPTIONS:
          --json           status.json as it is, for scripts.
          --state-dir DIR  Where status.json is (default: $XDG_STATE_HOME/streamtop).
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
        let path = state + "/status.json"
        let status: JSONValue
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
        if json {
            context.say(JSONWriter.string(status, pretty: true))
            return 0
        }
        let streams = status["streams"]?.arrayValue ?? []
        // status.json outlives the engine that wrote it: say when nothing is running.
        let running = StateDirectoryLock.isHeld(stateDirectory: state)
        context.say("updated \(status["updatedAt"]?.stringValue ?? "?")" + (running ? "" : " (no streamtop is running these streams now: this is the last it wrote)"))
        let header = ["ID", "STATE", "WIRE", "RATE", "EVENTS", "PATCH/MIN", "CHANGES", "ERRORS", "LAST ERROR"]
        let rows = streams.map { stream -> [String] in
            func int(_ key: String) -> Int { stream[key]?.numberValue?.intValue ?? Int(stream[key]?.numberValue?.doubleValue ?? 0) }
            func double(_ key: String) -> Double { stream[key]?.numberValue?.doubleValue ?? 0 }
            let frequency = stream["changeFrequency"]?.numberValue.map { "\(Int(($0.doubleValue * 100).rounded()))%" } ?? "-"
            // A stream in an incident says for how long, whatever its state now.
            let broken = stream["incidentSeconds"]?.numberValue
                .map { ", broken for " + HumanUnits.duration(seconds: $0.doubleValue) }
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
        if let disk = status["disk"] { context.say(Sanitizer.line(diskLine(disk))) }
        return 0
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

    /// "group quotes: streaming (quotes) used 93% fewer bytes than polling (quotes-polled)".
    private func groupLine(_ group: JSONValue) -> String {
        let name = group["group"]?.stringValue ?? "?"
        let streamed = group["streamed"]?.stringValue ?? "?"
        let polled = group["polled"]?.stringValue ?? "?"
        guard let savings = group["savings"]?.numberValue?.doubleValue else {
            return "group \(name): streaming (\(streamed)) against polling (\(polled)): not measured yet"
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
