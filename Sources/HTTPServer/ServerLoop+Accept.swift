import CEpoll
import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// Accepting connections: within the connection limit, and pausing (not spinning) when the
/// process is out of descriptors.
extension ServerLoop {
    func acceptAll(_ listener: BoundListener) {
        while !acceptPaused {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener.fd, $0, &length) }
            }
            guard fd >= 0 else {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR, ECONNABORTED, EPROTO, EPERM: continue
                // EMFILE, ENFILE, ENOBUFS, ENOMEM and anything unforeseen: the pending connection
                // stays queued and the listener stays readable, so waiting is the only way not to spin.
                default: pauseAccepting()
                }
                return
            }
            totals.accepted += 1
            // TCP leaves room on the Unix socket: a flood of anonymous connections never locks
            // the local user out.
            let cap = listener.isUnix ? limits.maxConnections : limits.maxConnections - limits.reservedForUnix
            guard connections.count < cap else {
                totals.refusedOverLimit += 1
                Glibc.close(fd)
                continue
            }
            adopt(fd, storage: storage, from: listener)
        }
    }

    private func adopt(_ fd: Int32, storage: sockaddr_storage, from listener: BoundListener) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let peer: HTTPPeer
        var refused = false
        if listener.isUnix {
            peer = SocketAddress.unixPeer(fd)
            if let allowed = listener.allowedUID, case .unix(let uid, _) = peer, uid != allowed { refused = true }
        } else {
            var yes: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            if var size = limits.socketSendBuffer.map(Int32.init) {
                setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            }
            peer = .tcp(SocketAddress.text(storage))
        }
        nextSerial += 1
        let events = EPOLLIN.rawValue | EPOLLRDHUP.rawValue
        let connection = ServerConnection(
            key: ConnectionKey(fd: fd, serial: nextSerial), peer: peer, refused: refused, events: events,
            now: time.now())
        connections[fd] = connection
        register(fd, events: events)
        // A new connection has as long to send its first request as any request has: one that
        // says nothing is closed then, not after the idle timeout of a kept-alive connection.
        setDeadline(connection, .request)
    }

    private func pauseAccepting() {
        guard !acceptPaused else { return }
        acceptPaused = true
        totals.acceptPauses += 1
        for fd in listeners.keys { modify(fd, events: 0) }
        acceptTimer = time.schedule(after: limits.acceptBackoff, on: timerQueue) { [self] in
            submit { $0.resumeAccepting() }
        }
    }

    /// After the backoff, or once a connection closed and gave a descriptor back.
    func resumeAccepting() {
        checkLoopThread()
        guard acceptPaused else { return }
        acceptPaused = false
        acceptTimer?.cancel()
        acceptTimer = nil
        for fd in listeners.keys { modify(fd, events: EPOLLIN.rawValue) }
    }
}
