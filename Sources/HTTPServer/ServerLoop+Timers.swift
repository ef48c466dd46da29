import StreamCore

/// Deadlines: each connection has at most one (idle: no request; request: not complete in
/// time; write stall: the client reads none of a response; linger: draining after an answer),
/// and one `Scheduler` timer sweeps them all every `timerResolution`. Per-connection timers
/// would cost a scheduled block per request and per answer, which under load means hundreds
/// of thousands of them waiting out their 60 s; the sweep costs a look at each connection once
/// a second, and a deadline fires at most one resolution late.
extension ServerLoop {
    func setDeadline(_ connection: ServerConnection, _ kind: ServerConnection.DeadlineKind) {
        connection.deadlineKind = kind
        connection.deadline = time.now() + duration(kind)
    }

    /// Sets a deadline of `kind` unless one is running.
    func ensureDeadline(_ connection: ServerConnection, _ kind: ServerConnection.DeadlineKind) {
        guard connection.deadlineKind != kind else { return }
        setDeadline(connection, kind)
    }

    func clearDeadline(_ connection: ServerConnection) {
        connection.deadline = nil
        connection.deadlineKind = nil
    }

    private func duration(_ kind: ServerConnection.DeadlineKind) -> Duration {
        switch kind {
        case .idle, .writeStall: return limits.idleTimeout
        case .request: return limits.requestTimeout
        case .linger: return limits.lingerTimeout
        }
    }

    /// Starts the sweep: each run schedules the next (on the timer queue, so a manual clock
    /// runs every sweep it passes) and hands the look to the loop; it ends with the loop.
    func scheduleSweep() {
        let work = time.schedule(after: limits.timerResolution, on: timerQueue) { [self] in
            if submit({ $0.sweep() }) { scheduleSweep() }
        }
        sweepTimer.withLock { $0 = work }
    }

    func cancelSweep() {
        sweepTimer.withLock { $0?.cancel() }
    }

    private func sweep() {
        checkLoopThread()
        let now = time.now()
        for connection in Array(connections.values) {
            guard let deadline = connection.deadline, deadline <= now, !connection.closed else { continue }
            deadlinePassed(connection, now: now)
            settle(connection)
        }
    }

    private func deadlinePassed(_ connection: ServerConnection, now: Moment) {
        guard let kind = connection.deadlineKind else { return }
        clearDeadline(connection)
        switch kind {
        case .idle, .linger:
            close(connection)
        case .request:
            let seconds = limits.requestTimeout.components.seconds
            fail(connection, HTTPFailure(408, "the request did not arrive in full within \(seconds) s"))
        case .writeStall:
            if now - connection.lastProgress >= limits.idleTimeout {
                close(connection)
            } else {
                connection.deadlineKind = .writeStall
                connection.deadline = connection.lastProgress + limits.idleTimeout
            }
        }
    }
}
