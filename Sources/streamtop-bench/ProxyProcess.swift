#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StreamCore

/// `streamtop run --headless --serve-listen 127.0.0.1:0` in a process of its own (the release
/// binary beside this benchmark's), with a registry and state directory of its own holding one
/// served poll stream: the proxy the proxy benchmark measures.
struct ProxyProcess {
    let process: Process
    let home: String
    let id: String
    let port: UInt16

    var socket: String { home + "/state/streamtop.sock" }
    var pid: pid_t { process.processIdentifier }

    /// The `streamtop` binary beside this benchmark's (`--streamtop PATH` for another).
    static func binary() -> String {
        if let flag = CommandLine.arguments.firstIndex(of: "--streamtop"), flag + 1 < CommandLine.arguments.count {
            return CommandLine.arguments[flag + 1]
        }
        let bench = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: bench).deletingLastPathComponent().appendingPathComponent("streamtop").path
    }

    /// Registers `url` (`add --mode poll --interval 1 --serve --start`) and runs the proxy; nil,
    /// after saying why, when either fails.
    static func start(binary: String, url: String) -> ProxyProcess? {
        let home = "/tmp/st-proxy-\(getpid())"
        try? FileManager.default.removeItem(atPath: home)
        try! FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let files = ["--config", home + "/streams.json", "--state-dir", home + "/state"]
        let added = run(binary, ["add", url, "--name", "quotes", "--mode", "poll", "--interval", "1", "--serve",
                                 "--start"] + files, home: home)
        guard added.status == 0, let id = added.output.split(separator: " ").dropFirst().first.map(String.init) else {
            print("  streamtop add failed (\(added.status)): \(added.output)")
            return nil
        }
        let log = home + "/run.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", "--headless", "--serve-listen", "127.0.0.1:0"] + files
        process.environment = environment(home: home)
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = process.standardOutput
        try! process.run()
        // `run` says where it serves: "… on http://127.0.0.1:PORT/v1/streams/ID/sse …".
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, process.isRunning {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "http://127.0.0.1:"),
               let port = UInt16(text[range.upperBound...].prefix { $0.isNumber }) {
                return ProxyProcess(process: process, home: home, id: id, port: port)
            }
            usleep(50_000)
        }
        print("  streamtop run did not say where it serves: "
              + ((try? String(contentsOfFile: log, encoding: .utf8)) ?? ""))
        process.terminate()
        process.waitUntilExit()
        return nil
    }

    /// Its user and system time so far, in seconds (/proc/PID/stat).
    func cpuSeconds() -> Double {
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let close = stat.lastIndex(of: ")") else { return .nan }
        // Fields are counted after the command's name, from field 3: utime is 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident and peak resident memory in bytes (/proc/PID/status).
    func memory() -> (resident: Int, peak: Int) {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        func kilobytes(_ key: String) -> Int {
            let line = status.split(separator: "\n").first { $0.hasPrefix(key) } ?? ""
            return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
        }
        return (kilobytes("VmRSS:"), kilobytes("VmHWM:"))
    }

    /// The stream's `served` object from the API on the socket (`GET /v1/streams/ID`).
    func served() -> JSONValue? {
        guard let client = try? UnixHTTPClient(path: socket), let (status, body) = try? client.get("/v1/streams/\(id)"),
              status == 200, let stream = try? JSONParser.parse(body)
        else { return nil }
        return stream["served"]
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: home)
    }

    private static func environment(home: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in ["HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"] { environment[key] = home }
        return environment
    }

    /// Runs `binary arguments` to its end: its status and what it wrote.
    private static func run(_ binary: String, _ arguments: [String], home: String) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment(home: home)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        guard (try? process.run()) != nil else { return (-1, "cannot run \(binary)") }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
