import Foundation
@testable import StreamCore
@testable import StreamEngine
@testable import StreamUI
import Synchronization
import TestSupport
import XCTest

/// A `MonitorLink` with streams a test sets by hand, recording the commands it receives: the
/// monitor's narrow interface, without an engine, so every layout is exact and repeatable.
/// (The engine behind the real interface is tested against LocalServer, and the whole program
/// in tmux.) What the monitor fetches (history, document, log) it fetches on queues of its own:
/// those are locked, held while `gate` is closed for their stream, and fail the test when
/// asked for on the main thread, where the monitor draws.
final class FixedLink: MonitorLink, @unchecked Sendable {  // used on the test's thread, but for `fetched`
    var snapshots: [StreamSnapshot] = []
    var version = 1
    var alertEvents: [AlertEvent] = []
    var specs: [String: StreamSpec] = [:]
    var commands: [String] = []
    var disk: DiskStatus?
    var attachment: MonitorAttachment?

    private struct Fetched {
        var log: [String: [LogEntry]] = [:]
        var logReads = 0
        var history: [String: StreamHistory] = [:]
        var document: JSONValue? = ["price": 1.5, "symbol": "ACME"]
    }

    private let fetched = Mutex(Fetched())
    let gate = FetchGate()

    /// The log of every stream but those given one in `logs`.
    var log: [LogEntry] {
        get { fetched.withLock { $0.log[""] ?? [] } }
        set { fetched.withLock { $0.log[""] = newValue } }
    }

    func setLog(_ entries: [LogEntry], of id: String) { fetched.withLock { $0.log[id] = entries } }
    func setHistory(_ history: StreamHistory, of id: String) { fetched.withLock { $0.history[id] = history } }
    var logReads: Int { fetched.withLock { $0.logReads } }

    func publish(_ snapshots: [StreamSnapshot]) {
        self.snapshots = snapshots.sorted { $0.id < $1.id }
        version += 1
    }

    func latest() -> (version: Int, snapshots: [StreamSnapshot]) { (version, snapshots) }
    func alerts(after sequence: Int) -> [AlertEvent] { alertEvents.filter { $0.sequence > sequence } }
    func history(id: String) -> StreamHistory? {
        gate.pass(id)
        return fetched.withLock { $0.history[id] }
    }
    func recentLog(id: String, limit: Int) -> [LogEntry] {
        gate.pass(id)
        return fetched.withLock { fetched in
            fetched.logReads += 1
            return Array((fetched.log[id] ?? fetched.log[""] ?? []).suffix(limit))
        }
    }
    func document(id: String) -> JSONValue? {
        gate.pass(id)
        return fetched.withLock { $0.document }
    }
    func spec(id: String) -> StreamSpec? { specs[id] }
    func newID(for name: String) -> String { StreamSpec.slug(name) }
    func start(id: String) -> String? { commands.append("start \(id)"); return nil }
    func stop(id: String) -> String? { commands.append("stop \(id)"); return nil }
    func restart(id: String) { commands.append("restart \(id)") }
    func add(_ spec: StreamSpec) -> String? { commands.append("add \(spec.id) \(spec.url)"); specs[spec.id] = spec; return nil }
    func update(_ spec: StreamSpec) -> String? { commands.append("update \(spec.id)"); specs[spec.id] = spec; return nil }
    func remove(id: String) -> String? { commands.append("remove \(id)"); return nil }
}

/// Holds a link's fetches for the streams the test closed it for, until it opens it again;
/// counts the fetches that passed or wait. A fetch asked for on the main thread fails the test
/// at once: a frame would wait for it.
final class FetchGate: Sendable {
    private let closed = Mutex<[String: DispatchGroup]>([:])
    private let calls = Mutex<[String: Int]>([:])

    func close(_ id: String) {
        let group = DispatchGroup()
        group.enter()
        closed.withLock { $0[id] = group }
    }

    func open(_ id: String) {
        closed.withLock { $0.removeValue(forKey: id) }?.leave()
    }

    /// Fetches of stream `id` asked for so far (those held included).
    func calls(_ id: String) -> Int { calls.withLock { $0[id] ?? 0 } }

    func pass(_ id: String, file: StaticString = #filePath, line: UInt = #line) {
        guard !Thread.isMainThread else {
            XCTFail("a fetch of \(id) on the main thread: a frame would wait for it", file: file, line: line)
            return
        }
        calls.withLock { $0[id, default: 0] += 1 }
        guard let group = closed.withLock({ $0[id] }) else { return }
        // A bound for a broken build (the test never opens the gate), never a pace.
        if group.wait(timeout: .now() + 60) == .timedOut { XCTFail("the gate for \(id) stayed closed") }
    }
}

class MonitorTestCase: XCTestCase {
    let time = ManualTimeSource(start: Moment(nanoseconds: 1_000_000_000_000))
    var link: FixedLink!
    var controller: MonitorController!

    override func setUp() {
        // Display widths come from the C library in the current locale, as in the terminal.
        setlocale(LC_ALL, "C.UTF-8")
        link = FixedLink()
        controller = MonitorController(link: link, time: time)
    }

    /// A stream that received `events` patches of `size` bytes over the last minute.
    /// A stream's snapshot; `broken` (an incident under way since a minute ago) defaults to
    /// what the engine says of a failed or stalled stream.
    func stream(
        _ id: String, name: String? = nil, mode: StreamSpec.Mode = .sse, state: StreamState = .open, events: Int = 10,
        size: Int = 100, lastError: String? = nil, broken: Bool? = nil, group: String? = nil, errors: Int = 0,
        reconnects: Int = 0
    ) -> StreamSnapshot {
        let start = time.now() - .seconds(60)
        var metrics = StreamMetrics(start: start)
        metrics.stateChanged(open: state == .open, running: state.isRunning, at: start)
        for index in 0..<events {
            let moment = start + .seconds(Double(index) * 60 / Double(max(1, events)))
            metrics.recordWire(bytes: size + 30, at: moment)
            if mode == .poll {
                metrics.recordPoll(bodyBytes: size, patchBytes: size / 10, changed: true, at: moment)
            } else {
                metrics.record(Observation(kind: index == 0 ? .snapshot : .patch, payloadBytes: size, operations: 1, changed: true, document: nil), at: moment)
            }
        }
        for index in 0..<errors { metrics.recordError(at: start + .seconds(index % 60)) }
        for index in 0..<reconnects { metrics.recordReconnect(at: start + .seconds(index % 60)) }
        var status = StreamStatus(state: state, since: start, lastError: lastError)
        switch state {
        case .failed, .stalled: if broken ?? true { status.incidentSince = start }
        default: if broken == true { status.incidentSince = start }
        }
        return StreamSnapshot(
            id: id, name: name ?? id.capitalized, url: "http://127.0.0.1:1/\(mode.rawValue)/\(id)", mode: mode,
            group: group,
            status: status, metrics: metrics.snapshot(at: time.now()), version: 1)
    }

    /// Waits until what the open views asked the link for (on the monitor's own queues) arrived.
    func settle(file: StaticString = #filePath, line: UInt = #line) {
        waitUntil("the monitor's fetches to arrive", file: file, line: line) {
            controller.refresh()
            return !controller.isFetching
        }
    }

    func render(_ rows: Int = 24, _ columns: Int = 80, glyphs: Glyphs = .unicode) -> ScreenBuffer {
        controller.refresh()
        return MonitorRenderer.render(controller, rows: rows, columns: columns, glyphs: glyphs)
    }

    func press(_ keys: Key...) {
        for key in keys { _ = controller.handle(key) }
    }

    func type(_ text: String) {
        for character in text { _ = controller.handle(.character(character)) }
    }

    /// The row of the screen whose text contains `text`.
    func row(containing text: String, in screen: ScreenBuffer) -> Int? {
        screen.text.firstIndex { $0.contains(text) }
    }
}
