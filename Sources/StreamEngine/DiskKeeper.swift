#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import StreamCore

/// Keeps a state directory within its disk budget, on a queue of its own, once a second. It
/// compresses the archive parts their writers closed (gzip), and while the directory exceeds
/// the budget it removes the oldest closed archive parts and rotated logs, across all streams,
/// by the time they were last written: never a file being written (a day's open part, a
/// current log). Between full scans (every minute) it goes by the writers' running total in
/// the `DiskLedger`, so a round costs next to nothing for thousands of streams. When pruning
/// begins and when it stops is said once each, as an alert; the status is published for
/// status.json and the monitor.
///
/// With uploads to S3, a part not yet uploaded (not listed in its stream's `uploaded` file) is
/// removed only when nothing else is left to remove: the parts already uploaded (and kept with
/// `--s3-keep-local`) and the rotated logs go first, oldest first. Removing a part that never
/// reached S3 loses it: that is said once per stream while pruning lasts, as an alert naming
/// the part, and to the `ArchiveUploadHooks`' `lost` (the stream's log).
package final class DiskKeeper: @unchecked Sendable {  // mutable state is confined to `queue`
    package let budget: Int
    private let directory: String
    private let ledger: DiskLedger
    private let store: SnapshotStore
    private let wall: any WallClock
    private let limits: StorageLimits
    private let queue = DispatchQueue(label: "streamtop.disk")
    private var timer: DispatchSourceTimer?

    /// A file the budget may remove: identified by its inode too, since a log's rotation puts
    /// another file under its name.
    struct Candidate {
        var path: String
        var inode: ino_t
        var modified: Double
        /// The stream whose archive part it is; nil for a rotated log.
        var stream: String?

        /// The file's name, and the directory it is in.
        var split: (directory: String, name: String) {
            let slash = path.lastIndex(of: "/") ?? path.startIndex
            return (String(path[..<slash]), String(path[path.index(after: slash)...]))
        }
    }

    /// As of the last scan (and the parts compressed since), newest first: what may be removed
    /// without losing anything S3 has not got.
    private var candidates: [Candidate] = []
    /// With uploads, the closed parts not yet uploaded as of the last scan (and those
    /// compressed since), newest first: removed only when `candidates` is empty.
    private var notUploaded: [Candidate] = []
    /// Streams told of a part lost since pruning began.
    private var toldLost: Set<String> = []
    /// Closed parts to compress, oldest first.
    private var uncompressed: [String] = []
    /// The most bytes compressed in a round (at least one part): a backlog (an archive of
    /// whole days from before parts) is worked through over many rounds, and pruning is
    /// never held up behind it.
    static let compressedPerRound = 64 << 20
    private var lastScan: Double?
    private var lastRemoval: Double?
    private var state: DiskStatus
    private var compressing = StorageHealth()
    /// With S3: the uploader's side of the archive (nil: no uploads).
    private let uploads: ArchiveUploadHooks?

    package init(
        stateDirectory: String, budget: Int, ledger: DiskLedger, store: SnapshotStore, wall: any WallClock,
        limits: StorageLimits, uploads: ArchiveUploadHooks? = nil
    ) {
        self.uploads = uploads
        directory = stateDirectory
        self.budget = budget
        self.ledger = ledger
        self.store = store
        self.wall = wall
        self.limits = limits
        state = DiskStatus(budget: budget, used: 0)
    }

    deinit { timer?.cancel() }

    /// The smaller of 10 GiB and a tenth of the file system that holds `directory` (or would:
    /// the nearest existing parent's).
    package static func defaultBudget(for directory: String) -> Int {
        var path = directory
        var info = statvfs()
        while statvfs(path.isEmpty ? "/" : path, &info) != 0 {
            guard let slash = path.lastIndex(of: "/"), !path.isEmpty else { return 10 << 30 }
            path = String(path[..<slash])
        }
        let (size, overflow) = Int(info.f_blocks).multipliedReportingOverflow(by: Int(info.f_frsize))
        return overflow ? 10 << 30 : min(10 << 30, size / 10)
    }

    /// Rounds once a second from now on.
    package func start() {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now(), repeating: 1)
        timer.setEventHandler { [weak self] in self?.round() }
        self.timer = timer
        timer.resume()
    }

    /// Stops the rounds, waiting for one in progress.
    package func stop() {
        timer?.cancel()
        queue.sync {}
    }

    /// Compresses every part its writer closed, now (shutdown, before the last uploads).
    package func compressClosedNow() {
        queue.sync {
            uncompressed += ledger.takeClosed()
            compressSome(limit: .max)
        }
    }

    /// One round now (tests; the timer does the same).
    package func check() {
        queue.sync { round() }
    }

    private func round() {
        dispatchPrecondition(condition: .onQueue(queue))
        let now = wall.now()
        uncompressed += ledger.takeClosed()
        if lastScan.map({ now.secondsSinceEpoch - $0 >= limits.rescanInterval }) ?? true { scan(at: now) }
        // Files being written take at most a quarter of the budget.
        ledger.activeFileLimit = max(limits.minimumActiveBytes, budget / (4 * max(1, ledger.openFiles)))
        let wasPruning = state.pruning
        prune(at: now)
        compressSome()
        if state.pruning && !wasPruning {
            let since = state.keptSince.map { "; kept since \($0.iso8601)" } ?? ""
            let reached = "disk budget (\(HumanUnits.bytes(budget))) reached"
            let message = "\(reached): removing the oldest archive parts and rotated logs\(since)"
            store.publishAlert(stream: "", message: message, recovered: false)
        } else if state.pruning, let lastRemoval, now.secondsSinceEpoch - lastRemoval >= limits.quietPeriod {
            state.pruning = false
            toldLost = []
            let quiet = HumanUnits.duration(seconds: limits.quietPeriod)
            let used = "\(HumanUnits.bytes(ledger.used)) of \(HumanUnits.bytes(budget)) used"
            store.publishAlert(
                stream: "", message: "disk: nothing removed for the budget in \(quiet); \(used)", recovered: true)
        }
        state.used = ledger.used
        store.publishDisk(state)
    }

    /// Removes the oldest candidates while over the budget. When none is left, looks again
    /// (at most every 5 s: what is left may all be files being written, or parts uploaded
    /// since); then, the oldest parts not uploaded.
    private func prune(at now: UTCTime) {
        var scanned = false
        while ledger.used > budget {
            if let oldest = candidates.popLast() {
                remove(oldest, at: now)
            } else if !scanned, now.secondsSinceEpoch - (lastScan ?? 0) >= 5 {
                scanned = true
                scan(at: now)
            } else if let oldest = notUploaded.popLast() {
                // Uploaded since the scan (and kept), it is no loss.
                remove(oldest, at: now, lost: !isUploaded(oldest))
            } else {
                return
            }
        }
    }

    private func remove(_ candidate: Candidate, at now: UTCTime, lost: Bool = false) {
        guard let removed = ledger.remove(candidate.path, inode: candidate.inode) else { return }
        state.pruning = true
        state.removedFiles += 1
        state.removedBytes += removed
        let written = UTCTime(secondsSinceEpoch: candidate.modified)
        state.keptSince = max(state.keptSince ?? written, written)
        lastRemoval = now.secondsSinceEpoch
        if lost, let stream = candidate.stream { said(lost: candidate, of: stream) }
    }

    /// A part that never reached S3 was removed: said once per stream while pruning lasts.
    private func said(lost candidate: Candidate, of stream: String) {
        guard toldLost.insert(stream).inserted else { return }
        let name = candidate.split.name
        let message = "stream '\(stream)': archive segment \(name) was removed for the disk budget "
            + "(\(HumanUnits.bytes(budget))) before it reached S3: lost"
        store.publishAlert(stream: stream, message: Sanitizer.line(message), recovered: false)
        uploads?.lost(stream, name)
    }

    /// Whether the part is listed as uploaded in its stream's `uploaded` file now.
    private func isUploaded(_ candidate: Candidate) -> Bool {
        let (directory, name) = candidate.split
        return UploadedParts.names(in: directory).contains(name)
    }

    /// Compresses closed parts, oldest first, up to `compressedPerRound` bytes.
    private func compressSome(limit: Int = DiskKeeper.compressedPerRound) {
        var done = 0
        while done < limit, !uncompressed.isEmpty {
            let path = uncompressed.removeFirst()
            guard let compressed = compress(path) else { continue }
            done += compressed.replaced
            // It keeps its place in the candidates, under its new name (uploaded it is not).
            if let index = candidates.firstIndex(where: { $0.path == path }) {
                candidates[index] = compressed.candidate
            } else if let index = notUploaded.firstIndex(where: { $0.path == path }) {
                notUploaded[index] = compressed.candidate
            } else if uploads != nil {
                notUploaded.insert(compressed.candidate, at: 0)
            } else {
                candidates.insert(compressed.candidate, at: 0)
            }
        }
    }

    /// Lists every file (to set the running total to what is on disk) and the candidates,
    /// and finds closed parts left uncompressed (by an earlier run, or a day that ended).
    private func scan(at now: UTCTime) {
        lastScan = now.secondsSinceEpoch
        let before = ledger.used
        // Everything listed is counted, removed or not: a removal through the ledger counts
        // its bytes out itself.
        var total = DirectoryEntry.list(directory).filter(\.isFile).reduce(0) { $0 + $1.bytes }
        var found: [Candidate] = []
        var waiting: [Candidate] = []
        var leftOver: [String] = []
        for entry in DirectoryEntry.list(directory + "/logs") where entry.isFile {
            total += entry.bytes
            if DiskKeeper.isRotatedLog(entry.name) {
                let path = "\(directory)/logs/\(entry.name)"
                found.append(Candidate(path: path, inode: entry.inode, modified: entry.modified))
            }
        }
        for stream in DirectoryEntry.list(directory + "/archive") where stream.isDirectory {
            let streamDirectory = "\(directory)/archive/\(stream.name)"
            var parts: [(part: ArchivePart, entry: DirectoryEntry)] = []
            for entry in DirectoryEntry.list(streamDirectory) where entry.isFile {
                total += entry.bytes
                if entry.name.hasSuffix(".jsonl.gz.tmp") {
                    ledger.remove("\(streamDirectory)/\(entry.name)")  // a compression cut short
                } else if let part = ArchivePart(name: entry.name) {
                    parts.append((part, entry))
                }
            }
            let names = Set(parts.map(\.part))
            let newest = names.max()
            let uploaded = uploads == nil ? [] : UploadedParts.names(in: streamDirectory)
            for (part, entry) in parts {
                let path = "\(streamDirectory)/\(entry.name)"
                // The newest part is written again when its stream runs, until its segment ends.
                guard !(part == newest && !segmentEnded(part, at: now)), !ledger.isOpen(path) else { continue }
                if !part.compressed {
                    var twin = part
                    twin.compressed = true
                    if names.contains(twin) {
                        ledger.remove(path, inode: entry.inode)  // compressed before a crash: the copy is whole
                        continue
                    }
                    leftOver.append(path)
                }
                let candidate = Candidate(path: path, inode: entry.inode, modified: entry.modified, stream: stream.name)
                if uploads == nil || uploaded.contains(entry.name) {
                    found.append(candidate)
                } else {
                    waiting.append(candidate)
                }
            }
        }
        ledger.add(total - before)
        candidates = found.sorted { ($0.modified, $0.path) > ($1.modified, $1.path) }
        notUploaded = waiting.sorted { ($0.modified, $0.path) > ($1.modified, $1.path) }
        let queued = Set(uncompressed)
        uncompressed += leftOver.sorted().filter { !queued.contains($0) }
    }

    /// Whether the segment of `part` is over at `now` (a part from before segments: its day).
    private func segmentEnded(_ part: ArchivePart, at now: UTCTime) -> Bool {
        let start = part.segmentStart.secondsSinceEpoch
        let dayEnd = Double((part.segmentStart.day + 1) * 86_400)
        let length = part.start == nil ? 86_400 : Double(limits.archiveSegmentSeconds)
        return now.secondsSinceEpoch >= min(start + length, dayEnd)
    }

    /// `<stream>.jsonl.<n>`.
    static func isRotatedLog(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        let suffix = name[name.index(after: dot)...]
        let digits = !suffix.isEmpty && suffix.utf8.allSatisfy { (0x30...0x39).contains($0) }
        return digits && name[..<dot].hasSuffix(".jsonl")
    }

    /// Compresses the closed part at `path` into `<path>.gz`, which replaces it; nil when it
    /// is being written, is gone, or could not be compressed (said once per incident).
    private func compress(_ path: String) -> (candidate: Candidate, replaced: Int)? {
        guard ledger.claim(path) else { return nil }
        let destination = path + ".gz"
        let temporary = destination + ".tmp"
        let bytes: Int
        do {
            bytes = try GzipFile.compress(path, to: temporary)
        } catch {
            ledger.release(path)
            if access(path, F_OK) == 0 { compressionOutcome(error) }  // a part removed meanwhile is no failure
            return nil
        }
        compressionOutcome(nil)
        var status = stat()
        guard let replaced = ledger.finishCompression(
                of: path, temporary: temporary, destination: destination, bytes: bytes),
              stat(destination, &status) == 0 else { return nil }
        let modified = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1_000_000_000
        uploads?.compressed(destination, bytes)
        let directory = path[..<path.lastIndex(of: "/")!]
        let stream = String(directory[directory.index(after: directory.lastIndex(of: "/")!)...])
        return (Candidate(path: destination, inode: status.st_ino, modified: modified, stream: stream), replaced)
    }

    private func compressionOutcome(_ failure: FileError?) {
        switch compressing.record(failure) {
        case .failed(let reason):
            let message = Sanitizer.line("archive parts cannot be compressed (\(reason)); retrying")
            store.publishAlert(stream: "", message: message, recovered: false)
        case .recovered:
            store.publishAlert(stream: "", message: "archive parts are compressed again", recovered: true)
        case nil:
            break
        }
    }
}
