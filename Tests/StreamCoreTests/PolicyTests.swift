import XCTest
@testable import StreamCore

/// Backoff and alert debouncing, driven by a manual clock.
final class PolicyTests: XCTestCase {
    let t0 = Moment(nanoseconds: 0)
    func at(_ seconds: Double) -> Moment { t0 + .nanoseconds(Int64(seconds * 1e9)) }

    func testCleanClosesReconnectAfterTheServersRetryOrOneSecond() {
        var policy = ReconnectPolicy(seed: 1)
        policy.connectionOpened(at: at(0))
        XCTAssertEqual(policy.connectionEnded(at: at(5), failed: false), .seconds(1))
        policy.serverRetry = .milliseconds(2500)
        policy.connectionOpened(at: at(6))
        XCTAssertEqual(policy.connectionEnded(at: at(7), failed: false), .milliseconds(2500))
    }

    func testFailuresBackOffExponentiallyWithJitterCappedAt30Seconds() {
        var policy = ReconnectPolicy(seed: 2)
        var previousStep = Duration.zero
        for failure in 1...10 {
            let delay = policy.connectionEnded(at: at(Double(failure)), failed: true)
            let step = min(Duration.seconds(1) * (1 << (failure - 1)), .seconds(30))
            XCTAssertGreaterThanOrEqual(delay, step / 2, "failure \(failure)")
            XCTAssertLessThanOrEqual(delay, step, "failure \(failure)")
            XCTAssertGreaterThanOrEqual(step, previousStep)
            previousStep = step
        }
        XCTAssertEqual(policy.failures, 10)
        // Sixty healthy seconds reset the count: the next failure starts small again.
        policy.connectionOpened(at: at(100))
        let delay = policy.connectionEnded(at: at(161), failed: true)
        XCTAssertLessThanOrEqual(delay, .seconds(1))
        XCTAssertEqual(policy.failures, 1)
        // A short-lived connection does not reset it.
        policy.connectionOpened(at: at(200))
        _ = policy.connectionEnded(at: at(201), failed: true)
        XCTAssertEqual(policy.failures, 2)
    }

    /// `retry: 0` cannot make a failing stream reconnect in a tight loop: failures still back
    /// off, and no delay is under 10 ms.
    func testARetryOfZeroStillBacksOff() {
        var policy = ReconnectPolicy(seed: 3)
        policy.serverRetry = .zero
        policy.connectionOpened(at: at(0))
        XCTAssertEqual(policy.connectionEnded(at: at(1), failed: false), .milliseconds(10))
        var delays: [Duration] = []
        for failure in 1...14 { delays.append(policy.connectionEnded(at: at(Double(failure)), failed: true)) }
        XCTAssertTrue(delays.allSatisfy { $0 >= .milliseconds(10) }, "\(delays)")
        XCTAssertGreaterThanOrEqual(delays.last!, .seconds(15), "it grows to the cap: \(delays)")
        XCTAssertLessThanOrEqual(delays.last!, .seconds(30))
    }

    func testJitterSpreadsStreamsThatFailTogether() {
        let delays = (0..<50).map { seed -> Duration in
            var policy = ReconnectPolicy(seed: UInt64(seed))
            for _ in 0..<5 { _ = policy.connectionEnded(at: at(0), failed: true) }
            return policy.connectionEnded(at: at(0), failed: true)
        }
        XCTAssertGreaterThan(Set(delays).count, 40, "fifty streams do not all come back at once")
    }

    func testOneAlertPerIncidentAfterTheThreshold() {
        var policy = AlertPolicy(threshold: .seconds(120))
        XCTAssertNil(policy.update(broken: true, at: at(0)))
        XCTAssertEqual(policy.nextCheck, at(120))
        XCTAssertNil(policy.update(broken: true, at: at(119)))
        XCTAssertEqual(policy.update(broken: true, at: at(120)), .alert(since: at(0), reminder: false))
        XCTAssertNil(policy.update(broken: true, at: at(500)), "no repeat interval: once per incident")
        XCTAssertEqual(policy.update(broken: false, at: at(600)), .recovered(since: at(0), duration: .seconds(600)))
        XCTAssertNil(policy.update(broken: false, at: at(601)))
    }

    func testBlipsShorterThanTheThresholdSendNothing() {
        var policy = AlertPolicy(threshold: .seconds(120))
        XCTAssertNil(policy.update(broken: true, at: at(0)))
        XCTAssertNil(policy.update(broken: false, at: at(30)))
        XCTAssertNil(policy.nextCheck)
        XCTAssertNil(policy.update(broken: true, at: at(40)))
        XCTAssertNil(policy.update(broken: true, at: at(150)), "the incident began at 40 s, not 0 s")
        XCTAssertEqual(policy.update(broken: true, at: at(160)), .alert(since: at(40), reminder: false))
    }

    func testRemindersAtTheRepeatInterval() {
        var policy = AlertPolicy(threshold: .seconds(60), repeatInterval: .seconds(600))
        _ = policy.update(broken: true, at: at(0))
        XCTAssertEqual(policy.update(broken: true, at: at(60)), .alert(since: at(0), reminder: false))
        XCTAssertEqual(policy.nextCheck, at(660))
        XCTAssertNil(policy.update(broken: true, at: at(659)))
        XCTAssertEqual(policy.update(broken: true, at: at(660)), .alert(since: at(0), reminder: true))
        XCTAssertEqual(policy.update(broken: false, at: at(700)), .recovered(since: at(0), duration: .seconds(700)))
    }

    /// A server's `retry:` is honoured up to the cap (10 minutes by default): a huge one
    /// cannot silence a stream for days.
    func testAServersRetryIsCapped() {
        var policy = ReconnectPolicy(seed: 4)
        policy.serverRetry = .milliseconds(99_999_999_999)
        XCTAssertEqual(policy.connectionEnded(at: at(1), failed: false), .seconds(600))
        policy.maximumServerRetry = .seconds(5)
        XCTAssertEqual(policy.connectionEnded(at: at(2), failed: false), .seconds(5))
        policy.serverRetry = .seconds(2)
        XCTAssertEqual(policy.connectionEnded(at: at(3), failed: false), .seconds(2), "smaller ones are honoured")
    }

    /// An incident: from the first error since the stream was healthy until it goes 60 s
    /// without one; an error may last (a failed attempt waits for the next one).
    func testAnIncidentLastsUntilSixtySecondsWithoutAnError() {
        var incident = IncidentTracker()
        XCTAssertFalse(incident.update(at: at(0)))
        XCTAssertNil(incident.endsAt)
        incident.error(at: at(10))
        XCTAssertEqual(incident.since, at(10))
        XCTAssertEqual(incident.endsAt, at(70))
        // Errors every 30 s: one incident, however the state flips between them.
        for second in stride(from: 40.0, through: 160, by: 30) {
            XCTAssertTrue(incident.update(at: at(second)))
            incident.error(at: at(second))
        }
        XCTAssertEqual(incident.since, at(10))
        XCTAssertTrue(incident.update(at: at(219)))
        XCTAssertFalse(incident.update(at: at(220)), "60 s without an error")
        XCTAssertNil(incident.since)
        // A failed attempt waiting 30 s for the next: an error until then.
        incident.error(at: at(300), until: at(330))
        XCTAssertTrue(incident.update(at: at(380)))
        XCTAssertFalse(incident.update(at: at(390)))
        // A new error after the end starts a new incident.
        incident.error(at: at(400))
        XCTAssertEqual(incident.since, at(400))
        incident.reset()
        XCTAssertFalse(incident.update(at: at(401)))
    }

    /// An alert's threshold counts from the incident's start, not from the first check.
    func testTheThresholdCountsFromTheIncidentsStart() {
        var policy = AlertPolicy(threshold: .seconds(120))
        XCTAssertEqual(policy.update(broken: true, since: at(0), at: at(130)), .alert(since: at(0), reminder: false))
        var later = AlertPolicy(threshold: .seconds(120))
        XCTAssertNil(later.update(broken: true, since: at(100), at: at(130)))
        XCTAssertEqual(later.nextCheck, at(220))
    }

    func testStateNamesAndFlags() {
        XCTAssertEqual(StreamState.reconnecting(nextAttempt: at(3), attempt: 2).name, "reconnecting")
        XCTAssertEqual(StreamState.stoppedByServer.name, "stopped by server")
        // Broken is the incident's, not the state's.
        XCTAssertFalse(StreamStatus(state: .failed(nextAttempt: at(1), attempt: 1), since: at(0)).isBroken)
        var open = StreamStatus(state: .open, since: at(0))
        open.incidentSince = at(0)
        XCTAssertTrue(open.isBroken)
        XCTAssertTrue(StreamState.connecting(attempt: 1).isRunning)
        XCTAssertFalse(StreamState.stopped.isRunning)
        XCTAssertFalse(StreamState.stoppedByServer.isRunning)
    }
}
