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

    /// The JSONL form: `{"time":…,"level":…,"kind":…, fields…}`.
    public var json: JSONValue {
        var object: JSONObject = ["time": .string(time.iso8601), "level": .string(level.rawValue), "kind": .string(kind)]
        for member in fields where object[member.key] == nil { object[member.key] = member.value }
        return .object(object)
    }
}

/// A stream's log: JSON lines in `<directory>/<stream>.jsonl`, rotated by size (the current
/// file plus `.1` … `.N`, oldest dropped). The last entries, for the log pane, are read back
/// from the end of the files when asked for rather than kept in memory: as values, 1,000
/// entries cost about 800 KB, which 5,000 streams would multiply into gigabytes.
public final class StreamLog {
    public let path: String
    public let maxFileBytes: Int
    public let keptFiles: Int
    /// The most entries `recent` returns.
    public let recentLimit: Int

    private var file: AppendOnlyFile?
    private var writer = JSONWriter()

    public init(directory: String, stream: String, maxFileBytes: Int = 10 << 20, keptFiles: Int = 5, recentLimit: Int = 1000) throws(FileError) {
        try makeDirectories(directory)
        path = "\(directory)/\(stream).jsonl"
        self.maxFileBytes = maxFileBytes
        self.keptFiles = keptFiles
        self.recentLimit = recentLimit
        file = try AppendOnlyFile(path: path)
    }

    public func append(_ entry: LogEntry) throws(FileError) {
        writer.removeAll()
        writer.write(entry.json)
        writer.appendRaw(0x0A)
        if let file, file.size > 0, file.size + writer.buffer.count > maxFileBytes { try rotate() }
        guard let file else { return }
        var failure: FileError?
        writer.buffer.withUnsafeBytes { bytes in
            do { try file.append(bytes) } catch { failure = error as? FileError }
        }
        if let failure { throw failure }
        // A long line (a big error body) must not keep its capacity for the stream's lifetime.
        if writer.buffer.count > 16 << 10 { writer = JSONWriter() }
    }

    /// The last `limit` entries (at most `recentLimit`), oldest first.
    public func recent(limit: Int? = nil) -> [LogEntry] {
        tail().read(limit: limit ?? recentLimit)
    }

    /// The files holding the last entries, opened now and cut at their present sizes: reading
    /// them later, on another thread, sees exactly what was written before this call, even if
    /// the log rotates in between.
    public func tail() -> LogTail {
        var files: [LogTail.File] = []
        if let file { files.append(.init(path: path, size: file.size)) }
        if keptFiles > 0 { files.append(.init(path: "\(path).1", size: nil)) }
        return LogTail(files: files, limit: recentLimit)
    }

    /// `log.jsonl` becomes `.1`, `.1` becomes `.2`, …; the oldest beyond `keptFiles` is removed.
    private func rotate() throws(FileError) {
        file?.sync()
        file = nil
        unlink("\(path).\(keptFiles)")
        if keptFiles > 1 {
            for index in stride(from: keptFiles - 1, through: 1, by: -1) {
                rename("\(path).\(index)", "\(path).\(index + 1)")
            }
        }
        if keptFiles > 0 { rename(path, "\(path).1") } else { unlink(path) }
        file = try AppendOnlyFile(path: path)
    }
}
