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

    /// The last `count` complete, non-empty lines before `size`, oldest first, reading
    /// backwards in `step`-byte reads and at most `budget` bytes.
    static func lastLines(fd: Int32, size: Int, count: Int, budget: inout Int, step: Int = 64 << 10) -> [ArraySlice<UInt8>] {
        var blocks: [[ArraySlice<UInt8>]] = []  // whole lines, newest block first
        var found = 0
        var start = size
        // The beginning of the earliest line seen, whose start is in a block not read yet.
        var carry: [UInt8] = []
        var first = true
        while found < count && start > 0 && budget > 0 {
            let length = min(step, start, budget)
            var chunk = [UInt8](repeating: 0, count: length)
            let got = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, off_t(start - length)) }
            guard got == length else { break }
            start -= length
            budget -= length
            let endOfFile = first
            if first {
                // What follows the file's last newline is an unfinished line (a write cut short):
                // skipped, however many reads it spans.
                guard let lastNewline = chunk.lastIndex(of: 0x0A) else { continue }
                chunk.removeSubrange((lastNewline + 1)...)
                first = false
            }
            chunk.append(contentsOf: carry)
            var pieces = chunk.split(separator: 0x0A, omittingEmptySubsequences: false)
            // The block ends with the file's last newline (an empty piece follows it), or where
            // the carried line did: then its last piece is whole.
            if endOfFile { pieces.removeLast() }
            carry = pieces.isEmpty ? [] : Array(pieces.removeFirst())
            if start == 0 { pieces.insert(carry[...], at: 0) }  // the file's first line is whole
            let whole = pieces.filter { !$0.isEmpty }
            found += whole.count
            blocks.append(whole)
        }
        return Array(blocks.reversed().flatMap { $0 }.suffix(count))
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
