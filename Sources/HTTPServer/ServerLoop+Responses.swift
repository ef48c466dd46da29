import CEpoll
import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// Writing answers: whole responses, streamed ones, and how a connection ends (kept alive,
/// closed gracefully, or dropped).
extension ServerLoop {
    // MARK: From responders and streams

    func complete(_ key: ConnectionKey, _ response: HTTPServerResponse) {
        checkLoopThread()
        guard let connection = connection(key), case .awaitingAnswer = connection.phase else { return }
        let keepAlive = connection.keepAlive
        connection.output.append(
            ResponseEncoder.response(response, keepAlive: keepAlive, omitBody: connection.answeringHead))
        connection.phase = .writing(keepAlive: keepAlive)
        flush(connection)
        settle(connection)
    }

    /// A responder was dropped without answering.
    func completeUnanswered(_ key: ConnectionKey) {
        complete(key, errorResponse(500, "the server did not answer this request"))
    }

    func beginStream(
        _ key: ConnectionKey, status: Int, headers: [(name: String, value: String)], channel: StreamChannel
    ) {
        checkLoopThread()
        guard let connection = connection(key), case .awaitingAnswer = connection.phase else {
            channel.close()
            return
        }
        if connection.peerHungUp {
            channel.close()
            close(connection)
            return
        }
        // Each stream may hold its backlog: their number bounds what all of them hold together.
        let streaming = connections.values.reduce(0) { count, other in
            if case .streaming = other.phase { return count + 1 }
            return count
        }
        if !connection.answeringHead, streaming >= limits.maxStreams {
            channel.close()
            fail(connection, HTTPFailure(503, "\(limits.maxStreams) streams are being served already; try again later"))
            return
        }
        connection.output.append(ResponseEncoder.streamHead(status: status, headers: headers))
        if connection.answeringHead {
            channel.close()
            connection.phase = .writing(keepAlive: false)
        } else {
            connection.phase = .streaming(channel)
        }
        flush(connection)
        settle(connection)
    }

    func streamWake(_ key: ConnectionKey, _ wake: StreamChannel.Wake) {
        checkLoopThread()
        guard let connection = connection(key), connection.streamChannel != nil else { return }
        switch wake {
        case .write: flush(connection)
        case .drop: close(connection)  // past the backlog: the client is not reading
        }
        settle(connection)
    }

    // MARK: Writing

    /// Writes what the connection has queued (and, for a stream, what its senders queued) until
    /// the socket is full or nothing is left; then moves the connection on.
    func flush(_ connection: ServerConnection) {
        var refills = 0
        while !connection.closed {
            if connection.output.isEmpty {
                connection.outputIsStream = false
                guard let channel = connection.streamChannel else { break }
                // A sender as fast as its client must not keep the loop from everyone else:
                // after a few rounds, the rest waits for the next turn.
                if refills == 8 {
                    submit { [key = connection.key] in $0.streamWake(key, .write) }
                    return
                }
                refills += 1
                let more = channel.take()
                guard !more.isEmpty else { break }
                connection.output.append(more)
                connection.outputIsStream = true
            }
            let written = connection.output.write {
                send(connection.key.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                connection.lastProgress = time.now()
                if connection.outputIsStream { connection.streamChannel?.wrote(written) }
            } else if written < 0 && errno == EINTR {
                continue
            } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                if case .writing = connection.phase { ensureDeadline(connection, .writeStall) }
                return
            } else {
                close(connection)  // EPIPE, ECONNRESET: the client has gone
                return
            }
        }
        guard !connection.closed else { return }
        outputDone(connection)
    }

    /// Everything queued has been written.
    private func outputDone(_ connection: ServerConnection) {
        switch connection.phase {
        case .writing(let keepAlive):
            guard keepAlive else {
                closeGracefully(connection)
                return
            }
            connection.resetForNextRequest()
            clearDeadline(connection)
            processInput(connection)  // a pipelined request, or the idle deadline
        case .streaming(let channel):
            if channel.isFinished { closeGracefully(connection) }
        case .reading, .awaitingAnswer, .draining:
            break
        }
    }

    // MARK: Ending

    /// Ends the response side: what was written stays written (FIN, not a reset), and what the
    /// client still sends is read and dropped for a while, so the answer is not lost to the
    /// reset a close with unread input would send.
    func closeGracefully(_ connection: ServerConnection) {
        endStream(connection)
        shutdown(connection.key.fd, Int32(SHUT_WR))
        connection.phase = .draining
        connection.input = []
        if connection.inputEnded {
            close(connection)
            return
        }
        setDeadline(connection, .linger)
    }

    /// Closes the connection at once and forgets it.
    func close(_ connection: ServerConnection) {
        guard !connection.closed else { return }
        connection.closed = true
        connections.removeValue(forKey: connection.key.fd)
        epoll_ctl(epollFD, EPOLL_CTL_DEL, connection.key.fd, nil)
        clearDeadline(connection)
        Glibc.close(connection.key.fd)
        connection.input = []
        connection.output.removeAll()
        endStream(connection)
        // A descriptor is free again: accepting may go on.
        if acceptPaused { resumeAccepting() }
    }

    /// A streamed response is over: its senders are refused and its close actions run.
    private func endStream(_ connection: ServerConnection) {
        connection.streamChannel?.close()
    }

    // MARK: Interest

    /// Brings the epoll registration in line with what the connection waits for.
    func settle(_ connection: ServerConnection) {
        guard !connection.closed else { return }
        let wanted = wantedEvents(connection)
        guard wanted != connection.registeredEvents else { return }
        connection.registeredEvents = wanted
        modify(connection.key.fd, events: wanted)
    }

    private func wantedEvents(_ connection: ServerConnection) -> UInt32 {
        var events: UInt32 = 0
        switch connection.phase {
        case .reading, .draining:
            if !connection.inputEnded { events = EPOLLIN.rawValue | EPOLLRDHUP.rawValue }
        case .awaitingAnswer, .writing, .streaming:
            // Not reading (a pipelined request waits in the socket), but told when the client goes.
            if !connection.inputEnded && !connection.peerHungUp { events = EPOLLRDHUP.rawValue }
        }
        if !connection.output.isEmpty { events |= EPOLLOUT.rawValue }
        return events
    }
}
