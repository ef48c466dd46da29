import Foundation
import LocalServer
import StreamCLI
import StreamCore
import StreamEngine

/// Peak memory of parsing one body, each in a fresh child process (`--parse-memory KIND SIZE`):
/// hostile shapes of tiny containers, and legit documents.
///
/// The child reports its own peak (`VmHWM`). Not `ru_maxrss` from `wait4`: `posix_spawn`
/// starts the child in the parent's memory (vfork), and Linux counts the parent's peak
/// resident size into the child's `ru_maxrss` at `exec`.
enum MemoryBench {
    /// A body to parse: one of the hostile shapes, or legit quote documents.
    enum Shape {
        case hostile(HostileJSON)
        case quotes

        static let all = HostileJSON.allCases.map(Shape.hostile) + [.quotes]

        init?(name: String) {
            if name == "quotes" {
                self = .quotes
            } else if let shape = HostileJSON(rawValue: name) {
                self = .hostile(shape)
            } else {
                return nil
            }
        }

        var name: String {
            if case .hostile(let shape) = self { return shape.rawValue }
            return "quotes"
        }

        var isLegit: Bool {
            if case .quotes = self { return true }
            return false
        }

        var label: String {
            if case .hostile(let shape) = self { return shape.label }
            return "[quote document,…] (legit)"
        }

        func body(size: Int) -> [UInt8] {
            switch self {
            case .hostile(let shape): return shape.body(size: size)
            case .quotes: return HostileJSON.array(of: Array(QuoteFeed(seed: 1).documentText.utf8), size: size)
            }
        }
    }

    /// `--parse-memory KIND SIZE [--no-parse] [--no-ceiling] [--tree]`, in the child: builds the
    /// body, parses it with the default options (or without the ceiling on any one document, to
    /// show the proportional limit) into `JSONValue`s (or a `JSONTree`) and prints its peak
    /// resident bytes, the body's size and what happened, on one line.
    static func child(_ arguments: [String]) -> Never {
        guard arguments.count >= 2, let shape = Shape(name: arguments[0]), let size = Int(arguments[1]) else {
            print("usage: streamtop-bench --parse-memory \(Shape.all.map(\.name).joined(separator: "|")) SIZE")
            exit(2)
        }
        let bytes = shape.body(size: size)
        var outcome = "not parsed"
        if !arguments.contains("--no-parse") {
            var options = JSONParser.Options()
            if arguments.contains("--no-ceiling") { options.maxMemoryBytes = .max }
            do {
                if arguments.contains("--tree") {
                    let tree = try JSONTree(parsing: bytes, options: options)
                    outcome = "parsed (\(tree.root.count) elements, the tree \(HumanUnits.bytes(tree.memoryBytes)))"
                } else {
                    let value = try JSONParser.parse(bytes, options: options)
                    outcome = "parsed (\(value.arrayValue?.count ?? 0) elements)"
                }
            } catch {
                outcome = "refused: \(error.reasonText)"
            }
        }
        print("\(peakResidentBytes()) \(bytes.count) \(outcome)")
        exit(0)
    }

    /// This process's peak resident size since it started (`VmHWM` in /proc/self/status).
    static func peakResidentBytes() -> Int {
        peakResidentBytes(of: getpid())
    }

    struct Run {
        var peakBytes: Int
        var bodyBytes: Int
        var outcome: String
    }

    /// Starts this benchmark's binary with `arguments`, its standard output into `fd`.
    static func start(_ arguments: [String], output fd: Int32) -> pid_t {
        let executable = "/proc/self/exe"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fd, 1)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { fatalError("posix_spawn: \(String(cString: strerror(spawned)))") }
        return pid
    }

    /// Runs this benchmark's binary with `arguments`: what the child reported.
    static func spawn(_ arguments: [String]) -> Run {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { fatalError("pipe: \(String(cString: strerror(errno)))") }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        let pid = start(arguments, output: ends[1])
        close(ends[1])
        let output = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true).readDataToEndOfFile()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let line = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let fields = line.split(separator: " ", maxSplits: 2)
        guard status == 0, fields.count == 3, let peak = Int(fields[0]), let body = Int(fields[1]) else {
            return Run(peakBytes: 0, bodyBytes: 1, outcome: "FAILED (status \(status)): \(line)")
        }
        return Run(peakBytes: peak, bodyBytes: body, outcome: String(fields[2]))
    }

    /// Every shape at `size`, parsed into `JSONValue`s and into a tree: peak RSS against the
    /// body's size, less the process's own (its peak with a 2-byte body, not parsed). True when
    /// each is ≤ 8×, and the quote documents as a tree ≤ 3×.
    static func run(size: Int, noCeiling: Bool = false) -> Bool {
        var allRight = true
        let process = spawn(["--parse-memory", "arrays0", "2", "--no-parse"]).peakBytes
        let extra = noCeiling ? ["--no-ceiling"] : []
        for shape in Shape.all {
            for tree in [false, true] {
                let parsed = spawn(["--parse-memory", shape.name, String(size)] + extra + (tree ? ["--tree"] : []))
                let actual = parsed.bodyBytes
                let ratio = Double(parsed.peakBytes - process) / Double(actual)
                let target: Double = tree && shape.isLegit ? 3 : 8
                let right = ratio <= target
                allRight = allRight && right
                let name = "\(shape.label)\(tree ? " as a tree" : ""), \(HumanUnits.bytes(actual))"
                    + (noCeiling ? ", no ceiling" : "")
                print(String(format: "  %@: peak RSS %@ = %.1f× the body; %.1f× above the process's own %@ "
                             + "(target ≤ %.0f×%@); %@", name, HumanUnits.bytes(parsed.peakBytes),
                             Double(parsed.peakBytes) / Double(actual), ratio, HumanUnits.bytes(process), target,
                             right ? "" : ": MISSED", parsed.outcome))
            }
        }
        return allRight
    }

    // MARK: End to end

    /// `--headless CONFIG STATE`, in the child: `streamtop run --headless` on that registry.
    static func headlessChild(_ arguments: [String]) -> Never {
        let sink = FileDescriptorSink(fd: STDOUT_FILENO)
        exit(Streamtop.main(["run", "--headless", "--config", arguments[0], "--state-dir", arguments[1]],
                            output: sink, errors: sink))
    }

    /// Pollers of a server answering `[[0],[0],…]` in a small gzip body, under `streamtop run
    /// --headless` in a process of its own: two of 63 MiB (the issue's case: 7 GiB before), past
    /// the body limit, and two of 15 MiB, under it: refused by the parser while documents were
    /// `JSONValue`s (22× the text), taken as trees (4×). True when each large poller failed
    /// three times and each smaller one polled three times, and the process stayed under 512 MiB.
    static func headless() -> Bool {
        let server = try! LocalServer(configuration: .init(apis: []))
        defer { server.stop() }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-bench-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        try! FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        var registry = Registry()
        let pollers = ["63-1": 63 << 20, "63-2": 63 << 20, "15-1": 15 << 20, "15-2": 15 << 20]
        for (id, size) in pollers {
            try! registry.add(StreamSpec(id: id, name: id, url: server.baseURL + "/hostile/arrays1?bytes=\(size)",
                                         mode: .poll, interval: 2, autostart: true))
        }
        try! RegistryFile(path: home + "/streams.json").save(registry)
        let null = open("/dev/null", O_WRONLY)
        let pid = start(["--headless", home + "/streams.json", home + "/state"], output: null)
        close(null)
        let clock = ContinuousClock()
        let began = clock.now
        var errors: [String: (count: Int, last: String)] = [:]
        var polls: [String: Int] = [:]
        func done() -> Bool {
            ["63-1", "63-2"].allSatisfy { (errors[$0]?.count ?? 0) >= 3 }
                && ["15-1", "15-2"].allSatisfy { (polls[$0] ?? 0) >= 3 }
        }
        while clock.now - began < .seconds(300) {
            Thread.sleep(forTimeInterval: 0.2)
            guard let status = try? StatusFile.read(path: home + "/state/status.json") else { continue }
            for stream in status["streams"]?.arrayValue ?? [] {
                guard let id = stream["id"]?.stringValue, let count = stream["errors"]?.numberValue?.intValue else {
                    continue
                }
                errors[id] = (count, stream["lastError"]?.stringValue ?? "")
                polls[id] = stream["polls"]?.numberValue?.intValue ?? 0
            }
            if done() { break }
        }
        let peak = peakResidentBytes(of: pid)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let right = done() && peak < 512 << 20
        let counts = pollers.keys.sorted().map { "\(errors[$0]?.count ?? 0)/\(polls[$0] ?? 0)" }
        print(String(format: "Parse memory end to end: `run --headless`, 4 pollers of [[0],…] in small gzip bodies "
                     + "(63 MiB in %@): peak RSS %@ (target < 512 MiB%@) after %@ failed/taken polls in %.0f s",
                     HumanUnits.bytes(HostileJSON.arrays1.gzipBody(size: 63 << 20).count), HumanUnits.bytes(peak),
                     right ? "" : ": MISSED", counts.joined(separator: ", "), (clock.now - began).seconds))
        for id in ["63-1", "15-1"] {
            print("  \(HumanUnits.bytes(pollers[id]!)) body: \(errors[id]?.last ?? "no error seen")")
        }
        return right
    }

    /// Another process's peak resident size (`VmHWM`).
    static func peakResidentBytes(of pid: pid_t) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
    }
}
