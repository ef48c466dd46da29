import StreamCore

extension UTCTime {
    /// `UTCTime(iso8601:)` of UTF-8 bytes: the form the engine writes
    /// (`2026-11-29T09:05:07.123Z`) read in place, without a String; any other text through
    /// the general parser. The same times, to the bit.
    package init?(iso8601Bytes text: UnsafeBufferPointer<UInt8>) {
        guard text.count == 24, let base = text.baseAddress,
              let time = UTCTime.fixedForm(base) else {
            guard let time = UTCTime(iso8601: String(decoding: text, as: UTF8.self)) else { return nil }
            self = time
            return
        }
        self = time
    }

    /// `dddd-dd-ddTdd:dd:dd.dddZ`, a date that exists; nil otherwise.
    private static func fixedForm(_ p: UnsafePointer<UInt8>) -> UTCTime? {
        @inline(__always) func digit(_ i: Int) -> Int? {
            let value = p[i] &- 0x30
            return value < 10 ? Int(value) : nil
        }
        @inline(__always) func pair(_ i: Int) -> Int? {
            guard let tens = digit(i), let ones = digit(i + 1) else { return nil }
            return tens * 10 + ones
        }
        guard p[4] == 0x2D, p[7] == 0x2D, p[10] == 0x54, p[13] == 0x3A, p[16] == 0x3A, p[19] == 0x2E,
              p[23] == 0x5A, let century = pair(0), let yearOfCentury = pair(2), let month = pair(5),
              let day = pair(8), let hours = pair(11), let minutes = pair(14), let seconds = pair(17),
              let hundreds = digit(20), let tens = pair(21) else { return nil }
        let year = century * 100 + yearOfCentury
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hours < 24,
              minutes < 60, seconds < 60 else { return nil }
        let days = UTCTime.day(year: year, month: month, day: day)
        let wholeSeconds = days * 86_400 + hours * 3_600 + minutes * 60 + seconds
        // As `init(iso8601:)` computes it.
        return UTCTime(secondsSinceEpoch: Double(wholeSeconds * 1000 + hundreds * 100 + tens) / 1000)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
