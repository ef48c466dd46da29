import StreamCore

/// A connection's one timer, through the `Scheduler`: idle (no request), request (not complete
/// in time), write stall (the client reads none of a response), linger (draining after an
/// answer). Firing hands the work to the loop, which checks the timer is still the current one.
extension ServerLoop {
    func armTimer(_ connection: ServerConnection, _ kind: ServerConnection.TimerKind, after delay: Duration) {
        connection.timer?.cancel()
        connection.timerSerial &+= 1
        connection.timerKind = kind
        let key = connection.key
        let serial = connection.timerSerial
        connection.timer = time.schedule(after: delay, on: timerQueue) { [self] in
            submit { $0.timerFired(key, serial: serial) }
        }
    }

    /// Arms a timer of `kind` unless one is running.
    func ensureTimer(_ connection: ServerConnection, _ kind: ServerConnection.TimerKind) {
        guard connection.timerKind != kind else { return }
        switch kind {
        case .idle, .writeStall: armTimer(connection, kind, after: limits.idleTimeout)
        case .request: armTimer(connection, kind, after: limits.requestTimeout)
        case .linger: armTimer(connection, kind, after: limits.lingerTimeout)
        }
    }

    func disarmTimer(_ connection: ServerConnection) {
        connection.timer?.cancel()
        connection.timer = nil
        connection.timerKind = nil
        connection.timerSerial &+= 1
    }

    private func timerFired(_ key: ConnectionKey, serial: UInt64) {
        checkLoopThread()
        guard let connection = connection(key), connection.timerSerial == serial,
            let kind = connection.timerKind
        else { return }
        connection.timer = nil
        connection.timerKind = nil
        switch kind {
        case .idle, .linger:
            close(connection)
        case .request:
            let seconds = limits.requestTimeout.components.seconds
            fail(connection, HTTPFailure(408, "the request did not arrive in full within \(seconds) s"))
        case .writeStall:
            let stalled = time.now() - connection.lastProgress
            if stalled >= limits.idleTimeout {
                close(connection)
            } else {
                armTimer(connection, .writeStall, after: limits.idleTimeout - stalled)
            }
        }
        settle(connection)
    }
}
