import Foundation
import StreamCLI
import StreamCore
import StreamService
import StreamUI

/// The monitor attached over the control API (`RemoteLink`, in a process of its own) against
/// the monitor in the engine's process (`EngineLink`), on live streams (`--only attach`): the
/// same loop in both (a refresh ten times a second, a 50×160 frame when something moved).
enum AttachBench {
    /// `--attached-monitor SOCKET STREAMS SECONDS`: attaches, waits for every stream's row,
    /// prints `ready`, runs the monitor's loop for SECONDS and prints `cpu SHARE` (its own).
    static func child(_ arguments: [String]) -> Never {
        guard arguments.count >= 3, let streams = Int(arguments[1]), let seconds = Double(arguments[2]) else {
            print("streamtop-bench: --attached-monitor takes a socket's path, a stream count and seconds")
            exit(2)
        }
        setlocale(LC_ALL, "C.UTF-8")
        do {
            let client = try ServiceClient(endpoint: .unix(path: arguments[0]))
            let (link, close) = attachedLink(client: client, health: try client.health())
            let deadline = Date().addingTimeInterval(60)
            while link.latest().snapshots.count < streams, Date() < deadline { usleep(100_000) }
            guard link.latest().snapshots.count == streams else {
                print("failed: \(link.latest().snapshots.count) of \(streams) rows")
                exit(1)
            }
            Thread.sleep(forTimeInterval: 2)  // past the first body, into the feed's stride
            FileHandle.standardOutput.write(Data("ready\n".utf8))
            let share = MonitorBench.cpuShare(link: link, monitor: true, window: .milliseconds(Int(seconds * 1000)))
            print("cpu \(share)")
            close()
            exit(0)
        } catch {
            print("failed: \(error)")
            exit(1)
        }
    }

    /// Pairs of windows: the engine alone, with the in-process monitor's loop, and with an
    /// attached monitor (whose own CPU is measured in its process). False when it failed.
    @MainActor
    static func run(streams: Int, window: Double, rounds: Int) -> Bool {
        let setup = ServiceBench.start(streams: streams)
        defer { setup.stop() }
        let duration = Duration.milliseconds(Int(window * 1000))
        var alone: [Double] = [], inProcess: [Double] = [], attached: [Double] = [], serving: [Double] = []
        // The in-process monitor's first window measured two or three times the next ones (its
        // first frames, the engine settling after the start): a warm-up, not counted.
        _ = MonitorBench.cpuShare(engine: setup.engine, monitor: true, window: .seconds(3))
        for _ in 0..<rounds {
            alone.append(MonitorBench.cpuShare(engine: setup.engine, monitor: false, window: duration))
            inProcess.append(MonitorBench.cpuShare(engine: setup.engine, monitor: true, window: duration))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            process.arguments = ["--attached-monitor", setup.socket, String(streams), String(window)]
            let pipe = Pipe()
            process.standardOutput = pipe
            guard (try? process.run()) != nil else { return false }
            var pending: [UInt8] = []
            let ready = EventsSubscriber.line(from: pipe.fileHandleForReading, pending: &pending)
            let before = ScaleBench.cpuSeconds()
            let start = Date()
            let result = EventsSubscriber.line(from: pipe.fileHandleForReading, pending: &pending)
            serving.append((ScaleBench.cpuSeconds() - before) / Date().timeIntervalSince(start))
            process.waitUntilExit()
            guard ready == "ready", result.hasPrefix("cpu "), let share = Double(result.dropFirst(4)) else {
                print("  attached monitor: \(ready) \(result)")
                return false
            }
            attached.append(share)
        }
        // Medians: the in-process monitor's share is a difference of two noisy windows.
        let added = zip(inProcess, alone).map { $0 - $1 }.sorted()
        let cost = ServiceBench.median(added)
        report(BenchResult(
            name: "Attached monitor, \(streams) streams", value: ServiceBench.median(attached.sorted()) * 100,
            unit: "%", target: 2 * cost * 100, baselineName: "in-process monitor adds", baselineValue: cost * 100,
            higherIsBetter: false))
        func percents(_ values: [Double]) -> String {
            values.map { String(format: "%.2f", $0 * 100) }.joined(separator: ", ")
        }
        print("  \(Int(window)) s windows, % of one core: engine alone \(percents(alone)); with the in-process "
            + "monitor \(percents(inProcess)); the attached monitor's process \(percents(attached)), the engine "
            + "serving it \(percents(serving))")
        return true
    }
}
