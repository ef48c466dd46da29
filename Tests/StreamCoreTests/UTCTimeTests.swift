import XCTest
@testable import StreamCore

final class UTCTimeTests: XCTestCase {
    func testISO8601TextReadsBackToTheSameTime() {
        var random = SplitMix64(seed: 11)
        for _ in 0..<2_000 {
            // Whole milliseconds from 1900 to 2100, the precision the text keeps.
            let milliseconds = Int(random.next() % 6_311_433_600_000) - 2_208_988_800_000
            let time = UTCTime(secondsSinceEpoch: Double(milliseconds) / 1000)
            let parsed = UTCTime(iso8601: time.iso8601)
            XCTAssertEqual(parsed?.iso8601, time.iso8601)
            XCTAssertEqual(parsed?.secondsSinceEpoch, time.secondsSinceEpoch)
        }
        XCTAssertEqual(UTCTime(iso8601: "2026-11-29T12:00:00Z")?.secondsSinceEpoch, 1_795_953_600)
        XCTAssertEqual(UTCTime(iso8601: "2000-02-29T00:00:00.250Z")?.secondsSinceEpoch, 951_782_400.25)
        // The text rounds to the nearest millisecond, across midnight too.
        XCTAssertEqual(UTCTime(secondsSinceEpoch: 1_795_953_599.9996).iso8601, "2026-11-29T12:00:00.000Z")
        XCTAssertEqual(UTCTime(secondsSinceEpoch: 1_795_996_799.9997).iso8601, "2026-11-30T00:00:00.000Z")
        XCTAssertEqual(UTCTime(secondsSinceEpoch: -0.0004).iso8601, "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(UTCTime(secondsSinceEpoch: -0.0006).iso8601, "1969-12-31T23:59:59.999Z")
    }

    func testAnythingElseIsNotATime() {
        for text in ["", "2026-11-29", "2026-11-29T12:00:00.000", "2026-11-29T12:00:00.000Z ", "2026-13-01T00:00:00Z",
                     "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-29T24:00:00Z",
                     "2026-11-29T12:60:00Z", "2026-11-29 12:00:00Z", "2026-11-29T12:00:00.5Z", "２026-11-29T12:00:00Z", "x026-11-29T12:00:00Z"] {
            XCTAssertNil(UTCTime(iso8601: text), text)
        }
        XCTAssertNotNil(UTCTime(iso8601: "2000-02-29T00:00:00Z"), "a leap day of a year divisible by 400")
    }
}
