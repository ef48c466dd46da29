import Foundation
import StreamCore
import Synchronization

/// The streams of a registry at work: one `StreamRunner` per stream, all on one libcurl loop,
/// publishing into one `SnapshotStore`. The narrow interface the UI, `run --headless` and
/// `status.json` use: commands in (start, stop), snapshots out.
public final class Engine: Sendable {
    public let store = SnapshotStore()
    private let loop: CurlLoop
    private let runners: Mutex<[String: StreamRunner]>
    private let stateDirectory: String?

    public init(specs: [StreamSpec], stateDirectory: String?, time: any TimeSource = SystemTimeSource(), wall: any WallClock = SystemWallClock()) throws {
        loop = try CurlLoop()
        self.stateDirectory = stateDirectory
        let notifier = Notifier(loop: loop)
        // Each stream has its own serial queue (its events stay in order), and those queues
        // share one serial target per core: thousands of streams then run on a few threads
        // instead of waking a thread for every event.
        let targets = (0..<max(1, ProcessInfo.processInfo.activeProcessorCount)).map { DispatchQueue(label: "streamtop.streams.\($0)") }
        var runners: [String: StreamRunner] = [:]
        for (index, spec) in specs.enumerated() {
            runners[spec.id] = StreamRunner(
                spec: spec, loop: loop, store: store, time: time, wall: wall, stateDirectory: stateDirectory,
                notifier: notifier, target: targets[index % targets.count])
        }
        self.runners = Mutex(runners)
    }

    public func start(id: String) {
        runners.withLock { $0[id] }?.start()
    }

    public func stop(id: String) {
        runners.withLock { $0[id] }?.stop()
    }

    /// Starts the streams marked to run (`autostart`).
    public func startAutostart() {
        for runner in runners.withLock({ Array($0.values) }) where runner.spec.autostart {
            runner.start()
        }
    }

    /// Stops every stream and the loop.
    public func shutdown() {
        let all = runners.withLock { Array($0.values) }
        for runner in all { runner.stop() }
        // Let each stream's queue see its connection end before the loop goes away.
        for runner in all { runner.queue.sync {} }
        loop.shutdown()
        for runner in all { runner.queue.sync { runner.publishNow() } }
    }

    /// Writes `status.json` (the latest snapshot of every stream) atomically into the state
    /// directory, for scripts.
    public func writeStatus(at wall: UTCTime) throws {
        guard let stateDirectory else { return }
        try makeDirectories(stateDirectory)
        let (_, snapshots) = store.latest()
        let json: JSONValue = ["updatedAt": .string(wall.iso8601), "streams": .array(snapshots.map(StatusFile.json))]
        try StatusFile.write(JSONWriter.data(json, pretty: true) + [0x0A], to: "\(stateDirectory)/status.json")
    }
}
