import Foundation
@testable import StreamEngine

/// A crafted archive whose report is worked out by hand (see `ReportCommandTests`), written
/// into `<state>/archive/` as the engine's `StreamArchive` and `DiskKeeper` leave it: parts
/// per UTC day, an older part compressed, a torn last line.
///
/// Period: 2026-12-01T10:00:00Z to 2026-12-01T11:59:59Z (hours 10 and 11).
///
/// - quotes (sse, group "quotes", name "Quotes, live"): run A began 09:00 (before the period),
///   its counters at 09:59 are the baseline; run B began 11:00 (counters from zero).
/// - quotes-polled (poll, group "quotes"): one run, begun at 10:00 (at `since`: zero baseline).
/// - weather (poll, group "weather", alone in it; a hostile name): one run begun 08:00,
///   baseline at 09:59:30; a run of the day before, ended, adds nothing.
enum ArchiveFixture {
    static let since = "2026-12-01T10:00:00Z"
    static let until = "2026-12-01T11:59:59Z"

    static func counters(
        _ time: String, run: String, name: String, group: String, mode: String, running: Int, uptime: Int,
        wire: Int, payload: Int = 0, events: Int = 0, snapshots: Int = 0, patches: Int = 0, operations: Int = 0,
        polls: Int = 0, notModified: Int = 0, errors: Int = 0, reconnects: Int = 0, changes: Int,
        wouldBe: Int = 0, bodies: Int = 0
    ) -> String {
        let fields: [String] = [
            #""t":"\#(time)","kind":"counters","run":"\#(run)","name":\#(quoted(name)),"group":"\#(group)""#,
            #""mode":"\#(mode)","running":\#(running),"uptime":\#(uptime),"wireBytes":\#(wire)"#,
            #""payloadBytes":\#(payload),"events":\#(events),"snapshots":\#(snapshots),"patches":\#(patches)"#,
            #""operations":\#(operations),"polls":\#(polls),"notModified":\#(notModified),"errors":\#(errors)"#,
            #""reconnects":\#(reconnects),"changes":\#(changes),"wouldBePatchBytes":\#(wouldBe)"#,
            #""pollBodyBytes":\#(bodies)"#,
        ]
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func event(_ time: String, _ type: String, id: String, _ data: String) -> String {
        #"{"t":"\#(time)","kind":"event","type":"\#(type)","id":"\#(id)","data":\#(quoted(data))}"#
    }

    static let quotesA = "2026-12-01T09:00:00Z"
    static let quotesB = "2026-12-01T11:00:00Z"

    /// The events of quotes in the period, in order (the data/patch/text/other-JSON mix).
    static let quotesEvents: [(time: String, type: String, id: String, data: String)] = [
        ("2026-12-01T10:00:05Z", "data", "1", #"{"p":[1,2,3]}"#),  // snapshot, 13 B
        ("2026-12-01T10:10:00Z", "patch", "2", #"[{"op":"replace","path":"/p/0","value":5}]"#),  // patch, 42 B
        ("2026-12-01T10:20:00Z", "patch", "3", #"[{"op":"add","path":"/p/-","value":4}]"#),  // patch, 38 B
        ("2026-12-01T11:00:30Z", "message", "4", "hello world"),  // text: no size
        ("2026-12-01T11:00:31Z", "quote", "5", #"{"p":[9]}"#),  // other JSON: snapshot, 9 B
        ("2026-12-01T11:00:32Z", "patch", "6", #"[{"op":"remove","path":"/p/0"}]"#),  // patch, 31 B
    ]

    static func write(stateDirectory: String) throws {
        let archive = stateDirectory + "/archive"
        func part(_ stream: String, _ name: String, _ lines: [String], torn: String? = nil) throws {
            let directory = "\(archive)/\(stream)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let text = lines.map { $0 + "\n" }.joined() + (torn ?? "")
            try Data(text.utf8).write(to: URL(fileURLWithPath: "\(directory)/\(name)"))
        }
        func q(_ time: String, run: String, _ running: Int, _ uptime: Int, wire: Int, payload: Int, events: Int,
               snapshots: Int, patches: Int, errors: Int, reconnects: Int, changes: Int) -> String {
            counters(time, run: run, name: "Quotes, live", group: "quotes", mode: "sse", running: running,
                     uptime: uptime,
                     wire: wire, payload: payload, events: events, snapshots: snapshots, patches: patches,
                     operations: patches * 2, errors: errors, reconnects: reconnects, changes: changes)
        }
        let events = quotesEvents.map { event($0.time, $0.type, id: $0.id, $0.data) }
        // quotes, first part of the day (compressed below): before the period, then run A.
        try part("quotes", "2026-12-01.jsonl", [
            event("2026-12-01T09:58:00Z", "data", id: "0", #"{"p":[0]}"#),
            q("2026-12-01T09:59:00Z", run: quotesA, 3540, 3500, wire: 10000, payload: 8000, events: 100, snapshots: 1,
              patches: 99, errors: 1, reconnects: 0, changes: 90),
        ] + events[0..<3] + [
            q("2026-12-01T10:30:00Z", run: quotesA, 5400, 5300, wire: 16000, payload: 12800, events: 160, snapshots: 1,
              patches: 159, errors: 1, reconnects: 0, changes: 140),
            q("2026-12-01T10:40:00Z", run: quotesA, 6000, 5850, wire: 18000, payload: 14400, events: 180, snapshots: 2,
              patches: 178, errors: 2, reconnects: 1, changes: 150),
        ])
        _ = try GzipFile.compress("\(archive)/quotes/2026-12-01.jsonl", to: "\(archive)/quotes/2026-12-01.jsonl.gz")
        try FileManager.default.removeItem(atPath: "\(archive)/quotes/2026-12-01.jsonl")
        // quotes, second part: run B (counters restart from zero), one after the period, torn end.
        try part("quotes", "2026-12-01_000001.jsonl", Array(events[3...]) + [
            q("2026-12-01T11:01:00Z", run: quotesB, 60, 60, wire: 1500, payload: 1200, events: 10, snapshots: 1,
              patches: 9, errors: 0, reconnects: 0, changes: 8),
            q("2026-12-01T11:30:00Z", run: quotesB, 1800, 1700, wire: 4500, payload: 3600, events: 40, snapshots: 1,
              patches: 39, errors: 0, reconnects: 1, changes: 30),
            q("2026-12-01T11:45:00Z", run: quotesB, 2700, 2600, wire: 4600, payload: 3600, events: 40, snapshots: 1,
              patches: 39, errors: 0, reconnects: 1, changes: 30),
            q("2026-12-01T12:10:00Z", run: quotesB, 6000, 6000, wire: 99999, payload: 9999, events: 999, snapshots: 9,
              patches: 990, errors: 9, reconnects: 9, changes: 999),
        ], torn: #"{"t":"2026-12-01T12:11:00Z","kind":"ev"#)
        // A later day: never read for this period.
        try part("quotes", "2026-12-02.jsonl", [event("2026-12-02T00:00:01Z", "data", id: "9", #"{"p":[]}"#)])

        func p(_ time: String, _ running: Int, _ uptime: Int, wire: Int, polls: Int, notModified: Int, errors: Int,
               changes: Int, wouldBe: Int, bodies: Int) -> String {
            counters(time, run: "2026-12-01T10:00:00Z", name: "Quotes polled", group: "quotes", mode: "poll",
                     running: running, uptime: uptime, wire: wire, payload: bodies, events: polls - notModified,
                     polls: polls, notModified: notModified, errors: errors, changes: changes, wouldBe: wouldBe,
                     bodies: bodies)
        }
        try part("quotes-polled", "2026-12-01.jsonl", [
            #"{"t":"2026-12-01T10:00:10Z","kind":"poll","status":200,"body":{"p":[1,2,3]},"wireBytes":300,"#
                + #""patchBytes":40,"changed":true}"#,
            #"{"t":"2026-12-01T10:01:10Z","kind":"poll","status":304,"wireBytes":100}"#,
            #"{"t":"2026-12-01T10:02:10Z","kind":"poll","status":200,"body":{"p":[1,2,4]},"wireBytes":300}"#,
            #"{"t":"2026-12-01T10:03:10Z","kind":"poll","status":200,"body":{"p":[1,2,3,4]},"wireBytes":302}"#,
            p("2026-12-01T10:30:00Z", 1800, 1800, wire: 30000, polls: 30, notModified: 10, errors: 0, changes: 20,
              wouldBe: 2000, bodies: 25000),
            p("2026-12-01T11:30:00Z", 5400, 5300, wire: 90000, polls: 90, notModified: 30, errors: 2, changes: 40,
              wouldBe: 6000, bodies: 75000),
        ])

        func w(_ time: String, run: String, _ running: Int, _ uptime: Int, wire: Int, polls: Int, changes: Int,
               wouldBe: Int, bodies: Int) -> String {
            counters(time, run: run, name: "<script>alert(1)</script>", group: "weather", mode: "poll",
                     running: running, uptime: uptime, wire: wire, payload: bodies, events: polls, polls: polls,
                     changes: changes, wouldBe: wouldBe, bodies: bodies)
        }
        // A day long gone that is not JSON at all: pruned, never read (no warning about it).
        try part("weather", "2026-11-29.jsonl", ["not json"])
        // The day before: the last part before the period is read; its run ended then.
        try part("weather", "2026-11-30.jsonl", [
            w("2026-11-30T23:00:00Z", run: "2026-11-30T22:00:00Z", 3600, 3600, wire: 5, polls: 1, changes: 1,
              wouldBe: 5, bodies: 5),
        ])
        try part("weather", "2026-12-01.jsonl", [
            w("2026-12-01T09:59:30Z", run: "2026-12-01T08:00:00Z", 7170, 7000, wire: 7000, polls: 10, changes: 3,
              wouldBe: 1000, bodies: 5000),
            #"{"t":"2026-12-01T11:58:00Z","kind":"poll","status":200,"body":{"sky":"clear"},"wireBytes":250}"#,
            w("2026-12-01T11:59:00Z", run: "2026-12-01T08:00:00Z", 14340, 14000, wire: 21000, polls: 30, changes: 5,
              wouldBe: 2500, bodies: 15000),
        ])
    }
}
