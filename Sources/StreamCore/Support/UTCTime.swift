/// Wall-clock time as seconds since the Unix epoch, with the UTC calendar arithmetic logs and
/// archive file names need (no Foundation, no time zones: always UTC).
public struct UTCTime: Sendable, Comparable, Hashable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSinceEpoch: Double

    public init(secondsSinceEpoch: Double) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    public static func < (lhs: UTCTime, rhs: UTCTime) -> Bool { lhs.secondsSinceEpoch < rhs.secondsSinceEpoch }

    /// Days since the epoch (floor).
    public var day: Int {
        Int((secondsSinceEpoch / 86_400).rounded(.down))
    }

    /// The civil date of `day` (Howard Hinnant's days-from-civil, inverted).
    public static func date(ofDay day: Int) -> (year: Int, month: Int, day: Int) {
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, dayOfMonth)
    }

    /// Days since the epoch of the civil date `year`-`month`-`day` (Howard Hinnant's
    /// days-from-civil).
    public static func day(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Days since the epoch of a `2026-11-29` date (what `dateString` writes); nil for any
    /// other text or a date that does not exist.
    public static func day(ofDate text: String) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].utf8.count == 4, parts[1].utf8.count == 2, parts[2].utf8.count == 2,
              parts.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let dayOfMonth = Int(parts[2]),
              (1...12).contains(month), dayOfMonth >= 1 else { return nil }
        let result = UTCTime.day(year: year, month: month, day: dayOfMonth)
        return UTCTime.date(ofDay: result) == (year, month, dayOfMonth) ? result : nil
    }

    /// `2026-11-29`: the name of a daily archive file.
    public var dateString: String {
        let (year, month, day) = UTCTime.date(ofDay: self.day)
        return "\(UTCTime.pad(year, 4))-\(UTCTime.pad(month, 2))-\(UTCTime.pad(day, 2))"
    }

    /// `2026-11-29T09:05:07.123Z` (ISO 8601, millisecond precision).
    public var iso8601: String {
        withISO8601Bytes { String(decoding: $0, as: UTF8.self) }
    }

    /// The `iso8601` text as bytes, without building a `String` (a log or archive line writes
    /// one per event).
    public func withISO8601Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        // Nearest, not down: 1.548 s is 1547.9999… ms in binary floating point.
        let milliseconds = Int((secondsSinceEpoch * 1000).rounded())
        let wholeDay = milliseconds >= 0 ? milliseconds / 86_400_000 : (milliseconds + 1) / 86_400_000 - 1
        let dayMilliseconds = milliseconds - wholeDay * 86_400_000
        let (year, month, day) = UTCTime.date(ofDay: wholeDay)
        guard (0...9999).contains(year) else {
            // Outside four-digit years (never on a real clock): the plain, slower form.
            var text = "\(year)-\(UTCTime.pad(month, 2))-\(UTCTime.pad(day, 2))T"
            text += "\(UTCTime.pad(dayMilliseconds / 3_600_000, 2)):\(UTCTime.pad(dayMilliseconds / 60_000 % 60, 2)):"
            text += "\(UTCTime.pad(dayMilliseconds / 1000 % 60, 2)).\(UTCTime.pad(dayMilliseconds % 1000, 3))Z"
            return Array(text.utf8).withUnsafeBufferPointer(body)
        }
        var bytes: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes, on the stack
        return withUnsafeMutableBytes(of: &bytes) { raw in
            let out = raw.bindMemory(to: UInt8.self)
            func put(_ value: Int, at offset: Int, digits: Int) {
                var rest = value
                for i in stride(from: offset + digits - 1, through: offset, by: -1) {
                    out[i] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
                    rest /= 10
                }
            }
            put(year, at: 0, digits: 4)
            out[4] = 0x2D
            put(month, at: 5, digits: 2)
            out[7] = 0x2D
            put(day, at: 8, digits: 2)
            out[10] = 0x54  // T
            put(dayMilliseconds / 3_600_000, at: 11, digits: 2)
            out[13] = 0x3A
            put(dayMilliseconds / 60_000 % 60, at: 14, digits: 2)
            out[16] = 0x3A
            put(dayMilliseconds / 1000 % 60, at: 17, digits: 2)
            out[19] = 0x2E
            put(dayMilliseconds % 1000, at: 20, digits: 3)
            out[23] = 0x5A  // Z
            return body(UnsafeBufferPointer(out))
        }
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// Where wall-clock time comes from (logs and archive names); tests use a fixed one.
public protocol WallClock: Sendable {
    func now() -> UTCTime
}

extension UTCTime {
    /// Parses the form `iso8601` writes (`2026-11-29T09:05:07.123Z`; the fraction may be
    /// absent); nil for anything else. Logs are read back with it.
    public init?(iso8601 text: String) {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        func byte(_ index: Int, is expected: Character) -> Bool {
            index < bytes.count && bytes[index] == expected.asciiValue!
        }
        guard let year = number(0..<4), byte(4, is: "-"), let month = number(5..<7), byte(7, is: "-"),
              let day = number(8..<10), byte(10, is: "T"), let hours = number(11..<13), byte(13, is: ":"),
              let minutes = number(14..<16), byte(16, is: ":"), let seconds = number(17..<19),
              (1...12).contains(month), (1...UTCTime.daysIn(month: month, year: year)).contains(day),
              hours < 24, minutes < 60, seconds < 60 else { return nil }
        var milliseconds = 0
        var end = 19
        if byte(19, is: ".") {
            guard let fraction = number(20..<23) else { return nil }
            milliseconds = fraction
            end = 23
        }
        guard byte(end, is: "Z"), end + 1 == bytes.count else { return nil }
        let days = UTCTime.day(ofYear: year, month: month, day: day)
        let wholeSeconds: Int = days * 86_400 + hours * 3_600 + minutes * 60 + seconds
        self.init(secondsSinceEpoch: Double(wholeSeconds * 1000 + milliseconds) / 1000)
    }

    /// Days since the epoch of a civil date (Howard Hinnant's days-from-civil).
    static func day(ofYear year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
