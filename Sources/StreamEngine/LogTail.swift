#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamCore

/// The end of a stream's log files, read back into entries: the newest file first, then the
/// one rotated before it while more entries are wanted. Lines that do not parse (a torn line
/// left by a crash) are skipped. Memory is bounded by `maxBytes` whatever the files hold.
public final class LogTail: Sendable {
    struct File {
        var path: String
        /// Read up to here (nil: the whole file).
        var size: Int?
    }

    /// Opened descriptors, newest file first, each with the size to read up to.
    private let opened: [(fd: Int32, size: Int)]
    private let limit: Int
    /// The most bytes read back in all (4 MiB: 1,000 lines of an ordinary log are ~300 KB).
    static let maxBytes = 4 << 20

    init(files: [File], limit: Int) {
        self.limit = limit
        opened = files.compactMap { file in
            let fd = open(file.path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            var status = stat()
            let size = fstat(fd, &status) == 0 ? Int(status.st_size) : 0
            return (fd, min(file.size ?? size, size))
        }
    }

    deinit {
        for file in opened { close(file.fd) }
    }

    /// The last `limit` entries (at most the log's own limit), oldest first.
    public func read(limit wanted: Int) -> [LogEntry] {
        var remaining = min(wanted, limit)
        var budget = LogTail.maxBytes
        var newestFirst: [[LogEntry]] = []
        for file in opened where remaining > 0 && budget > 0 {
            // Lines that do not parse are skipped, so ask for as many more as were skipped:
            // the entries must come from this file's end before any from an older file.
            var asked = remaining
            while true {
                var attemptBudget = budget
                let lines = LogTail.lastLines(fd: file.fd, size: file.size, count: asked, budget: &attemptBudget)
                let entries = lines.compactMap(LogEntry.init(line:))
                if entries.count >= remaining || lines.count < asked || attemptBudget <= 0 {
                    budget = attemptBudget
                    newestFirst.append(Array(entries.suffix(remaining)))
                    remaining -= min(remaining, entries.count)
                    break
                }
                asked += lines.count - entries.count
            }
        }
        return newestFirst.reversed().flatMap { $0 }
    }

    /// The last `count` complete lines before `size`, oldest first, reading backwards in
    /// 64 KiB steps and at most `budget` bytes.
    static func lastLines(fd: Int32, size: Int, count: Int, budget: inout Int) -> [ArraySlice<UInt8>] {
        var bytes: [UInt8] = []
        var start = size
        var newlines = 0
        // The file ends with a newline; `count` lines need `count + 1` newlines, or the file's start.
        while start > 0 && newlines <= count && budget > 0 {
            let step = min(64 << 10, start, budget)
            var chunk = [UInt8](repeating: 0, count: step)
            let got = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, step, off_t(start - step)) }
            guard got == step else { break }
            newlines += chunk.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            bytes = chunk + bytes
            start -= step
            budget -= step
        }
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if bytes.last == 0x0A { lines.removeLast() } else if !lines.isEmpty { lines.removeLast() }  // an unfinished last line
        if start > 0, !lines.isEmpty { lines.removeFirst() }  // cut in the middle: not a whole line
        return Array(lines.filter { !$0.isEmpty }.suffix(count))
    }
}

extension LogEntry {
    /// An entry read back from its JSON line; nil when the line is not one.
    init?(line: ArraySlice<UInt8>) {
        guard case .object(var object)? = try? JSONParser.parse(Array(line)),
              case .string(let timeText)? = object["time"], let time = UTCTime(iso8601: timeText),
              case .string(let kind)? = object["kind"] else { return nil }
        var level = Level.info
        if case .string(let text)? = object["level"] { level = Level(rawValue: text) ?? .info }
        object["time"] = nil
        object["level"] = nil
        object["kind"] = nil
        self.init(time: time, level: level, kind: kind, fields: object)
    }
}
