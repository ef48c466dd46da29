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
    private let registryFile: RegistryFile?

    /// `registryFile`: where `start` and `stop` remember a person's choice (each stream's
    /// `autostart`), so the streams running when streamtop ends resume when it starts again.
    public init(specs: [StreamSpec], stateDirectory: String?, registryFile: RegistryFile? = nil, time: any TimeSource = SystemTimeSource(), wall: any WallClock = SystemWallClock()) throws {
        loop = try CurlLoop()
        self.stateDirectory = stateDirectory
        self.registryFile = registryFile
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

    /// Starts stream `id` (a person's action) and remembers it in the registry. Returns the
    /// error when the registry could not be written; the stream starts anyway.
    @discardableResult
    public func start(id: String) -> RegistryError? {
        runners.withLock { $0[id] }?.start()
        return remember(id: id, running: true)
    }

    /// Stops stream `id` (a person's action) and remembers it in the registry. Returns the
    /// error when the registry could not be written; the stream stops anyway.
    @discardableResult
    public func stop(id: String) -> RegistryError? {
        runners.withLock { $0[id] }?.stop()
        return remember(id: id, running: false)
    }

    private func remember(id: String, running: Bool) -> RegistryError? {
        do {
            try registryFile?.setAutostart(id: id, running)
            return nil
        } catch {
            return error
        }
    }

    /// Stream `id`'s per-minute history and recent change windows (nil: no such stream). Not
    /// part of the published snapshots: a view asks for it for the one stream it shows.
    public func history(id: String) -> StreamHistory? {
        runners.withLock { $0[id] }?.history()
    }

    /// Starts the streams marked to run (`autostart`).
    public func startAutostart() {
        for runner in runners.withLock({ Array($0.values) }) where runner.spec.autostart {
            runner.start()
        }
    }

    /// Stops every stream and the loop. Not a person's choice per stream: the registry keeps
    /// which streams were running, for the next start.
    public func shutdown() {
        let all = runners.withLock { Array($0.values) }
        for runner in all { runner.stop() }
        // Let each stream's queue see its connection end before the loop goes away.
        for runner in all { runner.queue.sync {} }
        loop.shutdown()
        for runner in all { runner.queue.sync { runner.publishNow() } }
    }

    /// For each group with a streamed and a polled stream of the same API: the share of the
    /// polled stream's bytes per second that streaming did without (see `GroupSavings`).
    public static func groupSavings(_ snapshots: [StreamSnapshot]) -> [(group: String, streamed: String, polled: String, savings: Double?)] {
        var result: [(String, String, String, Double?)] = []
        let grouped = Dictionary(grouping: snapshots.filter { $0.group != nil }, by: { $0.group! })
        for (group, members) in grouped.sorted(by: { $0.key < $1.key }) {
            guard let streamed = members.first(where: { $0.mode == .sse }), let polled = members.first(where: { $0.mode == .poll }) else { continue }
            result.append((group, streamed.id, polled.id, GroupSavings.streamedVersusPolled(streamed: streamed.metrics, polled: polled.metrics)))
        }
        return result
    }

    /// Writes `status.json` (the latest snapshot of every stream) atomically into the state
    /// directory, for scripts.
    public func writeStatus(at wall: UTCTime) throws {
        guard let stateDirectory else { return }
        try makeDirectories(stateDirectory)
        let (_, snapshots) = store.latest()
        let json: JSONValue = [
            "updatedAt": .string(wall.iso8601), "streams": .array(snapshots.map(StatusFile.json)),
            "groups": .array(Engine.groupSavings(snapshots).map { group in
                ["group": .string(group.group), "streamed": .string(group.streamed), "polled": .string(group.polled),
                 "savings": group.savings.flatMap { JSONNumber($0) }.map { .number($0) } ?? .null]
            }),
        ]
        try StatusFile.write(JSONWriter.data(json, pretty: true) + [0x0A], to: "\(stateDirectory)/status.json")
    }
}
