import Foundation
import XCTest
@testable import StreamCLI
@testable import StreamCore
@testable import StreamEngine

/// The report read line by line (most records scanned in place) says exactly what it says
/// from the records parsed whole, part by part: random archives with every kind of record,
/// escapes, lines that are not JSON, torn lines, gzipped parts and one that is broken.
final class ArchiveScanLinesTests: TemporaryHomeTestCase {
    /// The same archive, through `read` alone: the records parsed whole.
    struct WholePartSource: ArchiveSource {
        let local: LocalArchiveSource
        var location: String { local.location }
        func streams() throws -> [String] { try local.streams() }
        func parts(of stream: String) throws -> [ArchivePartReference] { try local.parts(of: stream) }
        func read(_ part: ArchivePartReference, of stream: String) throws -> JSONLinesReader.Result {
            try local.read(part, of: stream)
        }
    }

    func pick<T>(_ random: inout SplitMix64, _ choices: [T]) -> T {
        choices[Int(random.next() % UInt64(choices.count))]
    }

    func time(_ seconds: Double) -> String { UTCTime(secondsSinceEpoch: seconds).iso8601 }

    /// One record at `seconds`, of any kind the engine writes (and a few it does not).
    func line(_ random: inout SplitMix64, at seconds: Double, stream: Int, counts: inout Int) -> String {
        let t = time(seconds)
        let data = pick(&random, [#"{"a":[1,2,{"b":"é\"€😀"}]}"#, "[1]", "plain text", "  {\"x\":1}", "\"q\"", "",
                                  "{broken", "tab\there", "\\u00e9 \\ud83d\\ude00", "-12.5e3", "nul"])
        switch random.next() % 10 {
        case 0...3:
            let type = pick(&random, ["data", "patch", "message", "quote", "d\\u0061ta"])
            return #"{"t":"\#(t)","kind":"event","type":"\#(type)","id":"1","data":\#(ArchiveFixture.quoted(data))}"#
        case 4:
            return #"{"t":"\#(t)","kind":"event","data":\#(ArchiveFixture.quoted(data)),"type":5}"#
        case 5:
            let body = pick(&random, [#"{"q":[1,2,3],"s":"é"}"#, "[]", "null", #"{"a":{"b":{"c":"\u00e9"}}}"#])
            let bytes = pick(&random, [#","bodyBytes":120"#, #","bodyBytes":120.0"#, "", #","bodyBytes":"12""#])
            return #"{"t":"\#(t)","kind":"poll","status":200,"wireBytes":400\#(bytes),"body":\#(body)}"#
        case 6:
            return #"{"t":"\#(t)","kind":"poll","status":304,"wireBytes":310,"patchBytes":2}"#
        case 7:
            counts += Int(random.next() % 50)
            let run = random.next() % 9 == 0 ? time(seconds - 30) : "2026-12-01T08:00:00.000Z"
            return ArchiveFixture.counters(
                t, run: run, name: "s\(stream)", group: pick(&random, ["g1", "g2"]),
                mode: pick(&random, ["sse", "poll"]),
                running: counts, uptime: counts - counts / 10, wire: counts * 100, events: counts, patches: counts / 2,
                changes: counts / 3, wouldBe: counts * 7, bodies: counts * 40)
        case 8:
            return pick(&random, ["not json", #"{"t":"\#(t)","kind":"other"}"#, #"{"kind":"event"}"#, "",
                                  #"{"t":5,"kind":"event"}"#, #"{"t":"yesterday","kind":"event"}"#, "[1,2]"])
        default:
            return #" { "t" : "\#(t)" , "kind" : "event" , "type" : "patch" , "data" : "[{\"op\":\"add\"}]" } "#
        }
    }

    /// Streams of hourly parts around the period; some gzipped, some with a torn last line,
    /// one gzipped part cut short.
    func writeArchive(_ random: inout SplitMix64, state: String) throws {
        for stream in 0..<4 {
            let directory = "\(state)/archive/s\(stream)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            var counts = 0
            let firstHour = 1_796_112_000.0  // 2026-12-01T08:00:00Z
            for hour in 0..<5 {
                let start = firstHour + Double(hour) * 3600
                var lines: [String] = []
                for n in 0..<Int(50 + random.next() % 300) {
                    lines.append(line(&random, at: start + Double(n) * 7 + 0.123, stream: stream, counts: &counts))
                }
                var text = lines.joined(separator: "\n") + "\n"
                if random.next() % 4 == 0 { text += #"{"t":"2026-12-01T"# }
                let name = "2026-12-01T\(ArchivePart.digits(8 + hour, 2))0000Z.jsonl"
                let path = "\(directory)/\(name)"
                XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
                guard random.next() % 2 == 0 else { continue }
                let size = try GzipFile.compress(path, to: path + ".gz")
                unlink(path)
                if stream == 2 && hour == 2 { XCTAssertEqual(truncate(path + ".gz", off_t(size - 9)), 0) }
            }
        }
    }

    func testLineByLineReportsEqualWholePartOnes() throws {
        var random = SplitMix64(seed: 77)
        for round in 0..<6 {
            let state = "\(home!)/state\(round)"
            try writeArchive(&random, state: state)
            let local = LocalArchiveSource(stateDirectory: state)
            for (since, until) in [("2026-12-01T09:30:00Z", "2026-12-01T11:15:00Z"), ("2026-12-01", "2026-12-01")] {
                let period = try ReportPeriod.parse(since: since, until: until, now: UTCTime(secondsSinceEpoch: 2e9))
                var lineWarnings: [String] = []
                var wholeWarnings: [String] = []
                let lines = try ArchiveScan(source: local, period: period) { lineWarnings.append($0) }
                    .streamReports(stream: nil)
                let whole = try ArchiveScan(source: WholePartSource(local: local), period: period) {
                    wholeWarnings.append($0)
                }.streamReports(stream: nil)
                XCTAssertEqual(lines, whole, "round \(round), \(since)")
                XCTAssertEqual(lineWarnings, wholeWarnings, "round \(round), \(since)")
                XCTAssertTrue(lines.contains { $0.snapshotSizes != nil && $0.bodySizes != nil })
                XCTAssertTrue(lineWarnings.contains { $0.contains("is not JSON") })
            }
        }
    }
}
