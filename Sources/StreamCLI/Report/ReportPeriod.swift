import StreamCore

/// The time a report or a replay covers: records at or after `since` and at or before `until`.
struct ReportPeriod: Sendable, Equatable {
    var since: UTCTime
    var until: UTCTime

    /// Whether a record of time `time` is inside.
    func contains(_ time: UTCTime) -> Bool { time >= since && time <= until }

    /// The UTC hours the period touches, as hours since the epoch (the charts' buckets).
    var firstHour: Int { UTCTime.hour(of: since) }
    var hourCount: Int { UTCTime.hour(of: until) - firstHour + 1 }

    /// `--since`/`--until` as people write them, relative to `now`: `90m`, `24h`, `7d` (that long
    /// before now), a date `2026-12-01` (its midnight UTC; as `--until`, the end of that day) or an
    /// ISO time `2026-12-01T10:00:00Z` (also without seconds' fraction). Nil for anything else.
    static func parseTime(_ text: String, now: UTCTime, endOfDay: Bool = false) -> UTCTime? {
        if let last = text.last, let unit = ["m": 60.0, "h": 3600.0, "d": 86_400.0][String(last)] {
            let digits = text.dropLast()
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let amount = Int(digits), amount >= 0,
                  amount < 100_000_000 else { return nil }
            return UTCTime(secondsSinceEpoch: now.secondsSinceEpoch - Double(amount) * unit)
        }
        if text.utf8.count == 10, let midnight = UTCTime(iso8601: text + "T00:00:00Z") {
            return endOfDay ? UTCTime(secondsSinceEpoch: midnight.secondsSinceEpoch + 86_400 - 0.001) : midnight
        }
        return UTCTime(iso8601: text)
    }

    /// The period of `--since`/`--until` (default: the last 24 hours up to `now`).
    static func parse(since: String?, until: String?, now: UTCTime) throws(UsageError) -> ReportPeriod {
        let expected = "24h, 7d, 90m, a date like 2026-12-01 or a time like 2026-12-01T10:00:00Z"
        var period = ReportPeriod(since: UTCTime(secondsSinceEpoch: now.secondsSinceEpoch - 86_400), until: now)
        if let since {
            guard let time = parseTime(since, now: now) else {
                throw UsageError("--since takes \(expected), not '\(Sanitizer.line(since))'")
            }
            period.since = time
        }
        if let until {
            guard let time = parseTime(until, now: now, endOfDay: true) else {
                throw UsageError("--until takes \(expected), not '\(Sanitizer.line(until))'")
            }
            period.until = time
        }
        guard period.since <= period.until else {
            throw UsageError("--since (\(period.since.iso8601)) is after --until (\(period.until.iso8601))")
        }
        return period
    }
}

extension UTCTime {
    /// Whole hours since the epoch (floor).
    static func hour(of time: UTCTime) -> Int { Int((time.secondsSinceEpoch / 3600).rounded(.down)) }
}
