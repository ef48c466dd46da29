#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The bytes of a state directory's logs and archive, kept current by their writers (an atomic
/// add per write), so that the `DiskKeeper` knows how much is on disk without scanning
/// thousands of directories every second. Also which files are being written or compressed,
/// and the one lock under which the logs' and archive's files are renamed and removed: the
/// keeper never removes a file being written, nor one that a log's rotation is moving.
package final class DiskLedger: Sendable {
    private let bytes = Atomic<Int>(0)
    private let limit = Atomic<Int>(Int.max)
    private let files = Mutex<Files>(Files())
    /// Whether closed parts are kept for a keeper to compress (a lone writer's ledger, with no
    /// keeper to take them, does not keep them).
    private let collectsClosedParts: Bool

    private struct Files {
        /// Paths being appended to, with how many writers hold each (a replaced stream's
        /// old writer can share its file with the new one for a moment).
        var open: [String: Int] = [:]
        /// Archive parts being compressed.
        var busy: Set<String> = []
        /// Archive parts their writers closed, to be compressed.
        var closed: [String] = []
    }

    package init(collectsClosedParts: Bool = false) {
        self.collectsClosedParts = collectsClosedParts
    }

    /// The bytes on disk, as far as the writers and the last scan know.
    package var used: Int { bytes.load(ordering: .relaxed) }

    func add(_ count: Int) {
        bytes.add(count, ordering: .relaxed)
    }

    /// How large a file being written may grow before its writer closes it and begins another
    /// (a log rotates, an archive part ends). The keeper lowers it under a budget, so that the
    /// files it may not remove cannot fill the budget on their own.
    var activeFileLimit: Int {
        get { limit.load(ordering: .relaxed) }
        set { limit.store(newValue, ordering: .relaxed) }
    }

    /// Marks `path` as being written. False when the keeper is compressing it: the writer
    /// begins another part instead.
    func open(_ path: String) -> Bool {
        files.withLock { files in
            guard !files.busy.contains(path) else { return false }
            files.open[path, default: 0] += 1
            return true
        }
    }

    /// The writer of `path` let go of it; `compress`: a closed archive part, for the keeper.
    func close(_ path: String, compress: Bool) {
        files.withLock { files in
            guard let count = files.open[path] else { return }
            files.open[path] = count > 1 ? count - 1 : nil
            if compress && count == 1 && collectsClosedParts { files.closed.append(path) }
        }
    }

    /// How many files are being written.
    var openFiles: Int { files.withLock { $0.open.count } }

    func isOpen(_ path: String) -> Bool { files.withLock { $0.open[path] != nil } }

    /// The archive parts closed since the last call.
    func takeClosed() -> [String] {
        files.withLock { files in
            defer { files.closed = [] }
            return files.closed
        }
    }

    /// Marks `path` as being compressed, unless it is being written.
    func claim(_ path: String) -> Bool {
        files.withLock { files in
            guard files.open[path] == nil else { return false }
            return files.busy.insert(path).inserted
        }
    }

    /// Ends a compression `claim` made: the compressed copy at `temporary` (of `bytes`) takes
    /// its place at `destination` and the part is removed, unless it was removed meanwhile.
    /// Returns the bytes of the part replaced (nil: it was not).
    func finishCompression(of path: String, temporary: String, destination: String, bytes compressed: Int) -> Int? {
        let replaced = files.withLock { files -> Int? in
            files.busy.remove(path)
            var status = stat()
            guard stat(path, &status) == 0, rename(temporary, destination) == 0 else {
                unlink(temporary)
                return nil
            }
            unlink(path)
            return Int(status.st_size)
        }
        guard let replaced else { return nil }
        add(compressed - replaced)
        return replaced
    }

    /// Ends a compression that failed.
    func release(_ path: String) {
        _ = files.withLock { $0.busy.remove(path) }
    }

    /// Removes the file at `path`, unless it is being written or compressed, or (given an
    /// `inode`) is no longer that file; counts its bytes out. Returns them, or nil.
    @discardableResult
    func remove(_ path: String, inode: ino_t? = nil) -> Int? {
        let removed = files.withLock { files -> Int? in
            guard files.open[path] == nil, !files.busy.contains(path) else { return nil }
            return DiskLedger.unlinkFile(path, inode: inode)
        }
        if let removed { add(-removed) }
        return removed
    }

    /// Runs `body` while no other file is renamed or removed through the ledger (a log's
    /// rotation); inside it, `removeHeld` removes.
    func exclusive<T>(_ body: () -> T) -> T {
        files.withLock { _ in body() }
    }

    /// `remove` for use inside `exclusive`.
    func removeHeld(_ path: String) {
        if let removed = DiskLedger.unlinkFile(path, inode: nil) { add(-removed) }
    }

    private static func unlinkFile(_ path: String, inode: ino_t?) -> Int? {
        var status = stat()
        guard lstat(path, &status) == 0, inode.map({ $0 == status.st_ino }) ?? true, unlink(path) == 0 else {
            return nil
        }
        return Int(status.st_size)
    }
}
