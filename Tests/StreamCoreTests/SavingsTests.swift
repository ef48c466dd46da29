import XCTest
@testable import StreamCore

/// One meaning of savings: 1 − streamed bytes / polled bytes over the same running time,
/// nothing said before a minute of it; and errors and reconnects over the last 15 minutes.
final class SavingsTests: XCTestCase {
    let start = Moment(nanoseconds: 1_000_000_000_000)

    func at(_ seconds: Double) -> Moment { start + .nanoseconds(Int64(seconds * 1e9)) }

    /// A stream running from 0, sending `bytesPerSecond`; stopped between `stop` and `resume`.
    func stream(
        bytesPerSecond: Int, until end: Double, stoppedBetween stop: Double? = nil, and resume: Double? = nil
    ) -> MetricsSnapshot {
        var metrics = StreamMetrics(start: at(0))
        metrics.stateChanged(open: true, running: true, at: at(0))
        var second = 0.0
        while second < end {
            if let stop, let resume, second >= stop, second < resume {
                if second == stop { metrics.stateChanged(open: false, running: false, at: at(stop)) }
            } else {
                if let resume, second == resume { metrics.stateChanged(open: true, running: true, at: at(resume)) }
                metrics.recordWire(bytes: bytesPerSecond, at: at(second))
            }
            second += 1
        }
        return metrics.snapshot(at: at(end))
    }

    func testNothingIsSaidBeforeAMinuteOfRunning() {
        let streamed = stream(bytesPerSecond: 10, until: 59)
        let polled = stream(bytesPerSecond: 100, until: 59)
        XCTAssertNil(Savings.group(streamed: streamed, polled: polled), "59 s: not yet")
        let later = Savings.group(
            streamed: stream(bytesPerSecond: 10, until: 60), polled: stream(bytesPerSecond: 100, until: 60))
        XCTAssertEqual(later!, 0.9, accuracy: 1e-9)
    }

    /// A stream that never ran (registered, not started) says nothing: it used to show 100 %.
    func testAStreamThatNeverRanSaysNothing() {
        let idle = StreamMetrics(start: at(0)).snapshot(at: at(600))
        XCTAssertEqual(idle.runningTime, .zero)
        XCTAssertNil(Savings.group(streamed: idle, polled: stream(bytesPerSecond: 100, until: 600)))
    }

    /// Time stopped is not counted: a stream stopped for half its life is compared over the
    /// half it ran, not shown as saving half of the bytes.
    func testStoppedTimeIsNotCounted() {
        let streamed = stream(bytesPerSecond: 100, until: 240, stoppedBetween: 60, and: 180)
        XCTAssertEqual(streamed.runningTime, .seconds(120))
        let polled = stream(bytesPerSecond: 100, until: 240)
        XCTAssertEqual(Savings.group(streamed: streamed, polled: polled)!, 0, accuracy: 1e-9)
    }

    /// A lone poller: what a streaming proxy would have sent against the bodies polled; the
    /// header combines byte rates, not percentages.
    func testALonePollerAndTheCombination() {
        var poller = StreamMetrics(start: at(0))
        poller.stateChanged(open: true, running: true, at: at(0))
        for poll in 0..<7 {
            let patch = poll == 0 ? 1_000 : 50
            poller.recordPoll(bodyBytes: 1_000, patchBytes: patch, changed: true, at: at(Double(poll * 10)))
        }
        XCTAssertNil(Savings.poller(poller.snapshot(at: at(59))))
        let polled = poller.snapshot(at: at(70))
        XCTAssertEqual(Savings.poller(polled)!, 1 - 1_300.0 / 7_000.0, accuracy: 1e-9)
        XCTAssertEqual(polled.pollSavings, Savings.poller(polled))
        let pairs = [Savings.Pair(streamed: 10, polled: 100), Savings.Pair(streamed: 90, polled: 100)]
        XCTAssertEqual(Savings.combined(pairs)!, 0.5, accuracy: 1e-9, "not the mean of 90 % and 10 %")
        XCTAssertNil(Savings.combined([]))
    }

    func testErrorsAndReconnectsOverTheLastFifteenMinutes() {
        var metrics = StreamMetrics(start: at(0))
        metrics.recordError(at: at(10))
        metrics.recordError(at: at(70))
        metrics.recordReconnect(at: at(70))
        var snapshot = metrics.snapshot(at: at(80))
        XCTAssertEqual([snapshot.recentErrors, snapshot.recentReconnects, snapshot.errors], [2, 1, 2])
        // Fifteen minutes on, the first minute's error has left; the second's is still counted.
        snapshot = metrics.snapshot(at: at(15 * 60 + 5))
        XCTAssertEqual([snapshot.recentErrors, snapshot.recentReconnects], [1, 1])
        snapshot = metrics.snapshot(at: at(16 * 60 + 5))
        XCTAssertEqual([snapshot.recentErrors, snapshot.recentReconnects, snapshot.errors], [0, 0, 2])
        // A slot reused after the ring came round starts from nothing.
        metrics.recordError(at: at(16 * 60 + 10))
        XCTAssertEqual(metrics.snapshot(at: at(16 * 60 + 20)).recentErrors, 1)
    }
}
