#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamCore

/// Everything a stream received, kept: one JSON line per raw event or poll body, with its
/// receive time, in segments of `segmentSeconds` (an hour by default; a day holds whole
/// segments, the last one shorter when the length does not divide a day) under
/// `<root>/<stream>/`. A segment ends when a record of the next one comes, when
/// `endSegmentIfDue` finds its time over, or at `close`; it is split into parts of
/// `partBytes` (see `ArchivePart` for the names), so the size cap holds within one too: when
/// a part is closed, the oldest parts are removed while the archive exceeds `maxBytes`, and
/// those of days older than `maxAgeDays`. The archive then never exceeds the cap by more than
/// the part being written. A closed part is handed to the `DiskKeeper` (through the ledger),
/// which compresses it and, under a disk budget, may remove it; under a budget parts also end
/// sooner (see `DiskLedger.activeFileLimit`).
public final class StreamArchive {
    public let directory: String
    public let maxBytes: Int
    public let maxAgeDays: Int
    /// The size at which a part is closed and the next one begun.
    public let partBytes: Int
    /// How long a segment lasts, in seconds.
    public let segmentSeconds: Int
    /// The most a part holds whatever the cap: a segment goes to S3 whole, in one PUT.
    public static let maxPartBytes = 64 << 20
    private let ledger: DiskLedger
    /// Closed parts wait for S3: the cap removes only those listed as uploaded.
    private let waitsForUpload: Bool

    private var file: AppendOnlyFile?
    /// The part `file` appends to.
    private var part: ArchivePart?
    /// When the segment of `part` starts and ends (seconds since the epoch).
    private var segment: (start: Int, end: Int)?
    private var line = JSONWriter()
    /// Whole lines not yet written to `file` (see `StreamLog`): one `write(2)` per `flush`.
    private var pending = PendingLines()
    private var bytesSinceCheck = 0

    /// Touches nothing on disk: the directory and the day's file are made with the first
    /// record, and again after a failure (see `StreamLog`). `partBytes`: by default an eighth
    /// of the cap, at least 1 MiB, at most `maxPartBytes`. `ledger`: where the bytes written
    /// are counted.
    package init(
        root: String, stream: String, maxBytes: Int = 1 << 30, maxAgeDays: Int = 30, partBytes: Int? = nil,
        segmentSeconds: Int = 3600, ledger: DiskLedger = DiskLedger(), waitsForUpload: Bool = false
    ) {
        directory = "\(root)/\(stream)"
        self.waitsForUpload = waitsForUpload
        self.maxBytes = maxBytes
        self.maxAgeDays = maxAgeDays
        self.partBytes = min(StreamArchive.maxPartBytes, max(1, partBytes ?? max(maxBytes / 8, 1 << 20)))
        self.segmentSeconds = min(86_400, max(1, segmentSeconds))
        self.ledger = ledger
    }

    /// The segment `time` falls in: its start and end, in seconds since the epoch.
    func segment(of time: UTCTime) -> (start: Int, end: Int) {
        let dayStart = time.day * 86_400
        let offset = Int(time.secondsSinceEpoch.rounded(.down)) - dayStart
        let start = dayStart + offset / segmentSeconds * segmentSeconds
        return (start, min(start + segmentSeconds, dayStart + 86_400))
    }

    deinit {
        try? flush()
        closeFile(compress: false)
    }

    /// Adds one record, `{"t": <ISO time>, "kind": <kind>, …fields}`; it reaches the file at
    /// the next `flush` (or once 64 KiB are pending).
    /// `body`, when given, is written last as the member `body` (a poll's document, written
    /// from its tree).
    public func append(kind: String, time: UTCTime, fields: JSONObject, body: JSONTree? = nil) throws(FileError) {
        try startLine(kind: kind, time: time)
        line.writeMembers(of: fields) { $0 != "t" && $0 != "kind" && $0 != "body" }
        if let body {
            line.appendRaw(#","body":"#)
            line.write(body)
        }
        line.appendRaw("}\n")
        try addLine()
    }

    /// The record of one received event, as `append(kind: "event", …)` would write it with
    /// `type`, `id` and `data` in this order, without building the fields: a stream writes one
    /// for every event.
    public func appendEvent(time: UTCTime, type: String, id: String, data: String) throws(FileError) {
        var escaped = EscapedData()
        escaped.set(data)
        try appendEvent(time: time, type: type, id: id, data: escaped)
    }

    /// The same, the data already escaped (as the stream's log line uses it too).
    func appendEvent(time: UTCTime, type: String, id: String, data: EscapedData) throws(FileError) {
        try startLine(kind: "event", time: time)
        line.appendRaw(#","type":"#)
        line.writeString(type)
        line.appendRaw(#","id":"#)
        line.writeString(id)
        line.appendRaw(#","data":"#)
        data.quoted { line.appendBytes($0) }
        line.appendRaw("}\n")
        try addLine()
    }

    /// Opens the segment's part when a new segment began (a clock set back stays in the
    /// segment being written), and starts a record in `line`.
    private func startLine(kind: String, time: UTCTime) throws(FileError) {
        let seconds = Int(time.secondsSinceEpoch.rounded(.down))
        let current = segment.flatMap { seconds < $0.end ? $0 : nil } ?? segment(of: time)
        if file == nil || current.start != segment?.start { try openPart(segment: current) }
        line.removeAll(keepingCapacityUpTo: 64 << 10)  // a large poll's body is not kept for good
        line.appendRaw(#"{"t":"#)
        line.writeTime(time)
        line.appendRaw(#","kind":"#)
        line.writeString(kind)
    }

    /// Adds the record in `line` to the pending ones, beginning the next part first when it
    /// would not fit in this one.
    private func addLine() throws(FileError) {
        if let file, let part, let segment, file.size + pending.count > 0,
           file.size + pending.count + line.buffer.count > min(partBytes, ledger.activeFileLimit) {
            try flush()
            try open(ArchivePart(date: part.date, start: part.start, number: part.number + 1), segment: segment)
        }
        bytesSinceCheck += line.buffer.count
        pending.add(&line)
        if pending.isFull { try flush() }
        if bytesSinceCheck > max(maxBytes / 16, 4096), let segment {
            try flush()
            enforceLimits(today: segment.start / 86_400)
        }
    }

    /// Opens the segment's newest part to append to (a new writer continues where the last
    /// one stopped), or the next one when it is full, compressed or uploaded: an uploaded
    /// part may be gone from the disk, and its number must not be taken again.
    private func openPart(segment: (start: Int, end: Int)) throws(FileError) {
        try flush()
        try makeDirectories(directory)
        let first = ArchivePart(segmentStart: UTCTime(secondsSinceEpoch: Double(segment.start)))
        let local = parts().filter { $0.part.date == first.date && $0.part.start == first.start }
        let uploaded = UploadedParts.parts(in: directory).filter { $0.date == first.date && $0.start == first.start }
        var next = first
        let newestLocal = local.last
        let newestUploaded = uploaded.map(\.number).max()
        if let newestLocal, newestUploaded.map({ newestLocal.part.number > $0 }) ?? true,
           !newestLocal.part.compressed, newestLocal.bytes < partBytes {
            next = newestLocal.part
        } else if let highest = [newestLocal?.part.number, newestUploaded].compactMap({ $0 }).max() {
            next.number = highest + 1
        }
        try open(next, segment: segment)
    }

    /// Closes the part being written and opens `next`, or a later one while the keeper is
    /// compressing it (a part left over from an earlier run).
    private func open(_ next: ArchivePart, segment: (start: Int, end: Int)) throws(FileError) {
        closeFile(compress: true)
        var next = next
        while !ledger.open("\(directory)/\(next.name)") { next.number += 1 }
        let path = "\(directory)/\(next.name)"
        do {
            file = try AppendOnlyFile(path: path, ledger: ledger)
        } catch {
            ledger.close(path, compress: false)
            throw error
        }
        part = next
        self.segment = segment
        enforceLimits(today: segment.start / 86_400)
    }

    /// Lets go of the part being written; `compress`: hands it to the keeper, closed.
    private func closeFile(compress: Bool) {
        guard let file, let part else { return }
        file.sync()
        self.file = nil
        self.part = nil
        ledger.close("\(directory)/\(part.name)", compress: compress)
    }

    /// Ends the segment being written when its time is over (`now` is past its end), so that
    /// a quiet stream's segment is compressed and uploaded all the same. The stream's runner
    /// calls it from a timer.
    public func endSegmentIfDue(at now: UTCTime) throws(FileError) {
        guard let segment, file != nil, Int(now.secondsSinceEpoch.rounded(.down)) >= segment.end else { return }
        try close()
    }

    /// Writes what is pending and ends the part being written, for the keeper to compress
    /// (and the uploader to send): the stream stopped, or the engine is shutting down. The
    /// next record begins another part.
    public func close() throws(FileError) {
        defer { closeFile(compress: true) }
        try flush()
    }

    /// Writes what is pending and lets go of the file; the next record opens the segment's
    /// newest part by name again (SIGHUP, after a person or a tool moved files).
    public func reopen() throws(FileError) {
        defer { closeFile(compress: false) }
        try flush()
    }

    /// Whether lines wait for a `flush`.
    public var hasPending: Bool { pending.count > 0 }

    /// Writes the pending records.
    public func flush() throws(FileError) {
        try pending.write(to: file)
    }

    /// The archive's files, oldest first, with their sizes.
    public func files() -> [(name: String, bytes: Int)] {
        parts().map { ($0.part.name, $0.bytes) }
    }

    /// The archive's parts, oldest first, with their sizes.
    func parts() -> [(part: ArchivePart, bytes: Int)] {
        DirectoryEntry.list(directory)
            .compactMap { entry in entry.isFile ? ArchivePart(name: entry.name).map { ($0, entry.bytes) } : nil }
            .sorted { $0.0 < $1.0 }
    }

    /// Removes the parts of days older than `maxAgeDays`, then the oldest parts while over
    /// `maxBytes` (never the part being written, nor one being compressed). Run when a part is
    /// opened (the closed ones do not grow, so the archive exceeds the cap by at most the open
    /// part) and after every sixteenth of the cap written.
    private func enforceLimits(today: Int) {
        bytesSinceCheck = 0
        let oldestKept = UTCTime(secondsSinceEpoch: Double(today - maxAgeDays) * 86_400).dateString
        let files = parts()
        var total = files.reduce(0) { $0 + $1.bytes }
        // With S3, a part not yet uploaded stays: the cap is for what S3 already holds.
        let uploaded = waitsForUpload ? UploadedParts.names(in: directory) : nil
        for oldest in files {
            guard oldest.part != part, oldest.part.date < oldestKept || total > maxBytes else { break }
            if let uploaded, !uploaded.contains(oldest.part.name) { continue }
            let path = "\(directory)/\(oldest.part.name)"
            // Removed now, or already (by the disk keeper); not while being compressed.
            if ledger.remove(path) != nil || access(path, F_OK) != 0 { total -= oldest.bytes }
        }
    }
}

/// Reads archive (and log) files back. A torn last line, left by a crash in the middle of a
/// write, is skipped with a warning; so is any line that is not JSON. Nothing before them is lost.
public enum JSONLinesReader {
    public struct Result: Sendable {
        public var records: [JSONValue]
        public var warnings: [String]

        package init(records: [JSONValue] = [], warnings: [String] = []) {
            self.records = records
            self.warnings = warnings
        }
    }

    /// The most bytes a compressed part is decompressed to (a part is an eighth of the cap).
    static let maxDecompressedBytes = 1 << 30

    /// Reads a file of JSON lines; one whose name ends in `.gz` (a closed archive part) is
    /// decompressed as it is read (see `forEachLine`).
    public static func readFile(path: String) throws(FileError) -> Result {
        var result = Result(records: [], warnings: [])
        let torn = try forEachLine(path: path) { line, number in add(line, number: number, name: path, to: &result) }
        if let torn { result.warnings.append(torn) }
        return result
    }

    public static func parse(_ bytes: [UInt8], name: String) -> Result {
        var result = Result(records: [], warnings: [])
        var splitter = LineSplitter()
        bytes.withUnsafeBufferPointer { buffer in
            splitter.feed(buffer) { line, number in add(line, number: number, name: name, to: &result) }
        }
        if let torn = splitter.tornLineWarning(name: name) { result.warnings.append(torn) }
        return result
    }

    /// Adds line `number` of `name` to `result`: its record, or why it is not JSON.
    package static func add(_ line: UnsafeBufferPointer<UInt8>, number: Int, name: String, to result: inout Result) {
        guard !line.isEmpty else { return }
        do {
            result.records.append(try JSONParser.parse(line))
        } catch {
            result.warnings.append(notJSONWarning(name: name, line: number, error: error))
        }
    }
}
