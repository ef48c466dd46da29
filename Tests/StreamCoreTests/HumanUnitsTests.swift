import XCTest
@testable import StreamCore

/// The numbers people read in the monitor and on the command line.
final class HumanUnitsTests: XCTestCase {
    func testBytes() {
        XCTAssertEqual(HumanUnits.bytes(0), "0 B")
        XCTAssertEqual(HumanUnits.bytes(1023), "1023 B")
        XCTAssertEqual(HumanUnits.bytes(1536), "1.5 KiB")
        XCTAssertEqual(HumanUnits.bytes(1024 * 1024 - 1), "1.0 MiB")
        XCTAssertEqual(HumanUnits.bytes(-5), "0 B")
    }

    func testSizesAsPeopleWriteThem() {
        XCTAssertEqual(HumanUnits.parseBytes("500M"), 500 << 20)
        XCTAssertEqual(HumanUnits.parseBytes("2G"), 2 << 30)
        XCTAssertEqual(HumanUnits.parseBytes("2g"), 2 << 30)
        XCTAssertEqual(HumanUnits.parseBytes("1.5GiB"), 3 << 29)
        XCTAssertEqual(HumanUnits.parseBytes("64KB"), 64 << 10)
        XCTAssertEqual(HumanUnits.parseBytes("1T"), 1 << 40)
        XCTAssertEqual(HumanUnits.parseBytes("4096"), 4096)
        XCTAssertEqual(HumanUnits.parseBytes("4096B"), 4096)
        XCTAssertEqual(HumanUnits.parseBytes("0"), 0)
        let mistakes = ["", "M", "5X", "5 M", " 5M", "-5M", "1..5G", ".5G", "5.G", "5MM", "5iB", "5Mi", "1e3",
                        "9000000T", "٣M"]
        for text in mistakes {
            XCTAssertNil(HumanUnits.parseBytes(text), text)
        }
    }

    func testCounts() {
        XCTAssertEqual(HumanUnits.count(999), "999")
        XCTAssertEqual(HumanUnits.count(2.5), "2.5")
        XCTAssertEqual(HumanUnits.count(1234), "1.2k")
        XCTAssertEqual(HumanUnits.count(3_400_000), "3.4M")
        XCTAssertEqual(HumanUnits.count(.nan), "-")
    }

    func testDurations() {
        XCTAssertEqual(HumanUnits.duration(seconds: 0.4), "0s")
        XCTAssertEqual(HumanUnits.duration(seconds: 59), "59s")
        XCTAssertEqual(HumanUnits.duration(seconds: 3599), "59m")
        XCTAssertEqual(HumanUnits.duration(seconds: 7200), "2h")
        XCTAssertEqual(HumanUnits.duration(seconds: 3 * 86_400), "3d")
    }

    /// An incident's length: to the second while that matters, never over six characters.
    func testSpans() {
        let cases: [(Double, String)] = [
            (0.4, "0s"), (47, "47s"), (107, "1m47s"), (599, "9m59s"), (600, "10m"), (3599, "59m"), (3600, "1h00m"),
            (3 * 3600 + 5 * 60, "3h05m"), (86_399, "23h59m"), (2 * 86_400 + 4 * 3600, "2d04h"), (-1, "-"), (.nan, "-"),
        ]
        for (seconds, text) in cases { XCTAssertEqual(HumanUnits.span(seconds: seconds), text, "\(seconds)") }
        XCTAssertLessThanOrEqual(HumanUnits.span(seconds: 99 * 86_400).count, 6)
    }

    func testPercentages() {
        XCTAssertEqual(HumanUnits.percent(0.42), "42%")
        XCTAssertEqual(HumanUnits.percent(nil), "-")
        XCTAssertEqual(HumanUnits.percent(-17.8), "-1780%")
    }

    /// The SAVED cell is five characters wide: however large a saving or a cost, the short
    /// form fits, and it never shows a cut-off number.
    func testShortPercentagesFitFiveCharacters() {
        let cases: [(Double?, String)] = [
            (nil, "-"), (0, "0%"), (0.994, "99%"), (1, "100%"), (-0.05, "-5%"), (-1.79, "-179%"),
            (-9.994, "-999%"), (-9.996, "-1k%"), (-17.8, "-2k%"), (-178, "-18k%"), (-989, "-99k%"), (-995, "<-99k"),
            (-1e9, "<-99k"), (12.3, "1k%"), (1e6, ">99k"), (.infinity, "-"),
        ]
        for (share, text) in cases {
            XCTAssertEqual(HumanUnits.shortPercent(share), text, "\(String(describing: share))")
            XCTAssertLessThanOrEqual(HumanUnits.shortPercent(share).count, 5)
        }
    }
}
