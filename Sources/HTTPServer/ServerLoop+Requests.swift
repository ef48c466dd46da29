import CEpoll
import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// Reading requests: readiness on a connection, its bytes through the head scanner, head parser
/// and body reader, and the complete request handed to the handler.
extension ServerLoop {
    func connectionEvent(_ connection: ServerConnection, flags: UInt32) {
        if flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
            close(connection)  // reset, or both directions shut: nothing more can be written
            return
        }
        if flags & EPOLLIN.rawValue != 0 { readable(connection) }
        if !connection.closed, flags & EPOLLRDHUP.rawValue != 0 { peerHungUp(connection) }
        if !connection.closed, flags & EPOLLOUT.rawValue != 0 { flush(connection) }
        settle(connection)
    }

    /// The client shut its side while the server was not reading: a stream's client has gone;
    /// otherwise the answer still goes out (the client may only have half-closed).
    private func peerHungUp(_ connection: ServerConnection) {
        switch connection.phase {
        case .reading, .draining:
            return  // reads see the end
        case .streaming:
            close(connection)
        case .awaitingAnswer, .writing:
            connection.peerHungUp = true
        }
    }

    private func readable(_ connection: ServerConnection) {
        if case .draining = connection.phase {
            drain(connection)
            return
        }
        // At most a few reads per turn, so one fast client cannot starve the others.
        var reads = 0
        while case .reading = connection.phase, !connection.inputEnded, !connection.closed, reads < 8 {
            let count = readBuffer.withUnsafeMutableBytes { read(connection.key.fd, $0.baseAddress, $0.count) }
            if count > 0 {
                reads += 1
                connection.input += readBuffer[0..<count]
            } else if count == 0 {
                connection.inputEnded = true
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                return
            } else {
                close(connection)
                return
            }
            processInput(connection)
        }
    }

    /// Reads and drops what a client sends after its answer, until it closes.
    private func drain(_ connection: ServerConnection) {
        while !connection.closed {
            let count = readBuffer.withUnsafeMutableBytes { read(connection.key.fd, $0.baseAddress, $0.count) }
            if count > 0 {
                connection.drained += count
                if connection.drained > limits.maxBody + limits.maxHead { close(connection) }
            } else if count < 0 && errno == EINTR {
                continue
            } else if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return
            } else {
                close(connection)
            }
        }
    }

    /// Moves the request being read as far as the input allows: to the handler when complete,
    /// to an error answer when it breaks a rule or a limit.
    func processInput(_ connection: ServerConnection) {
        while case .reading = connection.phase, !connection.closed {
            do {
                if connection.head == nil {
                    guard try readHead(connection) else { return }
                }
                guard let body = try connection.body?.read(from: &connection.input) else { return }
                guard case .complete(let bytes) = body else {
                    if connection.inputEnded { close(connection) }  // the client gave up mid-body
                    return
                }
                dispatch(connection, body: bytes)
            } catch {
                fail(connection, error)
            }
        }
    }

    /// Reads the head if it has arrived: true once it has (and the body may be read).
    private func readHead(_ connection: ServerConnection) throws(HTTPFailure) -> Bool {
        // Blank lines before a request are allowed (RFC 9112 2.2), and cost the idle time.
        while connection.input.count >= 2, connection.input[0] == 13, connection.input[1] == 10 {
            connection.input.removeFirst(2)
            connection.scanner = HeadScanner()  // what it scanned has moved
        }
        if connection.input.isEmpty {
            if connection.inputEnded {
                close(connection)
            } else {
                ensureDeadline(connection, .idle)
            }
            return false
        }
        ensureDeadline(connection, .request)  // from the request's first byte
        // Known before the head is parsed, so that an error answer to HEAD has no body either.
        connection.answeringHead = connection.input.starts(with: Self.headMethod)
        guard case .complete(let headLength) = try connection.scanner.scan(connection.input, limits: limits) else {
            if connection.inputEnded { close(connection) }  // the client gave up mid-head
            return false
        }
        let head = try HeadParser.parse(connection.input[0..<(headLength - 4)], limits: limits)
        connection.input.removeFirst(headLength)
        connection.keepAlive = head.keepAlive
        if connection.refused, case .unix(let uid, _) = connection.peer {
            throw HTTPFailure(403, "this socket serves its owner only, not uid \(uid)")
        }
        connection.body = try BodyReader(framing: head.framing, limits: limits)
        connection.head = head
        if head.expectsContinue, head.framing != .none, head.framing != .length(0), connection.input.isEmpty {
            connection.output.append(ResponseEncoder.continueLine)
            flush(connection)
        }
        return true
    }

    private static let headMethod = Array("HEAD ".utf8)

    /// Hands a complete request to the handler, off the loop.
    private func dispatch(_ connection: ServerConnection, body: [UInt8]) {
        guard let head = connection.head else { return }
        clearDeadline(connection)
        connection.phase = .awaitingAnswer
        connection.head = nil
        connection.body = nil
        totals.requests += 1
        let request = HTTPServerRequest(
            method: head.method, path: head.path, target: head.target, query: head.query,
            headers: head.headers, body: body, peer: connection.peer)
        let responder = ConnectionResponder(loop: self, key: connection.key)
        let handler = self.handler
        handlerQueue.async { handler(request, responder) }
    }

    /// Answers a request the server refuses itself, and closes the connection after it.
    func fail(_ connection: ServerConnection, _ failure: HTTPFailure) {
        guard !connection.closed else { return }
        clearDeadline(connection)
        connection.input = []
        connection.head = nil
        connection.body = nil
        let response = errorResponse(failure.status, failure.message)
        connection.output.append(
            ResponseEncoder.response(response, keepAlive: false, omitBody: connection.answeringHead))
        connection.phase = .writing(keepAlive: false)
        flush(connection)
    }
}
