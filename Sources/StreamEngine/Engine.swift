import Foundation
import StreamCore
import Synchronization

/// The streams of a registry at work: one `StreamRunner` per stream, all on one libcurl loop,
/// publishing into one `SnapshotStore`. The narrow interface the UI, `run --headless` and
/// `status.json` use: commands in (start, stop), snapshots out.
public final class Engine: Sendable {
    public let store = SnapshotStore()
    /// The streams of the registry this engine runs (`Shard.all` unless `run --shard`); the
    /// others are left to the engines of the other shards.
    public let shard: Shard
    private let loop: CurlLoop
    let runners: Mutex<[String: StreamRunner]>
    /// The feeds of the served streams (`"serve": true`), by id: each outlives its stream's
    /// runners, so an edit or restart does not cut its clients off.
    private let feeds = Mutex<[String: ServedFeed]>([:])
    private let stateDirectory: String?
    private let registryFile: RegistryFile?
    private let notifier: Notifier
    private let targets: [DispatchQueue]
    /// The clock, and every deadline of every stream.
    private let time: any Scheduler
    private let wall: any WallClock
    /// The engine's moments as wall-clock time, fixed at its start: how STATUS writes them.
    package let wallTime: WallTime
    /// Each stream's STATUS text, shared by status.json and the control API.
    package let statusTexts: StatusCache
    private let changeWindow: Duration
    private let storage: StorageLimits
    /// The bytes under the state directory, counted by every stream's log and archive.
    private let ledger = DiskLedger(collectsClosedParts: true)
    /// Keeps the state directory within its budget (nil without a state directory).
    package let disk: DiskKeeper?
    /// Sends closed archive segments to S3 (nil: the archive stays local).
    package let uploader: ArchiveUploader?
    /// Held while streams are added, edited, removed or followed from the registry file, so
    /// that a person's change and one read from the file cannot interleave (and, say, make
    /// two runners for one new stream).
    private let changes = NSLock()
    /// Descriptors kept for status.json, so that it can say what is wrong when the streams
    /// have taken every other one (a hard open-file limit too low for the registry).
    private let statusReserve: DescriptorReserve?

    /// `registryFile`: where `start` and `stop` remember a person's choice (each stream's
    /// `autostart`), so the streams running when streamtop ends resume when it starts again.
    /// `storage`: the disk budget of the state directory and the caps of each stream's files;
    /// `environment`: where `CURL_CA_BUNDLE` and `SSL_CERT_FILE` are read from; `shard`: only
    /// the specs of this shard run here; `upload`: where closed archive segments go (with a
    /// state directory).
    package init(
        specs: [StreamSpec], stateDirectory: String?, registryFile: RegistryFile? = nil, shard: Shard = .all,
        time: any Scheduler = SystemScheduler(), wall: any WallClock = SystemWallClock(),
        changeWindow: Duration = .seconds(60), storage: StorageLimits = StorageLimits(),
        upload: ArchiveUploadSettings? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        let loop = try CurlLoop(environment: environment)
        self.loop = loop
        self.shard = shard
        var storage = storage
        storage.archiveWaitsForUpload = upload != nil && stateDirectory != nil
        self.storage = storage
        let (ledger, store) = (ledger, store)
        let uploader = stateDirectory.flatMap { directory in
            upload.map {
                ArchiveUploader(
                    stateDirectory: directory, objects: $0.objects(loop), keepLocal: $0.keepLocal, ledger: ledger,
                    store: store, time: time, wall: wall)
            }
        }
        self.uploader = uploader
        let relay = EngineRelay()
        let hooks = uploader.map { uploader in
            ArchiveUploadHooks(
                compressed: { path, bytes in uploader.enqueue(path, bytes: bytes) },
                lost: { stream, part in relay.engine?.archivePartLost(stream: stream, part: part) })
        }
        disk = stateDirectory.map { directory in
            DiskKeeper(
                stateDirectory: directory, budget: storage.diskBudget ?? DiskKeeper.defaultBudget(for: directory),
                ledger: ledger, store: store, wall: wall, limits: storage, uploads: hooks)
        }
        self.stateDirectory = stateDirectory
        statusReserve = stateDirectory == nil ? nil : DescriptorReserve()
        self.registryFile = registryFile
        notifier = Notifier(loop: loop, time: time)
        self.time = time
        self.wall = wall
        wallTime = WallTime(time: time, wall: wall)
        statusTexts = StatusCache(wall: wallTime)
        self.changeWindow = changeWindow
        // Each stream has its own serial queue (its events stay in order), and those queues
        // share one serial target per core: thousands of streams then run on a few threads
        // instead of waking a thread for every event.
        targets = (0..<max(1, ProcessInfo.processInfo.activeProcessorCount)).map { DispatchQueue(label: "streamtop.streams.\($0)") }
        runners = Mutex([:])
        for spec in specs where shard.contains(id: spec.id) { _ = makeRunner(spec) }
        relay.engine = self
        uploader?.start()
        disk?.start()
    }

    /// A part of a stream's archive was removed for the disk budget before it reached S3: said
    /// in the stream's log too (the keeper said it as an alert), when the stream is here.
    private func archivePartLost(stream: String, part: String) {
        runners.withLock { $0[stream] }?.archivePartLost(part, budget: disk?.budget ?? 0)
    }

    private func makeRunner(_ spec: StreamSpec, firstVersion: Int = 0) -> StreamRunner {
        let index = Int(StreamRunner.stableSeed(spec.id) % UInt64(targets.count))
        let runner = StreamRunner(
            spec: spec, loop: loop, store: store, time: time, wall: wall, stateDirectory: stateDirectory,
            notifier: notifier, target: targets[index], parseTarget: targets[(index + 1) % targets.count],
            changeWindow: changeWindow, storage: storage, ledger: ledger,
            firstVersion: firstVersion, served: feed(for: spec))
        runners.withLock { $0[spec.id] = runner }
        return runner
    }

    /// The feed of `spec` when it is served (made on first use); a feed no longer served is closed.
    private func feed(for spec: StreamSpec) -> ServedFeed? {
        let (feed, unserved) = feeds.withLock { feeds -> (ServedFeed?, ServedFeed?) in
            guard spec.serve else { return (nil, feeds.removeValue(forKey: spec.id)) }
            if let feed = feeds[spec.id] { return (feed, nil) }
            // Versions from the wall clock in milliseconds: they grow across restarts (see `ServedFeed`).
            let feed = ServedFeed(
                id: spec.id, firstVersion: Int(wall.now().secondsSinceEpoch * 1000), time: time)
            feeds[spec.id] = feed
            return (feed, nil)
        }
        unserved?.close()
        return feed
    }

    /// Stream `id`'s feed when it is served here (nil: no such stream, or not served).
    package func servedFeed(id: String) -> ServedFeed? {
        feeds.withLock { $0[id] }
    }

    /// The specs of every stream, by id.
    public var specs: [StreamSpec] {
        runners.withLock { $0.values.map(\.spec) }.sorted { $0.id < $1.id }
    }

    /// Registers a new stream while running (saved to the registry first: if that fails,
    /// nothing changes). It starts when its spec says `autostart`. A stream of another shard
    /// is saved only: its shard's engine takes it in from the registry.
    public func add(_ spec: StreamSpec) throws(EngineChangeError) {
        changes.lock()
        defer { changes.unlock() }
        do { try spec.validate() } catch { throw .invalid(error) }
        guard runners.withLock({ $0[spec.id] }) == nil else { throw .taken(id: spec.id) }
        do {
            try registryFile?.change { registry throws(SpecError) in try registry.add(spec) }
        } catch {
            throw .registry(error)
        }
        if shard.contains(id: spec.id) { adopt(spec) }
    }

    private func adopt(_ spec: StreamSpec) {
        let runner = makeRunner(spec)
        if spec.autostart { runner.start() }
    }

    /// Replaces stream `spec.id`'s settings: the old connection stops, and the stream runs
    /// again with the new ones if it was running (its measurements start over).
    public func update(_ spec: StreamSpec) throws(EngineChangeError) {
        changes.lock()
        defer { changes.unlock() }
        do { try spec.validate() } catch { throw .invalid(error) }
        guard shard.contains(id: spec.id) else {
            // Another shard's stream: saved as it is (whether it runs is its engine's to say).
            do {
                try registryFile?.change { registry throws(SpecError) in
                    var updated = spec
                    updated.autostart = registry.spec(id: spec.id)?.autostart ?? spec.autostart
                    try registry.update(updated)
                }
            } catch {
                throw .registry(error)
            }
            return
        }
        guard runners.withLock({ $0[spec.id] }) != nil else { throw .notRegistered(id: spec.id) }
        var updated = spec
        updated.autostart = isRunning(spec.id)
        do {
            try registryFile?.change { registry throws(SpecError) in try registry.update(updated) }
        } catch {
            throw .registry(error)
        }
        replace(with: updated)
    }

    /// Whether stream `id` runs or was asked to: its runner's intent, not its last published
    /// state, which lags (an edit right after another would otherwise stop the stream).
    private func isRunning(_ id: String) -> Bool {
        runners.withLock { $0[id] }?.isWanted ?? false
    }

    /// The old runner retires first; the new one runs if the stream was running.
    private func replace(with spec: StreamSpec) {
        let wasRunning = isRunning(spec.id)
        runners.withLock { $0[spec.id] }?.retire()
        // Its versions carry on from the old runner's: a client that keys on them sees a change.
        let runner = makeRunner(spec, firstVersion: store.snapshot(id: spec.id)?.version ?? 0)
        if wasRunning { runner.start() }
    }

    /// Stops stream `id` and forgets it (registry, snapshots). Its log and archive stay on disk.
    public func remove(id: String) throws(EngineChangeError) {
        changes.lock()
        defer { changes.unlock() }
        guard runners.withLock({ $0[id] }) != nil else { throw .notRegistered(id: id) }
        do {
            try registryFile?.change { registry in _ = registry.remove(id: id) }
        } catch {
            throw .registry(error)
        }
        drop(id: id)
    }

    private func drop(id: String) {
        guard let runner = runners.withLock({ $0.removeValue(forKey: id) }) else { return }
        runner.retire()
        feeds.withLock { $0.removeValue(forKey: id) }?.close()
        store.remove(id: id)
    }

    /// What following the registry file changed.
    public struct Followed: Sendable, Equatable {
        public var added: [String] = []
        public var removed: [String] = []
        public var edited: [String] = []
        public var isEmpty: Bool { added.isEmpty && removed.isEmpty && edited.isEmpty }
    }

    /// Takes in changes other processes made to the registry (`streamtop add` or `remove`
    /// from a script, an edit by hand): new streams are added, and start when marked to run;
    /// streams no longer registered stop and go; edited ones run again with their new
    /// settings. Whether a stream runs is this engine's to decide, so a changed `autostart`
    /// alone changes nothing (it is also what this engine writes when a person starts or
    /// stops a stream). Streams of other shards are not this engine's.
    public func follow(_ registry: Registry) -> Followed {
        changes.lock()
        defer { changes.unlock() }
        func sameSettings(_ a: StreamSpec, _ b: StreamSpec) -> Bool {
            var a = a
            a.autostart = b.autostart
            return a == b
        }
        let current = runners.withLock { $0.mapValues(\.spec) }
        var followed = Followed()
        for spec in registry.streams where shard.contains(id: spec.id) {
            if let known = current[spec.id] {
                guard !sameSettings(spec, known) else { continue }
                replace(with: spec)
                followed.edited.append(spec.id)
            } else {
                adopt(spec)
                followed.added.append(spec.id)
            }
        }
        let registered = Set(registry.streams.map(\.id))
        for id in current.keys.sorted() where !registered.contains(id) {
            drop(id: id)
            followed.removed.append(id)
        }
        return followed
    }

    /// Every stream lets go of its log and archive files; the next lines open them by name
    /// again (SIGHUP: logs moved by logrotate are followed by new ones).
    public func reopenFiles() {
        for runner in runners.withLock({ Array($0.values) }) { runner.reopenFiles() }
    }

    /// Reconnects stream `id` (a fresh snapshot), or starts it when stopped.
    public func restart(id: String) {
        runners.withLock { $0[id] }?.restart()
        _ = remember(id: id, running: true)
    }

    /// Stream `id`'s snapshot once what was asked of it so far has run on its queue and been
    /// published (nil: no such stream): what an API answers after a start, stop or edit.
    package func settledSnapshot(id: String) -> StreamSnapshot? {
        guard let runner = runners.withLock({ $0[id] }) else { return nil }
        runner.queue.sync { runner.publishNow() }
        return store.snapshot(id: id)
    }

    /// Whether stream `id` is registered here.
    package func has(id: String) -> Bool { runners.withLock { $0[id] != nil } }

    /// Stream `id`'s current JSON document (nil before the first one arrived).
    public func document(id: String) -> JSONValue? {
        runners.withLock { $0[id] }?.currentDocument()
    }

    /// Stream `id`'s document as a tree: cheap to take (its storage is shared), for a caller
    /// that compares it often.
    package func documentTree(id: String) -> JSONTree? {
        runners.withLock { $0[id] }?.currentTree()
    }

    /// Stream `id`'s last `limit` log entries (at most 1,000), oldest first, read back from its
    /// log files; empty without a state directory.
    public func recentLog(id: String, limit: Int = 1000) -> [LogEntry] {
        runners.withLock { $0[id] }?.recentLog(limit: limit) ?? []
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

    /// Starts the streams marked to run (`autostart`), or every stream with `all`, without
    /// changing what the registry remembers.
    public func startAutostart(all: Bool = false) {
        for runner in runners.withLock({ Array($0.values) }) where all || runner.spec.autostart {
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
        if let uploader {
            // The open segments go too, while the loop still runs.
            for runner in all { runner.endArchive() }
            disk?.compressClosedNow()
            _ = uploader.drain(timeout: uploadDrainTimeout)
        }
        loop.shutdown()
        for feed in feeds.withLock({ Array($0.values) }) { feed.close() }
        for runner in all { runner.queue.sync { runner.publishNow() } }
        disk?.stop()
    }

    /// For each group with a streamed and a polled stream of the same API: what streaming saves
    /// against polling (`Savings`), nil until both have run for a minute.
    public static func groupSavings(
        _ snapshots: [StreamSnapshot]
    ) -> [(group: String, streamed: String, polled: String, savings: Double?)] {
        groupPairs(snapshots).map { ($0.group, $0.streamed.id, $0.polled.id, $0.pair?.savings) }
    }

    /// Each group's first streamed and first polled stream, by group name, with their byte rates.
    public static func groupPairs(
        _ snapshots: [StreamSnapshot]
    ) -> [(group: String, streamed: StreamSnapshot, polled: StreamSnapshot, pair: Savings.Pair?)] {
        var members: [String: (streamed: StreamSnapshot?, polled: StreamSnapshot?)] = [:]
        for snapshot in snapshots {
            guard let group = snapshot.group else { continue }
            switch snapshot.mode {
            case .sse: if members[group]?.streamed == nil { members[group, default: (nil, nil)].streamed = snapshot }
            case .poll: if members[group]?.polled == nil { members[group, default: (nil, nil)].polled = snapshot }
            }
        }
        return members.sorted { $0.key < $1.key }.compactMap { group, pair in
            guard let streamed = pair.streamed, let polled = pair.polled else { return nil }
            return (group, streamed, polled, Savings.groupPair(streamed: streamed.metrics, polled: polled.metrics))
        }
    }

    /// How long shutdown waits for the last segments to reach S3; what does not goes on the
    /// next start.
    package var uploadDrainTimeout: Duration { .seconds(30) }

    private let statusWritten = Mutex<(version: Int, at: Double)>((-1, 0))

    /// Writes `status.json` when a stream published since the last write, and at least every
    /// `refresh` seconds (its `updatedAt` tells scripts the engine is alive): thousands of
    /// idle streams then cost no disk writes. Returns whether it wrote.
    @discardableResult
    public func writeStatusIfMoved(at wall: UTCTime, refresh: Double = 10) throws -> Bool {
        let version = store.version
        let due = statusWritten.withLock { last in version != last.version || wall.secondsSinceEpoch - last.at >= refresh }
        guard due else { return false }
        try writeStatus(at: wall)
        statusWritten.withLock { $0 = (version, wall.secondsSinceEpoch) }
        return true
    }

    /// Writes `status.json` (the latest snapshot of every stream) atomically into the state
    /// directory, for scripts: each STATUS on a line of its own.
    public func writeStatus(at wall: UTCTime) throws {
        guard let stateDirectory else { return }
        try makeDirectories(stateDirectory)
        let (_, snapshots) = store.latest()
        let bytes = StatusFile.text(
            updatedAt: wall, statuses: statusTexts.texts(for: snapshots),
            groups: StatusFile.groups(snapshots), disk: store.disk.map(StatusFile.json))
        try StatusFile.write(bytes, to: "\(stateDirectory)/status.json", reserve: statusReserve)
    }
}

/// The engine, for what is made before it is whole and must reach it later (the disk keeper's
/// hooks): set once at the end of its init, held weakly.
private final class EngineRelay: Sendable {
    private let reference = Mutex<WeakEngine>(WeakEngine())

    private struct WeakEngine {
        weak var engine: Engine?
    }

    var engine: Engine? {
        get { reference.withLock { $0.engine } }
        set { reference.withLock { $0.engine = newValue } }
    }
}
