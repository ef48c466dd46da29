#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamCore

/// One line of a stream's log.
public struct LogEntry: Sendable, Equatable {
    public enum Level: String, Sendable {
        case info, warn, error
    }

    public var time: UTCTime
    public var level: Level
    /// What happened: `connect`, `response`, `event`, `poll`, `state`, `error`, …
    public var kind: String
    /// The details. Whoever logs passes values through `Redactor` and keeps excerpts short;
    /// the writer escapes every control character.
    public var fields: JSONObject

    public init(time: UTCTime, level: Level = .info, kind: String, fields: JSONObject = JSONObject()) {
        self.time = time
        self.level = level
        self.kind = kind
        self.fields = fields
    }

    /// The JSONL form, `{"time":…,"level":…,"kind":…, fields…}` and a newline, written
    /// directly (a field named like one of the first three is left out).
    func write(into writer: inout JSONWriter) {
        writer.appendRaw(#"{"time":"#)
        writer.writeTime(time)
        writer.appendRaw(#","level":"#)
        writer.writeString(level.rawValue)
        writer.appendRaw(#","kind":"#)
        writer.writeString(kind)
        writer.writeMembers(of: fields) { $0 != "time" && $0 != "level" && $0 != "kind" }
        writer.appendRaw("}\n")
    }
}

/// A stream's log: JSON lines in `<directory>/<stream>.jsonl`, rotated by size (the current
/// file plus `.1` … `.N`, oldest dropped). The last entries, for the log pane, are read back
/// from the end of the files when asked for rather than kept in memory: as values, 1,000
/// entries cost about 800 KB, which 5,000 streams would multiply into gigabytes. Under a disk
/// budget the file rotates sooner (see `DiskLedger.activeFileLimit`), and the `DiskKeeper` may
/// remove rotated files, oldest first.
public final class StreamLog {
    public let directory: String
    public let path: String
    public let maxFileBytes: Int
    public let keptFiles: Int
    /// The most entries `recent` returns.
    public let recentLimit: Int
    private let ledger: DiskLedger

    private var file: AppendOnlyFile?
    private var line = JSONWriter()
    /// Whole lines not yet written: `flush` writes them with one `write(2)`. A firehose
    /// logs thousands of events a second, and one system call per line would cost more than
    /// the events' parsing.
    private var pending = PendingLines()

    /// Touches nothing on disk: the directory and the file are made with the first line, and
    /// again with a later one after a failure (a full disk, a directory removed meanwhile), so a
    /// log that could not be written resumes by itself. Each failure is thrown to the caller.
    /// `ledger`: where the bytes written are counted (the engine's, for its disk budget).
    package init(
        directory: String, stream: String, maxFileBytes: Int = 10 << 20, keptFiles: Int = 5, recentLimit: Int = 1000,
        ledger: DiskLedger = DiskLedger()
    ) {
        self.directory = directory
        path = "\(directory)/\(stream).jsonl"
        self.maxFileBytes = maxFileBytes
        self.keptFiles = keptFiles
        self.recentLimit = recentLimit
        self.ledger = ledger
    }

    deinit {
        try? flush()
        if file != nil { ledger.close(path, compress: false) }
    }

    /// Adds one line; it reaches the file at the next `flush` (or once 64 KiB are pending).
    public func append(_ entry: LogEntry) throws(FileError) {
        line.removeAll(keepingCapacityUpTo: 64 << 10)
        entry.write(into: &line)
        try addLine()
    }

    /// The line of one received event, as `append` would write `LogEntry(kind: "event", …)`
    /// with these fields in this order, without building the entry: a stream writes one for
    /// every event.
    func appendEvent(
        time: UTCTime, type: String, id: String, bytes: Int, operations: Int, changed: Bool, excerpt: EscapedData
    ) throws(FileError) {
        line.removeAll(keepingCapacityUpTo: 64 << 10)
        line.appendRaw(#"{"time":"#)
        line.writeTime(time)
        line.appendRaw(#","level":"info","kind":"event","type":"#)
        line.writeString(type)
        line.appendRaw(#","id":"#)
        line.writeString(id)
        line.appendRaw(#","bytes":"#)
        line.writeInteger(bytes)
        line.appendRaw(#","ops":"#)
        line.writeInteger(operations)
        changed ? line.appendRaw(#","changed":true,"excerpt":"#) : line.appendRaw(#","changed":false,"excerpt":"#)
        excerpt.quotedExcerpt { line.appendBytes($0) }
        line.appendRaw("\"")
        line.appendRaw("}\n")
        try addLine()
    }

    /// Adds the line in `line` to the pending ones, rotating first when it would not fit.
    private func addLine() throws(FileError) {
        try openIfNeeded()
        let limit = min(maxFileBytes, ledger.activeFileLimit)
        if let file, file.size + pending.count > 0, file.size + pending.count + line.buffer.count > limit {
            try flush()
            try rotate()
        }
        pending.add(&line)
        if pending.isFull { try flush() }
    }

    /// Whether lines wait for a `flush`.
    public var hasPending: Bool { pending.count > 0 }

    /// Writes the pending lines (a line is pending only once the file is open). On a failure
    /// they are dropped (memory stays bounded) and the error thrown.
    public func flush() throws(FileError) {
        try pending.write(to: file)
    }

    /// Writes what is pending and lets go of the file; the next line opens `path` again, so a
    /// log moved away (logrotate, then SIGHUP) is followed by a new one, not written on.
    public func reopen() throws(FileError) {
        defer {
            if file != nil {
                file = nil
                ledger.close(path, compress: false)
            }
        }
        try flush()
    }

    private func openIfNeeded() throws(FileError) {
        guard file == nil else { return }
        try makeDirectories(directory)
        try openFile()
    }

    private func openFile() throws(FileError) {
        _ = ledger.open(path)  // a log is never compressed: always granted
        do {
            file = try AppendOnlyFile(path: path, ledger: ledger)
        } catch {
            ledger.close(path, compress: false)
            throw error
        }
    }

    /// The last `limit` entries (at most `recentLimit`), oldest first.
    public func recent(limit: Int? = nil) -> [LogEntry] {
        tail().read(limit: limit ?? recentLimit)
    }

    /// The files holding the last entries, opened now and cut at their present sizes: reading
    /// them later, on another thread, sees exactly what was written before this call, even if
    /// the log rotates in between.
    public func tail() -> LogTail {
        try? flush()
        var files: [LogTail.File] = []
        files.append(.init(path: path, size: file?.size))
        if keptFiles > 0 { files.append(.init(path: "\(path).1", size: nil)) }
        return LogTail(files: files, limit: recentLimit)
    }

    /// `log.jsonl` becomes `.1`, `.1` becomes `.2`, …; the oldest beyond `keptFiles` is removed.
    /// The files move under the ledger's lock, so the disk keeper never removes a file it
    /// listed under one name after it moved to another.
    private func rotate() throws(FileError) {
        file?.sync()
        file = nil
        ledger.close(path, compress: false)
        ledger.exclusive {
            ledger.removeHeld("\(path).\(keptFiles)")
            if keptFiles > 1 {
                for index in stride(from: keptFiles - 1, through: 1, by: -1) {
                    rename("\(path).\(index)", "\(path).\(index + 1)")
                }
            }
            if keptFiles > 0 { rename(path, "\(path).1") } else { ledger.removeHeld(path) }
        }
        try openFile()
    }
}

extension LogEntry {
    /// The JSONL line the log file holds for this entry, newline included.
    package var line: [UInt8] {
        var writer = JSONWriter()
        write(into: &writer)
        return writer.bytes
    }

    /// The entry read back from a log line (nil: not an entry, or a torn line).
    package init?(logLine: ArraySlice<UInt8>) {
        self.init(line: logLine)
    }
}
