import XCTest
@testable import StreamCore

/// Metrics are tested on a manual clock: time moves only when the test says so.
final class ObserveTests: XCTestCase {
    let start = Moment(nanoseconds: 1_000_000_000_000)

    func at(_ seconds: Double) -> Moment { start + .nanoseconds(Int64(seconds * 1e9)) }

    func testManualTimeSourceMovesOnlyWhenTold() {
        let clock = ManualTimeSource(start: start)
        XCTAssertEqual(clock.now(), start)
        clock.advance(by: .milliseconds(1500))
        XCTAssertEqual(clock.now() - start, .milliseconds(1500))
        clock.set(to: at(60))
        XCTAssertEqual(clock.now(), at(60))
        let system = SystemTimeSource()
        XCTAssertLessThanOrEqual(system.now(), system.now())
    }

    func testTimeBucketsTotalsAndSeries() {
        var buckets = TimeBuckets(slotLength: .seconds(1), slotCount: 5)
        buckets.add(.init(wireBytes: 10, events: 1), at: at(0.2))
        buckets.add(.init(wireBytes: 5, events: 1), at: at(0.9))
        buckets.add(.init(wireBytes: 7), at: at(3.5))
        XCTAssertEqual(buckets.total(over: .seconds(5), at: at(3.9)).wireBytes, 22)
        XCTAssertEqual(buckets.total(over: .seconds(1), at: at(3.9)).wireBytes, 7)
        XCTAssertEqual(buckets.total(over: .seconds(3), at: at(3.9)).wireBytes, 7, "slots 1, 2, 3")
        XCTAssertEqual(buckets.series(at: at(3.9)).map(\.wireBytes), [0, 15, 0, 0, 7].suffix(5).map { $0 }, "oldest first")
        // Five seconds later the first slot has left the ring and is reused, not added to.
        buckets.add(.init(wireBytes: 1), at: at(5.1))
        XCTAssertEqual(buckets.total(over: .seconds(5), at: at(5.1)).wireBytes, 8)
        XCTAssertEqual(buckets.series(at: at(5.1)).map(\.wireBytes), [0, 0, 7, 0, 1])
        XCTAssertEqual(buckets.total(over: .seconds(5), at: at(60)).wireBytes, 0, "all old")
        // Moments before the origin fall into their own slots.
        var early = TimeBuckets(slotLength: .seconds(1), slotCount: 3)
        early.add(.init(events: 1), at: Moment(nanoseconds: -1))
        early.add(.init(events: 1), at: Moment(nanoseconds: 0))
        XCTAssertEqual(early.total(over: .seconds(1), at: Moment(nanoseconds: 0)).events, 1)
        XCTAssertEqual(early.total(over: .seconds(2), at: Moment(nanoseconds: 0)).events, 2)
        // A moment older than the ring holds is dropped, never mixed into a newer slot.
        early.add(.init(events: 5), at: at(10))
        early.add(.init(events: 100), at: at(2))
        XCTAssertEqual(early.total(over: .seconds(3), at: at(10)).events, 5)
        // Counts beyond 32 bits stop at the largest instead of wrapping.
        var huge = TimeBuckets(slotLength: .seconds(60), slotCount: 2)
        huge.add(.init(events: 4_000_000_000), at: at(1))
        huge.add(.init(events: 4_000_000_000), at: at(2))
        XCTAssertEqual(huge.total(over: .seconds(60), at: at(3)).events, Int64(UInt32.max))
    }

    func testTimeBucketTotalsAgreeWithEveryAddedSampleOnRandomTimelines() {
        var random = SplitMix64(seed: 11)
        for _ in 0..<200 {
            let slotCount = Int(random.next() % 9) + 1
            var buckets = TimeBuckets(slotLength: .seconds(1), slotCount: slotCount)
            var samples: [(second: Int64, bytes: Int64)] = []
            var now: Int64 = Int64(random.next() % 5) - 2  // negative times too
            for _ in 0..<60 {
                now += Int64(random.next() % 3)  // time only moves forward
                let bytes = Int64(random.next() % 100)
                buckets.add(.init(wireBytes: bytes), at: Moment(nanoseconds: now * 1_000_000_000 + 500_000_000))
                samples.append((now, bytes))
                let window = Int64(random.next() % UInt64(slotCount + 3)) + 1
                let query = now + Int64(random.next() % 3)
                // What the window must hold: every sample in its last min(window, ring) seconds.
                let span = min(window, Int64(slotCount))
                let expected = samples.filter { $0.second > query - span && $0.second <= query }.reduce(0) { $0 + $1.bytes }
                XCTAssertEqual(buckets.total(over: .seconds(window), at: Moment(nanoseconds: query * 1_000_000_000 + 500_000_000)).wireBytes, expected)
                // The sparkline: one slot per second, oldest first, up to the query.
                let series = buckets.series(at: Moment(nanoseconds: query * 1_000_000_000 + 500_000_000))
                XCTAssertEqual(series.count, slotCount)
                for (offset, slot) in series.enumerated() {
                    let second = query - Int64(slotCount) + 1 + Int64(offset)
                    XCTAssertEqual(slot.wireBytes, samples.filter { $0.second == second }.reduce(0) { $0 + $1.bytes })
                }
            }
        }
    }

    func testSizeStatistics() {
        var sizes = SizeStatistics()
        XCTAssertEqual(sizes.median, 0)
        for size in 1...100 { sizes.record(size) }
        XCTAssertEqual(sizes.last, 100)
        XCTAssertEqual(sizes.max, 100)
        XCTAssertEqual(sizes.mean, 50.5)
        XCTAssertEqual(sizes.median, 50)
        XCTAssertEqual(sizes.p95, 95)
        // Quantiles follow the most recent window; mean and max cover the whole life.
        for _ in 0..<SizeStatistics.window { sizes.record(7) }
        XCTAssertEqual(sizes.median, 7)
        XCTAssertEqual(sizes.p95, 7)
        XCTAssertEqual(sizes.max, 100)
        XCTAssertEqual(sizes.count, Int64(100 + SizeStatistics.window))
    }

    func testQuantilesMatchASortOfTheRecentWindow() {
        var random = SeededRandom(seed: 12)
        var sizes = SizeStatistics()
        var all: [Int] = []
        for _ in 0..<3_000 {
            let size = Int.random(in: 0..<5_000, using: &random)
            sizes.record(size)
            all.append(size)
            let recent = all.suffix(SizeStatistics.window).sorted()
            for fraction in [0.5, 0.95, 1.0] {
                let rank = max(1, Int((fraction * Double(recent.count)).rounded(.up)))
                XCTAssertEqual(sizes.quantile(fraction), recent[rank - 1])
            }
        }
    }

    /// Replacing the evicted sample in place keeps the window exactly sorted, with duplicates,
    /// at both ends, and when the new value equals the old one.
    func testReplacingASampleKeepsTheWindowSorted() {
        var random = SeededRandom(seed: 13)
        for range in [0..<4, 0..<50, 0..<100_000] {
            var values = (0..<64).map { _ in Int32(Int.random(in: range, using: &random)) }
            var sorted = values.sorted()
            for step in 0..<2_000 {
                let at = Int.random(in: 0..<values.count, using: &random)
                let new = step % 7 == 0 ? values[at] : Int32(Int.random(in: range, using: &random))
                SizeStatistics.replace(values[at], with: new, in: &sorted)
                values[at] = new
                XCTAssertEqual(sorted, values.sorted(), "range \(range), step \(step)")
                if sorted != values.sorted() { return }
            }
        }
    }

    func testChangeWindowsCompareTheDocumentAtWindowEdges() {
        var windows = ChangeWindows(length: .seconds(60), start: at(0))
        var hash = 1
        windows.setInitialHash(hash)
        // Window 1: the price goes up and back: the document is the same as 60 s earlier.
        windows.advance(to: at(10)) { hash }
        hash = 2
        windows.observe(changed: true, at: at(10))
        windows.advance(to: at(20)) { hash }
        hash = 1
        windows.observe(changed: true, at: at(20))
        // Window 2: a real change.
        windows.advance(to: at(70)) { hash }
        XCTAssertEqual(windows.recent, [false])
        hash = 3
        windows.observe(changed: true, at: at(70))
        // Windows 3–5 (120–300 s) pass with nothing at all.
        windows.advance(to: at(300)) { hash }
        XCTAssertEqual(windows.recent, [false, true, false, false, false])
        XCTAssertEqual(windows.windowsClosed, 5)
        XCTAssertEqual(windows.changeFrequency, 0.2)
        XCTAssertEqual(windows.changeEvents, 3)
        XCTAssertEqual(windows.timeSinceLastChange(at: at(300)), .seconds(230))
        XCTAssertEqual(windows.changesPerHour(elapsed: .seconds(1800)), 6)
        var asked = 0
        windows.advance(to: at(301)) { asked += 1; return hash }
        XCTAssertEqual(asked, 0, "the hash is only asked when a window closes")
    }

    func testChangeWindowsBeforeAnyDocument() {
        var windows = ChangeWindows(length: .seconds(10), start: at(0))
        XCTAssertNil(windows.changeFrequency)
        windows.advance(to: at(10)) { nil }
        XCTAssertEqual(windows.recent, [false])
        windows.advance(to: at(20)) { 5 }
        XCTAssertEqual(windows.recent, [false, false], "a document appearing is not a change")
        windows.advance(to: at(30)) { 6 }
        XCTAssertEqual(windows.recent, [false, false, true])
    }

    func testStreamMetricsRatesSizesAndSavings() {
        var metrics = StreamMetrics(start: at(0))
        metrics.stateChanged(open: true, running: true, at: at(0))
        // An SSE stream: one 1,000-byte snapshot, then a 100-byte patch every second for 2 minutes.
        metrics.recordWire(bytes: 1_200, at: at(0))
        metrics.record(Observation(kind: .snapshot, payloadBytes: 1_000, operations: 0, changed: true, document: nil), at: at(0))
        for second in 1...120 {
            metrics.recordWire(bytes: 130, at: at(Double(second)))
            metrics.record(Observation(kind: .patch, payloadBytes: 100, operations: 2, changed: true, document: nil), at: at(Double(second)))
        }
        let snapshot = metrics.snapshot(at: at(120.5))
        XCTAssertEqual(snapshot.events, 121)
        XCTAssertEqual(snapshot.patches, 120)
        XCTAssertEqual(snapshot.patchOperations, 240)
        XCTAssertEqual(snapshot.wireBytes, 1_200 + 120 * 130)
        XCTAssertEqual(snapshot.payloadBytes, 1_000 + 120 * 100)
        XCTAssertEqual(snapshot.eventsPerSecond.oneMinute, 1, accuracy: 0.001)
        XCTAssertEqual(snapshot.wireBytesPerSecond.oneMinute, 130, accuracy: 0.001)
        XCTAssertEqual(snapshot.patchesPerMinute.oneMinute, 60, accuracy: 0.01)
        // 15-minute rate over the 120.5 s the stream has lived (whole minutes 0–2).
        XCTAssertEqual(snapshot.eventsPerSecond.fifteenMinutes, 121 / 120.5, accuracy: 0.001)
        XCTAssertEqual(snapshot.snapshotSizes.last, 1_000)
        XCTAssertEqual(snapshot.patchSizes.median, 100)
        let history = metrics.history(at: at(120.5)).minutes
        XCTAssertEqual(history.count, 120)
        // Minutes are aligned to the clock, not to the stream's start (1,000 s, 20 s before a
        // minute boundary): 20 events in the first partial minute, 60, then 41.
        XCTAssertEqual(history.suffix(3).map(\.events), [20, 60, 41])
        XCTAssertEqual(history.reduce(0) { $0 + $1.events }, 121)
        XCTAssertNil(snapshot.pollSavings)

        // A poller of the same API: 1,000-byte bodies, 100-byte would-be patches, a 304.
        var poller = StreamMetrics(start: at(0))
        poller.stateChanged(open: true, running: true, at: at(0))
        for minute in 0..<2 {
            poller.recordWire(bytes: 1_300, at: at(Double(minute * 60)))
            poller.recordPoll(bodyBytes: 1_000, patchBytes: minute == 0 ? 1_000 : 100, changed: true, at: at(Double(minute * 60)))
        }
        poller.recordWire(bytes: 200, at: at(120))
        poller.recordNotModified(at: at(120))
        let polled = poller.snapshot(at: at(120.5))
        XCTAssertEqual(polled.polls, 3)
        XCTAssertEqual(polled.notModified, 1)
        XCTAssertEqual(polled.pollBodySizes.mean, 1_000)
        // The 304 would have been an empty patch, `[]`: 2 bytes.
        XCTAssertEqual(polled.pollSavings!, 1 - 1_102.0 / 2_000.0, accuracy: 1e-9)
        let group = Savings.group(streamed: snapshot, polled: polled)!
        XCTAssertEqual(group, 1 - Double(1_200 + 120 * 130) / Double(1_300 * 2 + 200), accuracy: 1e-9)
    }

    func testRatesOfAYoungStreamUseItsAge() {
        var metrics = StreamMetrics(start: at(0))
        metrics.stateChanged(open: true, running: true, at: at(0))
        for second in 0..<10 { metrics.recordWire(bytes: 50, at: at(Double(second))) }
        let snapshot = metrics.snapshot(at: at(10))
        XCTAssertEqual(snapshot.wireBytesPerSecond.oneMinute, 50, accuracy: 0.001)
        XCTAssertEqual(snapshot.wireBytesPerSecond.fifteenMinutes, 50, accuracy: 0.001)
    }

    /// Rates divide by the time the stream ran within the span: one registered long ago and
    /// started 10 s ago at 2 events a second shows 120 a minute; stopped minutes count for nothing.
    func testRatesCountOnlyRunningTime() {
        var metrics = StreamMetrics(start: at(0))
        metrics.stateChanged(open: true, running: true, at: at(100))
        for tick in 0..<20 {
            metrics.record(Observation(kind: .patch, payloadBytes: 10, operations: 1, changed: true, document: nil),
                           at: at(100 + Double(tick) / 2))
        }
        var snapshot = metrics.snapshot(at: at(110))
        XCTAssertEqual(snapshot.patchesPerMinute.oneMinute, 120, accuracy: 0.001)
        XCTAssertEqual(snapshot.patchesPerMinute.fifteenMinutes, 120, accuracy: 0.001)
        // Stopped for 5 minutes, then running again for 30 s at 1 event a second.
        metrics.stateChanged(open: false, running: false, at: at(110))
        metrics.stateChanged(open: true, running: true, at: at(410))
        for second in 0..<30 {
            metrics.record(Observation(kind: .patch, payloadBytes: 10, operations: 1, changed: true, document: nil),
                           at: at(410 + Double(second)))
        }
        snapshot = metrics.snapshot(at: at(440))
        XCTAssertEqual(snapshot.patchesPerMinute.oneMinute, 60, accuracy: 0.001)
        XCTAssertEqual(snapshot.patchesPerMinute.fifteenMinutes, 50.0 / 40 * 60, accuracy: 0.001)
        // Never running: no division by zero.
        XCTAssertEqual(StreamMetrics(start: at(0)).snapshot(at: at(5)).eventsPerSecond.oneMinute, 0)
    }

    func testMemoryPerStreamIsBounded() {
        var metrics = StreamMetrics(start: at(0))
        // A week of events at 10 a second, sampled: everything lives in fixed rings and windows.
        var hash = 0
        for step in 0..<200_000 {
            let moment = at(Double(step) * 3)
            metrics.advance(to: moment) { hash }
            hash += step % 7 == 0 ? 1 : 0
            metrics.recordWire(bytes: 300, at: moment)
            metrics.record(Observation(kind: .patch, payloadBytes: 200, operations: 1, changed: step % 7 == 0, document: nil), at: moment)
        }
        XCTAssertEqual(metrics.history(at: at(600_000)).changeWindows.count, 120)
        XCTAssertEqual(metrics.changes.recent.count, ChangeWindows.historyLimit)
        // Sizes of everything the metrics hold, counted generously.
        XCTAssertEqual(TimeBuckets.bytesPerSlot, 32)
        let rings = (60 + 120) * TimeBuckets.bytesPerSlot
        let samples = 3 * 2 * SizeStatistics.window * MemoryLayout<Int32>.stride  // the samples, and sorted
        let windows = ChangeWindows.historyLimit * MemoryLayout<Bool>.stride
        XCTAssertLessThan(MemoryLayout<StreamMetrics>.size + rings + samples + windows, 64 << 10)
    }

    /// Uptime: the share of the time a stream was meant to run that it was open; stopped
    /// time does not count against it.
    func testUptimeIsTheShareOfRunningTimeSpentOpen() {
        var metrics = StreamMetrics(start: at(0))
        XCTAssertNil(metrics.uptimeShare(at: at(5)), "never ran")
        metrics.stateChanged(open: false, running: true, at: at(10))    // connecting
        metrics.stateChanged(open: true, running: true, at: at(12))     // open
        metrics.stateChanged(open: false, running: true, at: at(42))    // failed, retrying
        metrics.stateChanged(open: true, running: true, at: at(52))     // open again
        metrics.stateChanged(open: false, running: false, at: at(60))   // stopped by a person
        XCTAssertEqual(metrics.uptimeShare(at: at(500))!, 38.0 / 50.0, accuracy: 1e-9)
        metrics.stateChanged(open: true, running: true, at: at(600))
        XCTAssertEqual(metrics.snapshot(at: at(610)).uptimeShare!, 48.0 / 60.0, accuracy: 1e-9)
    }
}
