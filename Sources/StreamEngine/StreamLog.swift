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
/// file plus `.1` … `.N`, oldest dropped), and the last entries kept in memory for the log pane.
public final class StreamLog {
    public let path: String
    public let maxFileBytes: Int
    public let keptFiles: Int
    public let ringCapacity: Int

    private var file: AppendOnlyFile?
    private var ring: [LogEntry] = []
    private var ringStart = 0
    private var writer = JSONWriter()

    public init(directory: String, stream: String, maxFileBytes: Int = 10 << 20, keptFiles: Int = 5, ringCapacity: Int = 1000) throws(FileError) {
        try makeDirectories(directory)
        path = "\(directory)/\(stream).jsonl"
        self.maxFileBytes = maxFileBytes
        self.keptFiles = keptFiles
        self.ringCapacity = ringCapacity
        file = try AppendOnlyFile(path: path)
    }

    public func append(_ entry: LogEntry) throws(FileError) {
        remember(entry)
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
    }

    /// The entries still in memory, oldest first.
    public var recent: [LogEntry] {
        Array(ring[ringStart...] + ring[..<ringStart])
    }

    private func remember(_ entry: LogEntry) {
        if ring.count < ringCapacity {
            ring.append(entry)
        } else {
            ring[ringStart] = entry
            ringStart = (ringStart + 1) % ringCapacity
        }
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
