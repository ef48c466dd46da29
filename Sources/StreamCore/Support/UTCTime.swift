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

    /// `2026-11-29`: the name of a daily archive file.
    public var dateString: String {
        let (year, month, day) = UTCTime.date(ofDay: self.day)
        return "\(UTCTime.pad(year, 4))-\(UTCTime.pad(month, 2))-\(UTCTime.pad(day, 2))"
    }

    /// `2026-11-29T09:05:07.123Z` (ISO 8601, millisecond precision).
    public var iso8601: String {
        let milliseconds = Int((secondsSinceEpoch * 1000).rounded(.down))
        let dayMilliseconds = milliseconds - day * 86_400_000
        let hours = dayMilliseconds / 3_600_000
        let minutes = dayMilliseconds / 60_000 % 60
        let seconds = dayMilliseconds / 1000 % 60
        let millis = dayMilliseconds % 1000
        return "\(dateString)T\(UTCTime.pad(hours, 2)):\(UTCTime.pad(minutes, 2)):\(UTCTime.pad(seconds, 2)).\(UTCTime.pad(millis, 3))Z"
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
