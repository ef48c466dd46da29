import Dispatch
import Foundation
import LocalServer
import StreamCore
import StreamEngine

/// Many streams at once: CPU and memory of the engine's process (the server runs in a child
/// process, so its work is not counted), and whether any event was lost.
enum ScaleBench {
    /// `streamtop-bench --serve APIS`: a LocalServer in this process, its port on stdout, until
    /// stdin closes. The scale benchmark runs its server this way.
    static func serve(period: Duration) -> Never {
        raiseFileLimit()
        let server = try! LocalServer(configuration: .init(apis: [.init(name: "ticker", kind: "weather", period: period)], retryMilliseconds: 1000, heartbeat: .seconds(15)))
        FileHandle.standardOutput.write(Data("\(server.port)\n".utf8))
        while readLine() != nil {}
        server.stop()
        exit(0)
    }

    static func raiseFileLimit() {
        OpenFileLimit.raise()
    }

    struct Server {
        let process: Process
        let input: Pipe
        let port: UInt16

        func stop() {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }

    static func startServer(period: Duration) -> Server {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["--serve", String(period.nanoseconds / 1_000_000)]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try! process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        return Server(process: process, input: input, port: UInt16(line.trimmingCharacters(in: .whitespacesAndNewlines))!)
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    static func residentMiB() -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        return kilobytes / 1024
    }

    /// `count` SSE streams through the engine for `window`; CPU share of one core, RSS, and the
    /// number of streams that missed an event (a gap in their ids).
    static func streams(count: Int, window: Duration, compress: Bool) -> (cpuShare: Double, rssMiB: Double, opened: Int, gaps: Int, events: Int) {
        raiseFileLimit()
        // `--server-port P` uses a server started by hand (`streamtop-bench --serve 1000`), for
        // running under valgrind, which cannot start the child process itself.
        let givenPort = CommandLine.arguments.firstIndex(of: "--server-port").flatMap {
            $0 + 1 < CommandLine.arguments.count ? UInt16(CommandLine.arguments[$0 + 1]) : nil
        }
        let server = givenPort == nil ? startServer(period: .seconds(1)) : nil
        defer { server?.stop() }
        let port = givenPort ?? server!.port
        let specs = (0..<count).map { StreamSpec(id: "s\($0)", name: "s\($0)", url: "http://127.0.0.1:\(port)/sse/ticker", autostart: true, compress: compress) }
        // As an operator runs it: every event logged and archived under a state directory
        // (`--no-state`: the engine alone, without files).
        let stateDirectory = CommandLine.arguments.contains("--no-state") ? nil
            : FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-scale-\(getpid())").path
        defer { if let stateDirectory { try? FileManager.default.removeItem(atPath: stateDirectory) } }
        let engine = try! Engine(specs: specs, stateDirectory: stateDirectory)
        engine.startAutostart()
        // Wait until every stream has its snapshot.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let open = engine.store.latest().snapshots.filter { $0.metrics.snapshots > 0 }.count
            if open == count { break }
            usleep(100_000)
        }
        let before = engine.store.latest().snapshots
        let cpuBefore = cpuSeconds()
        let start = Date()
        Thread.sleep(forTimeInterval: window.seconds)  // the measurement window itself
        let cpu = cpuSeconds() - cpuBefore
        let elapsed = Date().timeIntervalSince(start)
        let rss = residentMiB()
        let after = engine.store.latest().snapshots
        engine.shutdown()
        let opened = before.filter { $0.metrics.snapshots > 0 }.count
        // Every stream should have received one patch per second and no errors or reconnects.
        var gaps = 0
        var events = 0
        let beforeByID = Dictionary(uniqueKeysWithValues: before.map { ($0.id, $0) })
        for snapshot in after {
            let received = snapshot.metrics.patches - (beforeByID[snapshot.id]?.metrics.patches ?? 0)
            events += Int(received)
            if snapshot.metrics.errors > 0 || snapshot.metrics.reconnects > 0 { gaps += 1 }
        }
        return (cpu / elapsed, rss, opened, gaps, events)
    }
}

extension ScaleBench {
    /// `count` pollers at `interval` for three intervals: the latest any poll started after its
    /// scheduled time, and how many polls failed.
    static func pollers(count: Int, interval: Duration) -> (worstLateness: Duration, polls: Int, failures: Int) {
        raiseFileLimit()
        let server = startServer(period: .seconds(1))
        defer { server.stop() }
        let loop = try! CurlLoop()
        defer { loop.shutdown() }
        final class Tally: @unchecked Sendable {  // guarded by lock
            let lock = NSLock()
            var worst: Duration = .zero
            var polls = 0
            var failures = 0
        }
        let tally = Tally()
        var pollers: [PollConnection] = []
        var random = SplitMix64(seed: 5)
        let targets = (0..<2).map { DispatchQueue(label: "bench.pollers.\($0)") }
        for index in 0..<count {
            var options = PollConnection.Options(url: "http://127.0.0.1:\(server.port)/poll/ticker")
            options.interval = interval
            options.initialDelay = .milliseconds(Int.random(in: 0..<Int(interval.nanoseconds / 1_000_000), using: &random))
            let poller = PollConnection(options: options, loop: loop, queue: DispatchQueue(label: "poller", target: targets[index % 2])) { report in
                guard case .poll(let poll) = report else { return }
                tally.lock.withLock {
                    tally.polls += 1
                    if poll.error != nil { tally.failures += 1 }
                    tally.worst = max(tally.worst, poll.lateness)
                }
            }
            pollers.append(poller)
            poller.start()
        }
        Thread.sleep(forTimeInterval: 3 * interval.seconds + 0.5)
        for poller in pollers { poller.stop() }
        return tally.lock.withLock { (tally.worst, tally.polls, tally.failures) }
    }
}
