import Foundation
import Synchronization
import TestSupport
import XCTest
@testable import LocalServer
@testable import StreamCore
@testable import StreamEngine

/// A wall clock a test moves by hand.
final class ManualWall: WallClock {
    private let time: Mutex<UTCTime>

    init(_ start: UTCTime) { time = Mutex(start) }

    func now() -> UTCTime { time.withLock { $0 } }
    func advance(seconds: Double) { time.withLock { $0.secondsSinceEpoch += seconds } }
}

/// The state directory's disk budget: closed archive parts are compressed, and past the
/// budget the oldest closed parts and rotated logs go first, across streams, never a file
/// being written; pruning is said when it begins and when it stops.
final class DiskKeeperTests: XCTestCase {
    var state: String!
    let ledger = DiskLedger(collectsClosedParts: true)
    let store = SnapshotStore()

    override func setUpWithError() throws {
        state = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamtop-disk-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: state)
    }

    func keeper(budget: Int, wall: any WallClock = SystemWallClock(), quiet: Double = 3600) -> DiskKeeper {
        var limits = StorageLimits(diskBudget: budget)
        limits.quietPeriod = quiet
        limits.minimumActiveBytes = 4 << 10
        return DiskKeeper(
            stateDirectory: state, budget: budget, ledger: ledger, store: store, wall: wall, limits: limits)
    }

    func archive(_ stream: String) -> StreamArchive {
        StreamArchive(root: state + "/archive", stream: stream, maxBytes: 1 << 20, partBytes: 4 << 10, ledger: ledger)
    }

    func log(_ stream: String) -> StreamLog {
        StreamLog(directory: state + "/logs", stream: stream, maxFileBytes: 4 << 10, keptFiles: 5, ledger: ledger)
    }

    /// Every file under the state directory, by path relative to it, with its size.
    func files() -> [String: Int] {
        var found: [String: Int] = [:]
        let enumerator = FileManager.default.enumerator(atPath: state)!
        while let path = enumerator.nextObject() as? String {
            let attributes = try? FileManager.default.attributesOfItem(atPath: state + "/" + path)
            if attributes?[.type] as? FileAttributeType == .typeRegular { found[path] = attributes?[.size] as? Int }
        }
        return found
    }

    func write(_ archive: StreamArchive, _ log: StreamLog, events: Range<Int>) throws {
        let now = SystemWallClock().now()
        for n in events {
            try archive.appendEvent(time: now, type: "data", id: String(n), data: String(repeating: "q", count: 200))
            try log.append(LogEntry(time: now, kind: "event", fields: ["n": .number(JSONNumber(n))]))
            try archive.flush()
            try log.flush()
        }
    }

    func testClosedPartsAreCompressedAndReadBackWhole() throws {
        let archive = archive("s")
        let log = log("s")
        try write(archive, log, events: 0..<60)
        let directory = state + "/archive/s"
        let closed = archive.files().dropLast().map(\.name)
        XCTAssertGreaterThan(closed.count, 2)
        var contents: [String: Data] = [:]
        for name in closed { contents[name] = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)")) }
        let open = archive.files().last!.name

        keeper(budget: 1 << 30).check()
        let names = archive.files().map(\.name)
        XCTAssertEqual(names, closed.map { $0 + ".gz" } + [open], "closed parts compressed, the open one not")
        for name in closed {
            let system = try systemGunzip("\(directory)/\(name).gz")
            XCTAssertEqual(system.status, 0)
            XCTAssertEqual(Data(system.bytes), contents[name], "\(name): gzip -dc gives back the very bytes")
        }
        XCTAssertEqual(ledger.used, files().values.reduce(0, +), "the running total is what is on disk")
        // Written on, the archive reads back whole, in name order, across compressed parts.
        try write(archive, log, events: 60..<80)
        var ids: [Int] = []
        for name in archive.files().map(\.name) {
            let records = try JSONLinesReader.readFile(path: "\(directory)/\(name)").records
            ids += records.compactMap { $0["id"]?.stringValue.flatMap { Int($0) } }
        }
        XCTAssertEqual(ids, Array(0..<80))
        XCTAssertEqual(store.disk?.pruning, false)
        XCTAssertEqual(store.disk?.budget, 1 << 30)
    }

    func testTheOldestClosedFilesGoFirstAcrossStreamsAndOpenOnesNever() throws {
        let (archiveA, logA, archiveB, logB) = (archive("a"), log("a"), archive("b"), log("b"))
        try write(archiveA, logA, events: 0..<60)
        try write(archiveB, logB, events: 0..<60)
        keeper(budget: 1 << 30).check()  // compressed first, so that sizes hold still
        let open: Set = [
            "archive/a/" + archiveA.files().last!.name, "archive/b/" + archiveB.files().last!.name,
            "logs/a.jsonl", "logs/b.jsonl",
        ]
        // Interleave the two streams' closed files in time, a's and b's, parts and logs.
        var closed = files().keys.filter { !open.contains($0) }.sorted()
        var random = SplitMix64(seed: 11)
        closed.shuffle(using: &random)
        let start = 1_795_953_600.0
        for (index, path) in closed.enumerated() {
            let date = Date(timeIntervalSince1970: start + Double(index) * 60)
            try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: state + "/" + path)
        }
        for prefix in ["logs/a.jsonl.", "logs/b.jsonl.", "archive/a/", "archive/b/"] {
            XCTAssertTrue(closed.contains { $0.hasPrefix(prefix) }, prefix)
        }

        // A budget that needs a third of the closed files gone.
        let sizes = files()
        let total = sizes.values.reduce(0, +)
        let third = closed.prefix(closed.count / 3).reduce(0) { $0 + sizes[$1]! }
        let budget = total - third
        let pruner = keeper(budget: budget)
        pruner.check()
        let left = files()
        let removed = closed.filter { left[$0] == nil }
        XCTAssertEqual(removed, Array(closed.prefix(closed.count / 3)), "the oldest go first, whichever stream")
        XCTAssertLessThanOrEqual(left.values.reduce(0, +), budget)
        let disk = try XCTUnwrap(store.disk)
        XCTAssertTrue(disk.pruning)
        XCTAssertEqual(disk.removedFiles, removed.count)
        XCTAssertEqual(disk.keptSince, UTCTime(secondsSinceEpoch: start + Double(removed.count - 1) * 60))
        XCTAssertEqual(disk.used, left.values.reduce(0, +))
        let alerts = store.alerts(after: 0)
        XCTAssertEqual(alerts.map(\.message), [
            "disk budget (\(HumanUnits.bytes(budget))) reached: removing the oldest archive parts and rotated logs; "
                + "kept since \(disk.keptSince!.iso8601)",
        ])
        XCTAssertEqual(alerts.first?.recovered, false)

        // However small the budget, the files being written stay.
        keeper(budget: 1).check()
        XCTAssertEqual(Set(files().keys), open)
        try write(archiveA, logA, events: 60..<61)
        XCTAssertTrue(try JSONLinesReader.readFile(path: state + "/logs/a.jsonl").records.contains { $0["n"] == 60 })
    }

    func testPruningIsSaidToStopAfterAQuietHour() throws {
        let wall = ManualWall(UTCTime(secondsSinceEpoch: 1_795_953_600))
        let (archive, log) = (archive("s"), log("s"))
        try write(archive, log, events: 0..<60)
        let keeper = keeper(budget: 1, wall: wall, quiet: 3600)
        let version = store.version
        keeper.check()
        XCTAssertEqual(store.disk?.pruning, true)
        XCTAssertGreaterThan(store.version, version, "the monitor redraws when pruning begins")
        wall.advance(seconds: 3599)
        keeper.check()
        XCTAssertEqual(store.disk?.pruning, true, "still within the hour")
        wall.advance(seconds: 1)
        keeper.check()
        XCTAssertEqual(store.disk?.pruning, false)
        let last = try XCTUnwrap(store.alerts(after: 0).last)
        XCTAssertTrue(last.recovered)
        let used = HumanUnits.bytes(ledger.used)
        XCTAssertEqual(last.message, "disk: nothing removed for the budget in 1h; \(used) of 1 B used")
        XCTAssertEqual(store.alerts(after: 0).count, 2, "once when it began, once when it stopped")
    }

    /// A file listed under one name and moved away (a log's rotation) is not removed in its
    /// place: the ledger checks the inode.
    func testARemovalChecksTheFileIsStillTheOneListed() throws {
        let path = state + "/x.jsonl.1"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("a".utf8)))
        let listed = try XCTUnwrap(DirectoryEntry.list(state).first { $0.name == "x.jsonl.1" })
        XCTAssertTrue(FileManager.default.createFile(atPath: state + "/x.jsonl.2", contents: Data("bb".utf8)))
        XCTAssertEqual(rename(state + "/x.jsonl.2", path), 0)
        XCTAssertNil(ledger.remove(path, inode: listed.inode))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data("bb".utf8))
        XCTAssertTrue(ledger.open(path))
        XCTAssertNil(ledger.remove(path), "never a file being written")
        ledger.close(path, compress: false)
        XCTAssertEqual(ledger.remove(path), 2)
        XCTAssertTrue(DiskKeeper.isRotatedLog("quotes.jsonl.12"))
        XCTAssertFalse(DiskKeeper.isRotatedLog("quotes.jsonl"))
        XCTAssertFalse(DiskKeeper.isRotatedLog("quotes.jsonl."))
        XCTAssertFalse(DiskKeeper.isRotatedLog("quotes.txt.1"))
    }

    /// With uploads, the parts already uploaded and the rotated logs go first, however new;
    /// the parts not uploaded only when nothing else is left, oldest first, each stream's
    /// first loss said once (an alert naming it, and the hook that logs it); a part uploaded
    /// since the scan is no loss.
    func testPartsNotUploadedGoLastAndTheirLossIsSaidOncePerStream() throws {
        let lost = Mutex<[String]>([])
        let hooks = ArchiveUploadHooks(compressed: { _, _ in }, lost: { stream, part in
            lost.withLock { $0.append("\(stream)/\(part)") }
        })
        // The wall stands still: no rescan but the first, which the test controls.
        let wall = ManualWall(SystemWallClock().now())
        func keeper(budget: Int) -> DiskKeeper {
            var limits = StorageLimits(diskBudget: budget)
            limits.minimumActiveBytes = 4 << 10
            return DiskKeeper(
                stateDirectory: state, budget: budget, ledger: ledger, store: store, wall: wall, limits: limits,
                uploads: hooks)
        }
        let (archiveA, logA, archiveB, logB) = (archive("a"), log("a"), archive("b"), log("b"))
        try write(archiveA, logA, events: 0..<100)
        try write(archiveB, logB, events: 0..<100)
        keeper(budget: 1 << 30).check()  // compressed first, so that sizes hold still
        let open: Set = [
            "archive/a/" + archiveA.files().last!.name, "archive/b/" + archiveB.files().last!.name,
            "logs/a.jsonl", "logs/b.jsonl",
        ]
        // Oldest first: the parts not uploaded (a's, then b's), the rotated logs, the uploaded parts.
        let parts = files().keys.filter { $0.hasPrefix("archive/") && $0.hasSuffix(".gz") && !open.contains($0) }
        let uploaded = parts.filter { $0.hasSuffix("1.jsonl.gz") || $0.hasSuffix("3.jsonl.gz") }.sorted()
        let waiting = parts.filter { !uploaded.contains($0) }.sorted()
        let logs = files().keys.filter { $0.hasPrefix("logs/") && !open.contains($0) }.sorted()
        XCTAssertGreaterThan(uploaded.count, 1)
        XCTAssertGreaterThan(waiting.filter { $0.hasPrefix("archive/a/") }.count, 2)
        XCTAssertGreaterThan(waiting.filter { $0.hasPrefix("archive/b/") }.count, 2)
        XCTAssertFalse(logs.isEmpty)
        func markUploaded(_ path: String) throws {
            let slash = path.lastIndex(of: "/")!
            try UploadedParts.add(String(path[path.index(after: slash)...]), in: state + "/" + path[..<slash])
        }
        for path in uploaded { try markUploaded(path) }
        let start = 1_795_953_600.0
        for (index, path) in (waiting + logs + uploaded).enumerated() {
            let date = Date(timeIntervalSince1970: start + Double(index) * 60)
            try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: state + "/" + path)
        }

        // A budget that needs every uploaded part and rotated log gone, and no more.
        let sizes = files()
        let total = sizes.values.reduce(0, +)
        let safe = (logs + uploaded).reduce(0) { $0 + sizes[$1]! }
        let budget = total - safe
        let pruner = keeper(budget: budget)
        pruner.check()
        XCTAssertEqual(Set(files().keys), Set(waiting).union(open).union(["archive/a/uploaded", "archive/b/uploaded"]),
                       "the newest, uploaded, went; the oldest, never uploaded, stayed")
        XCTAssertEqual(lost.withLock { $0 }, [])
        XCTAssertFalse(store.alerts(after: 0).contains { $0.message.contains("lost") })

        // Over by a byte more than the oldest part, uploaded (and kept) since the scan: it goes,
        // no loss; then the next oldest, a's, lost and said.
        let late = waiting[0]
        try markUploaded(late)
        ledger.add(sizes[late]! + 1)
        pruner.check()
        XCTAssertNil(files()[late])
        XCTAssertNil(files()[waiting[1]])
        XCTAssertNotNil(files()[waiting[2]], "back within the budget")
        XCTAssertEqual(lost.withLock { $0 }, [String(waiting[1].dropFirst("archive/".count))])

        // Far over: every other part goes, each stream's first loss said once.
        ledger.add(1 << 30)
        pruner.check()
        XCTAssertEqual(Set(files().keys).intersection(waiting), [], "every closed part went at last")
        let firstB = try XCTUnwrap(waiting.first { $0.hasPrefix("archive/b/") })
        let firstLost = [waiting[1], firstB].map { String($0.dropFirst("archive/".count)) }
        XCTAssertEqual(lost.withLock { $0 }, firstLost, "once per stream, its first loss")
        let said = store.alerts(after: 0).filter { $0.message.hasSuffix("before it reached S3: lost") }
        XCTAssertEqual(said.map(\.stream), ["a", "b"])
        XCTAssertEqual(said.map(\.message), firstLost.map { path in
            let (stream, name) = (path.prefix { $0 != "/" }, path.drop { $0 != "/" }.dropFirst())
            return "stream '\(stream)': archive segment \(name) was removed for the disk budget "
                + "(\(HumanUnits.bytes(budget))) before it reached S3: lost"
        })
        XCTAssertEqual(said.map(\.recovered), [false, false])
    }

    func testTheDefaultBudgetIsATenthOfTheFileSystemAtMostTenGiB() throws {
        let size = try XCTUnwrap(FileManager.default.attributesOfFileSystem(forPath: state)[.systemSize] as? Int)
        XCTAssertEqual(DiskKeeper.defaultBudget(for: state), min(10 << 30, size / 10))
        XCTAssertEqual(DiskKeeper.defaultBudget(for: state + "/not/yet/made"), min(10 << 30, size / 10))
    }
}

/// The engine keeps its state directory within the budget while streams write, and says so in
/// status.json and as an alert.
final class DiskBudgetEngineTests: XCTestCase {
    func testAStreamPastTheBudgetIsPrunedAndStatusSaysSo() throws {
        let server = try LocalServer(configuration: .init(
            apis: [.init(name: "quotes", kind: "quotes", period: .milliseconds(5))], retryMilliseconds: 50))
        defer { server.stop() }
        let state = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamtop-budget-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        var storage = StorageLimits(diskBudget: 64 << 10)
        storage.archivePartBytes = 4 << 10
        storage.logFileBytes = 4 << 10
        storage.minimumActiveBytes = 4 << 10
        let engine = try Engine(
            specs: [StreamSpec(id: "quotes", name: "Quotes", url: server.baseURL + "/sse/quotes", autostart: true)],
            stateDirectory: state, storage: storage)
        defer { engine.shutdown() }
        engine.startAutostart()
        waitUntil("the engine to prune past its budget; disk status: \(String(describing: store(engine)))") {
            store(engine)?.pruning == true
        }
        let alerts = engine.store.alerts(after: 0).map(\.message)
        let said = alerts.filter { $0.hasPrefix("disk budget (64.0 KiB) reached: removing the oldest") }
        XCTAssertEqual(said.count, 1, "\(alerts)")

        try engine.writeStatus(at: SystemWallClock().now())
        let status = try StatusFile.read(path: state + "/status.json")
        let disk = try XCTUnwrap(status["disk"])
        XCTAssertEqual(disk["budget"], 65_536)
        XCTAssertEqual(disk["pruning"], true)
        XCTAssertNotNil(disk["keptSince"]?.stringValue.flatMap { UTCTime(iso8601: $0) })
        XCTAssertGreaterThan(disk["removedFiles"]?.numberValue?.intValue ?? 0, 0)

        // Stopped, and pruned once more: what is left fits the budget.
        engine.stop(id: "quotes")
        waitUntil("the stream to stop") { engine.store.snapshot(id: "quotes")?.status.state == .stopped }
        engine.disk?.check()
        var total = 0
        let enumerator = FileManager.default.enumerator(atPath: state)!
        while let path = enumerator.nextObject() as? String {
            let attributes = try FileManager.default.attributesOfItem(atPath: state + "/" + path)
            if attributes[.type] as? FileAttributeType == .typeRegular { total += attributes[.size] as! Int }
        }
        // status.json is counted at the minute's scan, not as it is rewritten.
        XCTAssertLessThanOrEqual(total, (64 << 10) + (4 << 10))
        XCTAssertTrue(FileManager.default.fileExists(atPath: state + "/logs/quotes.jsonl"), "the current log stays")
    }

    func store(_ engine: Engine) -> DiskStatus? { engine.store.disk }

    /// A store that refuses every object: nothing is ever uploaded.
    struct RefusingStore: ArchiveObjectStore {
        var destination: String { "s3://refusing/" }
        func key(stream: String, part: String) -> String? { "refusing/\(stream)/\(part)" }
        func store(key: String, body: [UInt8], completion: @escaping @Sendable (String?) -> Void) {
            completion("refused")
        }
    }

    /// Uploads failing and the budget reached: the segments never uploaded go at last, and
    /// the loss is said once, as an alert and in the stream's log, naming the oldest segment.
    func testSegmentsNeverUploadedLostToTheBudgetAreSaidOnce() throws {
        let state = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamtop-lost-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        // Eight compressed parts of three segments left by an earlier run, none uploaded.
        let archive = StreamArchive(root: state + "/archive", stream: "quotes", partBytes: 4 << 10)
        var random = SplitMix64(seed: 5)
        for n in 0..<120 {
            let time = UTCTime(secondsSinceEpoch: 1_795_946_400 + Double(n) * 90)
            let data = (0..<40).map { _ in String(random.next() % 1000) }.joined(separator: ",")
            try archive.appendEvent(time: time, type: "data", id: String(n), data: "[\(data)]")
        }
        try archive.close()
        let directory = state + "/archive/quotes"
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        XCTAssertGreaterThan(names.count, 6)
        for name in names {
            _ = try GzipFile.compress("\(directory)/\(name)", to: "\(directory)/\(name).gz")
            unlink("\(directory)/\(name)")
        }
        let upload = ArchiveUploadSettings(keepLocal: false) { _ in RefusingStore() }
        let engine = try Engine(
            specs: [StreamSpec(id: "quotes", name: "Quotes", url: "http://127.0.0.1:1/sse", autostart: false)],
            stateDirectory: state, storage: StorageLimits(diskBudget: 1), upload: upload)
        defer { engine.shutdown() }
        waitUntil("every part removed; disk status: \(String(describing: store(engine)))") {
            store(engine)?.removedFiles == names.count
        }
        let alerts = engine.store.alerts(after: 0).filter { $0.message.hasSuffix("before it reached S3: lost") }
        XCTAssertEqual(alerts.map(\.stream), ["quotes"], "once per stream: \(alerts)")
        XCTAssertEqual(
            alerts.first?.message,
            "stream 'quotes': archive segment \(names[0]).gz was removed for the disk budget (1 B) before it "
                + "reached S3: lost")
        var logged: [LogEntry] = []
        waitUntil("the loss in the stream's log") {
            logged = engine.recentLog(id: "quotes")
            return !logged.isEmpty
        }
        XCTAssertEqual(logged.map(\.level), [.warn])
        XCTAssertEqual(logged.first?.kind, "archive")
        XCTAssertEqual(logged.first?.fields["lost"], .string(names[0] + ".gz"))
        XCTAssertEqual(logged.first?.fields["budget"], 1)
    }
}
