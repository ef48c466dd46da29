#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamCore

/// Everything a stream received, kept: one JSON line per raw event or poll body, with its
/// receive time, in daily files `<root>/<stream>/<UTC date>.jsonl`. Old days are removed when
/// the stream's archive exceeds `maxBytes` or a file is older than `maxAgeDays`.
public final class StreamArchive {
    public let directory: String
    public let maxBytes: Int
    public let maxAgeDays: Int

    private var file: AppendOnlyFile?
    private var fileDay: Int?
    private var line = JSONWriter()
    /// Whole lines not yet written to `file` (see `StreamLog`): one `write(2)` per `flush`.
    private var pending = PendingLines()
    private var bytesSinceCheck = 0

    /// Touches nothing on disk: the directory and the day's file are made with the first
    /// record, and again after a failure (see `StreamLog`).
    public init(root: String, stream: String, maxBytes: Int = 1 << 30, maxAgeDays: Int = 30) {
        directory = "\(root)/\(stream)"
        self.maxBytes = maxBytes
        self.maxAgeDays = maxAgeDays
    }

    deinit { try? flush() }

    /// Adds one record, `{"t": <ISO time>, "kind": <kind>, …fields}`; it reaches the file at
    /// the next `flush` (or once 64 KiB are pending).
    public func append(kind: String, time: UTCTime, fields: JSONObject) throws(FileError) {
        try startLine(kind: kind, time: time)
        line.writeMembers(of: fields) { $0 != "t" && $0 != "kind" }
        line.appendRaw("}\n")
        try addLine(time: time)
    }

    /// The record of one received event, as `append(kind: "event", …)` would write it with
    /// `type`, `id` and `data` in this order, without building the fields: a stream writes one
    /// for every event.
    public func appendEvent(time: UTCTime, type: String, id: String, data: String) throws(FileError) {
        try startLine(kind: "event", time: time)
        line.appendRaw(#","type":"#)
        line.writeString(type)
        line.appendRaw(#","id":"#)
        line.writeString(id)
        line.appendRaw(#","data":"#)
        line.writeString(data)
        line.appendRaw("}\n")
        try addLine(time: time)
    }

    /// Opens the day's file when the day changed, and starts a record in `line`.
    private func startLine(kind: String, time: UTCTime) throws(FileError) {
        if fileDay != time.day || file == nil {
            try flush()
            file?.sync()
            file = nil
            try makeDirectories(directory)
            file = try AppendOnlyFile(path: "\(directory)/\(time.dateString).jsonl")
            fileDay = time.day
            try enforceLimits(today: time.day)
        }
        line.removeAll()
        line.appendRaw(#"{"t":"#)
        line.writeTime(time)
        line.appendRaw(#","kind":"#)
        line.writeString(kind)
    }

    private func addLine(time: UTCTime) throws(FileError) {
        bytesSinceCheck += line.buffer.count
        pending.add(&line)
        if pending.isFull { try flush() }
        if bytesSinceCheck > max(maxBytes / 16, 4096) {
            try flush()
            try enforceLimits(today: time.day)
        }
    }

    /// Whether lines wait for a `flush`.
    public var hasPending: Bool { pending.count > 0 }

    /// Writes the pending records.
    public func flush() throws(FileError) {
        try pending.write(to: file)
    }

    /// The archive's files, oldest first, with their sizes.
    public func files() -> [(name: String, bytes: Int)] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var files: [(String, Int)] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasSuffix(".jsonl"), name.utf8.count == 16 else { continue }
            var status = stat()
            let size = stat("\(directory)/\(name)", &status) == 0 ? Int(status.st_size) : 0
            files.append((name, size))
        }
        return files.sorted { $0.0 < $1.0 }
    }

    /// Removes days older than `maxAgeDays`, then the oldest days while over `maxBytes` (never
    /// today's file).
    private func enforceLimits(today: Int) throws(FileError) {
        bytesSinceCheck = 0
        let oldestKept = UTCTime(secondsSinceEpoch: Double(today - maxAgeDays) * 86_400).dateString
        let todayName = UTCTime(secondsSinceEpoch: Double(today) * 86_400).dateString + ".jsonl"
        var files = self.files()
        var total = files.reduce(0) { $0 + $1.bytes }
        while let oldest = files.first, oldest.name != todayName, oldest.name < oldestKept + ".jsonl" || total > maxBytes {
            unlink("\(directory)/\(oldest.name)")
            total -= oldest.bytes
            files.removeFirst()
        }
    }
}

/// Reads archive (and log) files back. A torn last line, left by a crash in the middle of a
/// write, is skipped with a warning; so is any line that is not JSON. Nothing before them is lost.
public enum JSONLinesReader {
    public struct Result: Sendable {
        public var records: [JSONValue]
        public var warnings: [String]
    }

    public static func readFile(path: String) throws(FileError) -> Result {
        let bytes = try readWholeFile(path)
        return parse(bytes, name: path)
    }

    public static func parse(_ bytes: [UInt8], name: String) -> Result {
        var result = Result(records: [], warnings: [])
        var lineStart = 0
        var lineNumber = 0
        while lineStart < bytes.count {
            lineNumber += 1
            guard let newline = bytes[lineStart...].firstIndex(of: 0x0A) else {
                result.warnings.append("\(name): line \(lineNumber) is incomplete (\(bytes.count - lineStart) bytes, a write cut short); skipped")
                break
            }
            let line = Array(bytes[lineStart..<newline])
            if !line.isEmpty {
                do {
                    result.records.append(try JSONParser.parse(line))
                } catch {
                    result.warnings.append("\(name): line \(lineNumber) is not JSON (\(error.reasonText)); skipped")
                }
            }
            lineStart = newline + 1
        }
        return result
    }
}
