#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import StreamCore

/// Where the uploader sends a closed segment: S3 (`S3Client`), or any store that takes a
/// whole object in one request and confirms it.
package protocol ArchiveObjectStore: Sendable {
    /// Where objects go, for people: `s3://bucket/prefix` (no credentials).
    var destination: String { get }
    /// The key of `part` of stream `stream`'s archive (see `ArchivePart.objectKey`).
    func key(stream: String, part: String) -> String?
    /// Stores `body` under `key`; `completion` runs once, on any thread, with nil once the
    /// store confirmed the object, or what went wrong, said for a person.
    func store(key: String, body: [UInt8], completion: @escaping @Sendable (String?) -> Void)
}

/// Where the archive's closed segments go: the store, made on the engine's loop, and whether
/// they stay on disk once uploaded (`--s3-keep-local`).
package struct ArchiveUploadSettings: Sendable {
    package var objects: @Sendable (CurlLoop) -> any ArchiveObjectStore
    package var keepLocal: Bool

    package init(keepLocal: Bool, objects: @escaping @Sendable (CurlLoop) -> any ArchiveObjectStore) {
        self.objects = objects
        self.keepLocal = keepLocal
    }
}

/// How the `DiskKeeper` works with uploads: it hands each part it compressed to the
/// uploader, and tells of a part it had to remove for the disk budget before it was uploaded.
package struct ArchiveUploadHooks: Sendable {
    /// A part compressed, at `path`, of `bytes` (the uploader queues it).
    package var compressed: @Sendable (_ path: String, _ bytes: Int) -> Void
    /// The part `part` of stream `stream`'s archive was removed before it reached S3 (once per
    /// stream while pruning lasts; the engine says so in the stream's log).
    package var lost: @Sendable (_ stream: String, _ part: String) -> Void

    package init(
        compressed: @escaping @Sendable (_ path: String, _ bytes: Int) -> Void,
        lost: @escaping @Sendable (_ stream: String, _ part: String) -> Void = { _, _ in }
    ) {
        self.compressed = compressed
        self.lost = lost
    }
}

/// Sends the archive's closed, compressed segments to an object store (S3), on a queue of its
/// own and the engine's libcurl loop, never in a stream's way: oldest first, a few at a time.
/// A segment is listed in its stream's `uploaded` file only once the store confirmed it, and
/// only then removed locally (unless kept). Failures are retried with backoff, said once when
/// they begin and once when uploads work again. Segments left by an earlier run (a kill in the
/// middle of an upload) are found at `start` and go first.
package final class ArchiveUploader: @unchecked Sendable {  // mutable state is confined to `queue`
    private let archiveRoot: String
    private let objects: any ArchiveObjectStore
    private let keepLocal: Bool
    private let ledger: DiskLedger
    private let store: SnapshotStore
    private let time: any Scheduler
    private let wall: any WallClock
    private let queue = DispatchQueue(label: "streamtop.upload")

    /// Paths of compressed segments waiting, oldest first, with their sizes.
    private var waiting: [(path: String, bytes: Int)] = []
    private var known: Set<String> = []
    private var inFlight = 0
    private var retry: ScheduledWork?
    /// Failures in a row: the backoff grows with them.
    private var failuresInARow = 0
    private var status: UploadStatus
    private var drained: [DispatchSemaphore] = []

    /// Uploads at once: enough to keep a loopback or a nearby store busy.
    static let concurrency = 4
    static let firstRetry: Duration = .seconds(1)
    static let longestRetry: Duration = .seconds(300)
    /// The largest segment read for an upload (a part is at most 64 MiB before compression).
    package static let maxSegmentBytes = StreamArchive.maxPartBytes + (1 << 20)

    package init(
        stateDirectory: String, objects: any ArchiveObjectStore, keepLocal: Bool, ledger: DiskLedger,
        store: SnapshotStore, time: any Scheduler, wall: any WallClock
    ) {
        archiveRoot = stateDirectory + "/archive"
        self.objects = objects
        self.keepLocal = keepLocal
        self.ledger = ledger
        self.store = store
        self.time = time
        self.wall = wall
        status = UploadStatus(destination: objects.destination)
    }

    /// Finds the compressed segments not yet uploaded, and begins.
    package func start() {
        queue.async { [self] in
            var found: [(path: String, bytes: Int, part: ArchivePart)] = []
            for stream in DirectoryEntry.list(archiveRoot) where stream.isDirectory {
                let directory = "\(archiveRoot)/\(stream.name)"
                let uploaded = UploadedParts.names(in: directory)
                for entry in DirectoryEntry.list(directory) where entry.isFile && !uploaded.contains(entry.name) {
                    guard let part = ArchivePart(name: entry.name), part.compressed else { continue }
                    found.append(("\(directory)/\(entry.name)", entry.bytes, part))
                }
            }
            for segment in found.sorted(by: { ($0.part, $0.path) < ($1.part, $1.path) }) {
                add(segment.path, bytes: segment.bytes)
            }
            publish()  // where segments go, from the start, even with nothing to send
            pump()
        }
    }

    /// A segment compressed (by the `DiskKeeper`): it joins the queue.
    package func enqueue(_ path: String, bytes: Int) {
        queue.async { [self] in
            add(path, bytes: bytes)
            pump()
        }
    }

    /// Waits until nothing waits or is in flight, an upload failed, or `timeout` passed (real
    /// time: the engine is shutting down). Returns whether everything went.
    package func drain(timeout: Duration) -> Bool {
        let done = DispatchSemaphore(value: 0)
        queue.sync {
            retry?.cancel()
            retry = nil
            if waiting.isEmpty && inFlight == 0 { done.signal() } else { drained.append(done) }
            pump()
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        _ = done.wait(timeout: .now() + seconds)
        return queue.sync { waiting.isEmpty && inFlight == 0 }
    }

    /// Waits until what `start` found was handled (tests).
    package func drainForTests() { _ = drain(timeout: .seconds(30)) }

    /// The status now (tests; the store has the same).
    package var current: UploadStatus { queue.sync { status } }

    private func add(_ path: String, bytes: Int) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard known.insert(path).inserted else { return }
        waiting.append((path, bytes))
        status.waitingSegments += 1
        status.waitingBytes += bytes
        publish()
    }

    private func pump() {
        dispatchPrecondition(condition: .onQueue(queue))
        while retry == nil, inFlight < ArchiveUploader.concurrency, !waiting.isEmpty {
            let (path, bytes) = waiting.removeFirst()
            let slash = path.lastIndex(of: "/")!
            let name = String(path[path.index(after: slash)...])
            let directory = String(path[..<slash])
            let stream = String(directory[directory.index(after: directory.lastIndex(of: "/")!)...])
            guard let key = objects.key(stream: stream, part: name) else {
                forget(path, bytes: bytes)
                continue
            }
            let body: [UInt8]
            do throws(FileError) {
                guard bytes <= ArchiveUploader.maxSegmentBytes else {
                    throw FileError(path: path, operation: "send", code: EFBIG)
                }
                body = try readWholeFile(path)
            } catch {
                // Gone (the disk budget removed it): nothing to send. Anything else is said: the
                // segment stays here, and goes at the next start if it can be read then.
                if error.code != ENOENT {
                    store.publishAlert(
                        stream: stream, message: "S3: archive segment \(name) of \(stream) cannot be sent: \(error); "
                            + "kept in \(directory)", recovered: false)
                }
                forget(path, bytes: bytes)
                continue
            }
            inFlight += 1
            objects.store(key: key, body: body) { [self] failure in
                queue.async { self.finished(path, name: name, directory: directory, bytes: bytes, failure: failure) }
            }
        }
        if waiting.isEmpty && inFlight == 0 {
            for waiter in drained { waiter.signal() }
            drained = []
        }
    }

    private func finished(_ path: String, name: String, directory: String, bytes: Int, failure: String?) {
        dispatchPrecondition(condition: .onQueue(queue))
        inFlight -= 1
        if let failure {
            failed(path, bytes: bytes, reason: failure)
        } else {
            // Listed first: a segment removed but not listed would leave its number free.
            try? UploadedParts.add(name, in: directory)
            if !keepLocal { ledger.remove(path) }
            forget(path, bytes: bytes)
            status.uploadedSegments += 1
            status.uploadedBytes += bytes
            status.lastUploadAt = wall.now()
            if status.lastError != nil {
                status.lastError = nil
                let message = "S3: uploads to \(objects.destination) work again"
                store.publishAlert(stream: "", message: message, recovered: true)
            }
            failuresInARow = 0
            publish()
        }
        pump()
    }

    private func failed(_ path: String, bytes: Int, reason: String) {
        waiting.insert((path, bytes), at: 0)
        status.failures += 1
        failuresInARow += 1
        let reason = Sanitizer.line(reason)
        if status.lastError == nil {
            store.publishAlert(stream: "", message: "S3: uploads fail: \(reason); retrying", recovered: false)
        }
        status.lastError = reason
        publish()
        // Shutting down: what failed goes on the next start.
        if !drained.isEmpty {
            for waiter in drained { waiter.signal() }
            drained = []
            return
        }
        guard retry == nil else { return }
        let steps = min(failuresInARow - 1, 16)
        let wait = min(ArchiveUploader.firstRetry * (1 << steps), ArchiveUploader.longestRetry)
        retry = time.schedule(after: wait, on: queue) { [weak self] in
            guard let self else { return }
            self.retry = nil
            self.pump()
        }
    }

    private func forget(_ path: String, bytes: Int) {
        known.remove(path)
        status.waitingSegments -= 1
        status.waitingBytes -= bytes
        publish()
    }

    private func publish() {
        store.publishUpload(status)
    }
}
