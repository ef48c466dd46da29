import Foundation
import StreamCore

/// The name of one file of a stream's archive: a segment of a UTC day (an hour by default,
/// from the time it starts), split into numbered parts when one grows too large, each
/// compressed once it is closed. `2026-12-02T100000Z.jsonl` is the first part of the segment
/// that starts at 10:00, `2026-12-02T100000Z_000001.jsonl` the next, and `….jsonl.gz` a
/// closed part compressed. Archives written before segments have day-long parts without the
/// time (`2026-12-02.jsonl`), read as starting at midnight. Names sort in the order they were
/// written (`.` sorts before `T` and `T` before `_`, and part numbers have six digits).
package struct ArchivePart: Comparable, Hashable, Sendable {
    /// `2026-12-02`.
    package var date: String
    /// Seconds after midnight at which the segment starts; nil for a day-long part.
    var start: Int?
    var number: Int
    var compressed: Bool

    var name: String {
        var base = date
        if let start {
            base += "T" + ArchivePart.digits(start / 3600, 2) + ArchivePart.digits(start / 60 % 60, 2)
                + ArchivePart.digits(start % 60, 2) + "Z"
        }
        if number > 0 { base += "_" + ArchivePart.digits(number, 6) }
        return base + (compressed ? ".jsonl.gz" : ".jsonl")
    }

    init(date: String, start: Int? = nil, number: Int, compressed: Bool = false) {
        self.date = date
        self.start = start
        self.number = number
        self.compressed = compressed
    }

    /// The first part of the segment that starts at `time`.
    init(segmentStart time: UTCTime, number: Int = 0) {
        let seconds = Int(time.secondsSinceEpoch.rounded(.down))
        let day = seconds.quotientAndRemainder(dividingBy: 86_400)
        let dayStart = day.remainder < 0 ? (day.quotient - 1) * 86_400 : day.quotient * 86_400
        self.init(
            date: UTCTime(secondsSinceEpoch: Double(dayStart)).dateString, start: seconds - dayStart, number: number)
    }

    /// Parses a name `name` gives; nil for any other file.
    package init?(name: String) {
        var rest = Substring(name)
        if rest.hasSuffix(".jsonl.gz") {
            compressed = true
            rest = rest.dropLast(9)
        } else if rest.hasSuffix(".jsonl") {
            compressed = false
            rest = rest.dropLast(6)
        } else {
            return nil
        }
        let date = rest.prefix(10)
        guard date.utf8.count == 10, ArchivePart.isDate(date) else { return nil }
        rest = rest.dropFirst(10)
        start = nil
        if rest.first == "T" {
            let time = rest.dropFirst().prefix(6)
            guard time.utf8.count == 6, ArchivePart.allDigits(time), rest.dropFirst(7).first == "Z",
                  let value = Int(time) else { return nil }
            let (hours, minutes, seconds) = (value / 10_000, value / 100 % 100, value % 100)
            guard hours < 24, minutes < 60, seconds < 60 else { return nil }
            start = hours * 3600 + minutes * 60 + seconds
            rest = rest.dropFirst(8)
        }
        if rest.isEmpty {
            number = 0
        } else {
            let digits = rest.dropFirst()
            guard rest.first == "_", digits.utf8.count >= 6, ArchivePart.allDigits(digits),
                  let number = Int(digits), number > 0 else { return nil }
            self.number = number
        }
        self.date = String(date)
    }

    /// The object key of this (compressed) part of stream `stream`'s archive under `prefix`:
    /// `PREFIX/<stream>/YYYY/MM/DD/<stream>-<UTC start, 20261202T100000Z>-<number, 6 digits>.jsonl.gz`.
    /// A day-long part from before segments keeps its day in the key, without a time
    /// (`<stream>-20261202-<number>.jsonl.gz`): it never takes the key of the segment that
    /// starts at midnight of its day, whose numbers count from 0 too. Keys sort by stream,
    /// then time (a day's old parts before its segments), then number.
    package func objectKey(prefix: String, stream: String) -> String {
        let compact = date.replacingOccurrences(of: "-", with: "")
        let time = start.map {
            "T" + ArchivePart.digits($0 / 3600, 2) + ArchivePart.digits($0 / 60 % 60, 2)
                + ArchivePart.digits($0 % 60, 2) + "Z"
        } ?? ""
        let path = date.replacingOccurrences(of: "-", with: "/")
        let name = "\(stream)-\(compact)\(time)-\(ArchivePart.digits(number, 6)).jsonl.gz"
        let trimmed = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        return (trimmed.isEmpty ? "" : trimmed + "/") + "\(stream)/\(path)/\(name)"
    }

    /// Parses an object key `objectKey` made: the stream and the part (compressed); nil for any
    /// other key.
    package init?(objectKey key: String) {
        let pieces = key.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count >= 5, let name = pieces.last, name.hasSuffix(".jsonl.gz") else { return nil }
        let stream = pieces[pieces.count - 5]
        let fields = name.dropLast(9).dropFirst(stream.count + 1).split(separator: "-")
        // `20261202T100000Z`, or a day part's `20261202`.
        guard name.hasPrefix(stream + "-"), fields.count == 2, [8, 16].contains(fields[0].utf8.count),
              fields[1].utf8.count >= 6, let number = Int(fields[1]), ArchivePart.allDigits(fields[1])
        else { return nil }
        let stamp = fields[0]
        let date = "\(stamp.prefix(4))-\(stamp.dropFirst(4).prefix(2))-\(stamp.dropFirst(6).prefix(2))"
        let time = stamp.dropFirst(8)
        guard pieces[pieces.count - 4..<pieces.count - 1].joined(separator: "-") == date,
              time.isEmpty || time.first == "T",
              let part = ArchivePart(
                name: "\(date)\(time)\(number > 0 ? "_" + ArchivePart.digits(number, 6) : "").jsonl.gz")
        else { return nil }
        self = part
    }

    /// When the segment starts.
    var segmentStart: UTCTime {
        let day = UTCTime.day(ofDate: date) ?? 0
        return UTCTime(secondsSinceEpoch: Double(day * 86_400 + (start ?? 0)))
    }

    /// `dddd-dd-dd`.
    private static func isDate(_ text: Substring) -> Bool {
        text.utf8.enumerated().allSatisfy { index, byte in
            index == 4 || index == 7 ? byte == 0x2D : (0x30...0x39).contains(byte)  // "-", digits
        }
    }

    private static func allDigits(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }

    /// `value` in decimal, zero-padded to `width`.
    static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.utf8.count)) + text
    }

    /// The same part, before or after compression.
    var uncompressed: ArchivePart { ArchivePart(date: date, start: start, number: number) }

    package static func < (lhs: ArchivePart, rhs: ArchivePart) -> Bool {
        (lhs.date, lhs.start ?? -1, lhs.number, lhs.compressed ? 1 : 0)
            < (rhs.date, rhs.start ?? -1, rhs.number, rhs.compressed ? 1 : 0)
    }
}
