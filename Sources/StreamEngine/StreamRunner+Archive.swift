import Dispatch
import StreamCore

/// The archive's records about the stream itself, beside what it received: its counters
/// every minute while it runs and when it stops, so that `streamtop report` computes exactly
/// what the monitor showed, over any period, from the archive alone; and the end of each
/// segment on time, so that a quiet stream's segment is compressed and uploaded all the same.
extension StreamRunner {
    /// How often a running stream archives its counters and checks its segment's end.
    static let archiveChoresInterval: Duration = .seconds(60)

    /// The stream began running, or its connection ended (on `queue`): counters now, and the
    /// minute's chores from now on or no more. A stopped stream's segment ends with its
    /// counters, once all it received is counted.
    func archiveRunningChanged(running: Bool) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard archive != nil, !archiveEnded, running || archiveTimer != nil else { return }
        archiveTimer?.cancel()
        archiveTimer = nil
        archiveCounters()
        if running {
            scheduleArchiveChores()
        } else {
            archiving { try $0.close() }
        }
    }

    /// The engine is shutting down and its segments go to S3 now: the counters of a stream
    /// still running (its stop may not have been handled yet), and its segment ends. Nothing
    /// is archived after this.
    func endArchive() {
        queue.sync {
            guard archive != nil, !archiveEnded else { return }
            archiveTimer?.cancel()
            archiveTimer = nil
            if status.state.isRunning { archiveCounters() }
            archiving { try $0.close() }
            archiveEnded = true
        }
    }

    private func scheduleArchiveChores() {
        archiveTimer = time.schedule(after: StreamRunner.archiveChoresInterval, on: queue) { [weak self] in
            guard let self else { return }
            self.archiveCounters()
            self.archiving { try $0.endSegmentIfDue(at: self.wall.now()) }
            self.scheduleArchiveChores()
        }
    }

    /// A part of the stream's archive (`part`, a file name) was removed for the disk budget
    /// (`budget` bytes) before it reached S3: a warning in the stream's log.
    func archivePartLost(_ part: String, budget: Int) {
        queue.async { [self] in
            write(.warn, "archive", [
                "lost": .string(part), "reason": .string("removed for the disk budget before it reached S3"),
                "budget": .number(JSONNumber(budget)),
            ])
        }
    }

    /// One `counters` record: the stream's cumulative metrics since `runStarted`.
    func archiveCounters() {
        let now = time.now()
        let fields = counterFields(metrics.snapshot(at: now), open: metrics.openTime(at: now))
        archiving { try $0.append(kind: "counters", time: wall.now(), fields: fields) }
        linesWritten()
    }

    /// `uptime`: the time the stream was open (of `running`, the time it was meant to run).
    private func counterFields(_ metrics: MetricsSnapshot, open: Duration) -> JSONObject {
        func count(_ value: Int64) -> JSONValue { .number(JSONNumber(Int(value))) }
        func number(_ value: Double?) -> JSONValue { value.flatMap(JSONNumber.init).map { .number($0) } ?? .null }
        func seconds(_ value: Duration) -> JSONValue { number(value.seconds) }
        return [
            "run": .string(runStarted.iso8601), "name": .string(spec.name),
            "group": spec.group.map { .string($0) } ?? .null, "mode": .string(spec.mode.rawValue),
            "running": seconds(metrics.runningTime), "uptime": seconds(open),
            "wireBytes": count(metrics.wireBytes), "payloadBytes": count(metrics.payloadBytes),
            "events": count(metrics.events), "snapshots": count(metrics.snapshots), "patches": count(metrics.patches),
            "operations": count(metrics.patchOperations), "polls": count(metrics.polls),
            "notModified": count(metrics.notModified), "errors": count(metrics.errors),
            "reconnects": count(metrics.reconnects), "changes": count(metrics.changes),
            "changeFrequency": number(metrics.changeFrequency),
            "wouldBePatchBytes": count(metrics.wouldBePatchBytes), "pollBodyBytes": count(metrics.pollBodyBytes),
        ]
    }
}
