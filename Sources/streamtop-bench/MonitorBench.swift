import Foundation
import StreamCore
import StreamEngine
import StreamUI

/// The monitor's costs: one frame of a 1,000-stream table, and the CPU the monitor's loop adds
/// to an engine running 1,000 streams (and when nothing moves).
enum MonitorBench {
    /// A `MonitorLink` over prepared snapshots whose version moves on every `latest()`, as
    /// with thousands of busy streams: each frame sorts and lays out everything. Every stream
    /// has the same history, document and log (read on the monitor's fetch queues).
    final class MovingLink: MonitorLink, @unchecked Sendable {  // `moved` on one thread; the rest immutable
        let snapshots: [StreamSnapshot]
        let streamHistory: StreamHistory
        let streamDocument: JSONValue
        let log: [LogEntry]
        init(_ snapshots: [StreamSnapshot], at now: Moment) {
            self.snapshots = snapshots
            streamHistory = StreamHistory(
                at: now,
                minutes: (0..<120).map { .init(wireBytes: Int64(1_000 + $0 * 37 % 500), changes: Int64($0 % 7)) },
                changeWindows: (0..<120).map { $0 % 3 == 0 })
            streamDocument = MonitorBench.quotesDocument(items: 50)
            log = (0..<1_000).map { index in
                LogEntry(time: UTCTime(secondsSinceEpoch: 1_800_000_000 + Double(index)), kind: "event", fields: [
                    "type": "patch", "id": .string("\(index)"), "bytes": .number(JSONNumber(180 + index % 40)),
                    "excerpt": "[{\"op\":\"replace\",\"path\":\"/quotes/3/price\",\"value\":101.25}]",
                ])
            }
        }
        func latest() -> (version: Int, snapshots: [StreamSnapshot]) { (version, snapshots) }
        var version: Int { moved += 1; return moved }
        var moved = 0
        func alerts(after sequence: Int) -> [AlertEvent] { [] }
        func history(id: String) -> StreamHistory? { streamHistory }
        func recentLog(id: String, limit: Int) -> [LogEntry] { Array(log.suffix(limit)) }
        func document(id: String) -> JSONValue? { streamDocument }
        func spec(id: String) -> StreamSpec? { nil }
        func newID(for name: String) -> String { name }
        func start(id: String) -> String? { nil }
        func stop(id: String) -> String? { nil }
        func restart(id: String) {}
        func add(_ spec: StreamSpec) -> String? { nil }
        func update(_ spec: StreamSpec) -> String? { nil }
        func remove(id: String) -> String? { nil }
    }

    static func snapshots(_ count: Int, at now: Moment) -> [StreamSnapshot] {
        var random = SplitMix64(seed: 9)
        return (0..<count).map { index in
            var metrics = StreamMetrics(start: now - .seconds(600))
            for second in stride(from: 0, to: 600, by: 20) {
                let moment = now - .seconds(600 - second)
                let size = Int.random(in: 50...5_000, using: &random)
                metrics.recordWire(bytes: size + 40, at: moment)
                metrics.record(Observation(kind: second == 0 ? .snapshot : .patch, payloadBytes: size, operations: 2, changed: Bool.random(using: &random), document: nil), at: moment)
            }
            let states: [StreamState] = [.open, .open, .open, .stopped, .failed(nextAttempt: now + .seconds(5), attempt: 2)]
            return StreamSnapshot(
                id: String(format: "stream-%04d", index), name: "Stream \(index) 株式 feed", url: "https://api.example.com/\(index)",
                mode: index % 2 == 0 ? .sse : .poll, group: nil,
                status: StreamStatus(state: states[index % states.count], since: now - .seconds(60)), metrics: metrics.snapshot(at: now), version: 1)
        }
    }

    /// A quotes API's document: `items` quotes of a few fields each.
    static func quotesDocument(items: Int) -> JSONValue {
        .object(["updated": "2026-12-03T07:00:00Z", "quotes": .array((0..<items).map { index in
            ["symbol": .string("SYM\(index)"), "price": .number(JSONNumber(100 + index)),
             "volume": .number(JSONNumber(index * 1_000)), "exchange": "XNAS", "open": true]
        })])
    }

    /// Seconds for one frame: read the (moved) snapshots, sort by wire bytes, lay out 60×200;
    /// `detail`: with the selected stream's detail view and log pane open, drawn from what was
    /// fetched (the fetches themselves run before, on the monitor's queues).
    static func frameSeconds(streams: Int, detail: Bool = false) -> (frame: Double, baseline: Double) {
        setlocale(LC_ALL, "C.UTF-8")
        let time = ManualTimeSource(start: Moment(nanoseconds: 10_000 * 1_000_000_000))
        let link = MovingLink(snapshots(streams, at: time.now()), at: time.now())
        let controller = MonitorController(link: link, time: time)
        _ = controller.handle(.character("s"))
        for _ in 0..<3 { _ = controller.handle(.down) }  // WIRE
        _ = controller.handle(.enter)
        if detail {
            controller.refresh()
            _ = controller.handle(.enter)
            _ = controller.handle(.character("l"))
            while controller.details.history.value == nil || controller.details.document.value == nil
                || controller.details.log.value == nil {
                controller.refresh()
                usleep(1_000)
            }
        }
        var screen = ScreenBuffer(rows: 60, columns: 200)
        let frame = Measure.secondsPerIteration {
            controller.refresh()
            MonitorRenderer.render(controller, into: &screen, glyphs: .unicode)
            blackHole(screen)
        }
        // Baseline: writing the same amount of text (60 lines of 200 columns) into the screen.
        let line = String(repeating: "x", count: 200)
        let baseline = Measure.secondsPerIteration {
            screen.clear()
            for row in 0..<60 { screen.write(line, row: row, column: 0) }
            blackHole(screen)
        }
        return (frame, baseline)
    }

    /// CPU share of one core for `window`, with the monitor's loop (refresh, and a frame when
    /// something moved, at most ten a second) running on this thread or not.
    static func cpuShare(engine: Engine, monitor: Bool, window: Duration) -> Double {
        cpuShare(link: EngineLink(engine: engine), monitor: monitor, window: window)
    }

    /// The same over any link (an attached monitor's `RemoteLink`).
    static func cpuShare(link: any MonitorLink, monitor: Bool, window: Duration) -> Double {
        let controller = MonitorController(link: link, time: SystemTimeSource())
        let before = ScaleBench.cpuSeconds()
        let start = Date()
        while Date().timeIntervalSince(start) < window.seconds {
            if monitor, controller.refresh() {
                blackHole(MonitorRenderer.render(controller, rows: 50, columns: 160, glyphs: .unicode))
            }
            usleep(100_000)
        }
        return (ScaleBench.cpuSeconds() - before) / Date().timeIntervalSince(start)
    }
}

extension MonitorBench {
    /// `--profile-ui N`: N frames, for callgrind.
    static func profile(frames: Int) {
        setlocale(LC_ALL, "C.UTF-8")
        let time = ManualTimeSource(start: Moment(nanoseconds: 10_000 * 1_000_000_000))
        let link = MovingLink(snapshots(1_000, at: time.now()), at: time.now())
        let controller = MonitorController(link: link, time: time)
        if CommandLine.arguments.contains("--by-wire") {
            _ = controller.handle(.character("s"))
            for _ in 0..<3 { _ = controller.handle(.down) }
            _ = controller.handle(.enter)
        }
        let clock = ContinuousClock()
        var screen = ScreenBuffer(rows: 60, columns: 200)
        var refreshing: Duration = .zero, rendering: Duration = .zero
        for _ in 0..<frames {
            let start = clock.now
            controller.refresh()
            let middle = clock.now
            MonitorRenderer.render(controller, into: &screen, glyphs: .unicode)
            blackHole(screen)
            refreshing += middle - start
            rendering += clock.now - middle
        }
        print("refresh \(refreshing / frames), render \(rendering / frames) per frame")
    }
}
