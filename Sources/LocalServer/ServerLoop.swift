import CEpoll
import Foundation
import StreamCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// LocalServer's epoll loop: the listening socket, the connections, the simulated APIs and a
/// periodic tick (50 ms) for heartbeats, drips and the APIs' schedule.
final class ServerLoop: @unchecked Sendable {  // every field but `inbox` is touched only on the loop thread
    let port: UInt16
    let configuration: LocalServer.Configuration
    let time: any TimeSource
    private let epollFD: Int32
    private let wakeFD: Int32
    private let listenFD: Int32
    var connections: [Int32: Connection] = [:]
    /// Every byte written to any client (for byte-accounting tests).
    var bytesSent = 0
    /// Requests received per path (for tests of how often a client asks).
    var requestsByPath: [String: Int] = [:]
    /// Bodies posted to `/hook` (for notification tests), oldest first.
    var hooks: [(contentType: String?, body: [UInt8])] = []
    private var apis: [String: SimulatedAPI] = [:]
    private var running = true
    private let inbox = LoopInbox<ServerLoop>()
    private let finishedCondition = OneShotSignal()
    private let tickInterval: Duration = .milliseconds(50)
    let startedAt: Moment

    init(configuration: LocalServer.Configuration, time: any TimeSource) throws {
        self.configuration = configuration
        self.time = time
        startedAt = time.now()
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        let listenSocket = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        listenFD = listenSocket
        guard epollFD >= 0, wakeFD >= 0, listenSocket >= 0 else { throw ServerError.system("cannot create sockets", errno) }
        var yes: Int32 = 1
        setsockopt(listenSocket, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = configuration.port.bigEndian
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listenSocket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listenSocket, 1024) == 0 else { throw ServerError.system("cannot listen on 127.0.0.1:\(configuration.port)", errno) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listenSocket, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        let start = time.now()
        for (index, api) in configuration.apis.enumerated() {
            let kind = SimulatedAPI.Kind(rawValue: api.kind) ?? .quotes
            apis[api.name] = SimulatedAPI(name: api.name, kind: kind, period: api.period, seed: configuration.seed &+ UInt64(index), start: start)
        }
        watch(listenFD, events: EPOLLIN.rawValue)
        watch(wakeFD, events: EPOLLIN.rawValue)
    }

    // MARK: Work from other threads

    func submit(_ work: @escaping @Sendable (ServerLoop) -> Void) {
        guard inbox.post(work) else {
            work(self)  // the loop has ended
            return
        }
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    /// Runs `work` on the loop thread and returns its result (for tests and stop).
    func query<T: Sendable>(_ work: @escaping @Sendable (ServerLoop) -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = OneShotSignal()
        submit { loop in
            result.withLock { $0 = work(loop) }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }

    func stopAndWait() {
        submit { $0.running = false }
        finishedCondition.wait()
    }

    // MARK: The loop

    func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        var nextTick = time.now() + tickInterval
        while running {
            let count = events.withUnsafeMutableBufferPointer { epoll_wait(epollFD, $0.baseAddress, Int32($0.count), Int32(tickInterval.nanoseconds / 1_000_000)) }
            for index in 0..<max(0, Int(count)) {
                let fd = events[index].data.fd
                let flags = events[index].events
                if fd == listenFD {
                    acceptAll()
                } else if fd == wakeFD {
                    var value: UInt64 = 0
                    _ = read(wakeFD, &value, 8)
                } else if let connection = connections[fd] {
                    if flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 && flags & EPOLLIN.rawValue == 0 {
                        close(connection)
                        continue
                    }
                    if flags & EPOLLIN.rawValue != 0 { readable(connection) }
                    if flags & EPOLLOUT.rawValue != 0, connections[fd] != nil { flush(connection) }
                }
            }
            for work in inbox.drain() {
                work(self)
            }
            if time.now() >= nextTick {
                nextTick = time.now() + tickInterval
                periodic()
            }
        }
        for connection in Array(connections.values) { close(connection) }
        Glibc.close(listenFD)
        // wakeFD and epollFD close in deinit: a thread that posted before the inbox closed may
        // still be writing to the eventfd, holding a reference to this loop meanwhile.
        // Work queued while the loop was ending still runs (queries must get an answer).
        for work in inbox.close() {
            work(self)
        }
        finishedCondition.signal()
    }

    deinit {
        Glibc.close(wakeFD)
        Glibc.close(epollFD)
    }

    private func watch(_ fd: Int32, events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event)
    }

    private func setWritableInterest(_ connection: Connection, _ on: Bool) {
        guard connection.watchingWritable != on else { return }
        connection.watchingWritable = on
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | (on ? EPOLLOUT.rawValue : 0)
        event.data.fd = connection.fd
        epoll_ctl(epollFD, EPOLL_CTL_MOD, connection.fd, &event)
    }

    private func acceptAll() {
        while true {
            let fd = accept(listenFD, nil, nil)
            guard fd >= 0 else { return }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            var yes: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            connections[fd] = Connection(fd: fd, now: time.now())
            watch(fd, events: EPOLLIN.rawValue)
        }
    }

    private func readable(_ connection: Connection) {
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        let count = buffer.withUnsafeMutableBytes { read(connection.fd, $0.baseAddress, $0.count) }
        if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) {
            close(connection)
            return
        }
        guard count > 0, case .readingRequest = connection.mode else { return }  // bytes after the request are ignored
        connection.input.append(contentsOf: buffer[0..<count])
        switch HTTPRequest.parse(connection.input) {
        case .incomplete:
            return
        case .invalid(let reason):
            respond(connection, status: "400 Bad Request", contentType: "text/plain", body: Array("\(reason)\n".utf8))
        case .complete(let request, let consumed):
            // A body (webhooks post one) must have arrived in full first.
            let length = request.header("content-length").flatMap { Int($0) } ?? 0
            guard connection.input.count >= consumed + length else { return }
            route(request, body: Array(connection.input[consumed..<(consumed + length)]), connection)
        }
    }

    func send(_ connection: Connection, _ bytes: [UInt8]) {
        var bytes = bytes
        if connection.gzip != nil { bytes = connection.gzip!.block(bytes) }
        connection.output.append(contentsOf: bytes)
        flush(connection)
    }

    /// Sends bytes that are already framed (headers before gzip begins).
    func sendRaw(_ connection: Connection, _ bytes: [UInt8]) {
        connection.output.append(contentsOf: bytes)
        flush(connection)
    }

    func flush(_ connection: Connection) {
        // Read before the bytes leave: a client that has them may move a manual clock at once,
        // and a write stamped with that later time would put the next heartbeat off.
        let now = time.now()
        while connection.pendingBytes > 0 {
            // Read before the bytes leave: a client may see them, and a test move a manual
            // clock, before this thread runs again.
            let now = time.now()
            let written = connection.output.withUnsafeBytes {
                // send with MSG_NOSIGNAL: a client that went away is an error here, not a SIGPIPE.
                Glibc.send(connection.fd, $0.baseAddress! + connection.outputOffset, connection.pendingBytes, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN {
                    setWritableInterest(connection, true)
                    return
                }
                close(connection)
                return
            }
            connection.outputOffset += written
            bytesSent += written
            connection.lastWrite = now
        }
        connection.output.removeAll(keepingCapacity: connection.output.capacity < 1 << 20)
        connection.outputOffset = 0
        setWritableInterest(connection, false)
        if case .responding = connection.mode { close(connection) }
    }

    func close(_ connection: Connection) {
        guard connections.removeValue(forKey: connection.fd) != nil else { return }
        epoll_ctl(epollFD, EPOLL_CTL_DEL, connection.fd, nil)
        Glibc.close(connection.fd)
    }

    func api(_ name: String) -> SimulatedAPI? { apis[name] }

    // MARK: Time

    /// Moves every API to now and pushes their new versions to subscribed streams.
    func advanceAPIs() {
        guard running else { return }
        let now = time.now()
        for api in apis.values {
            for (version, patch) in api.advance(to: now) {
                for connection in Array(connections.values) {
                    guard case .streaming(let name, let fault) = connection.mode, name == api.name else { continue }
                    pushPatch(version: version, patch: patch, fault: fault, to: connection)
                }
            }
        }
    }

    func periodic() {
        advanceAPIs()
        let now = time.now()
        for connection in Array(connections.values) {
            guard case .streaming(_, let fault) = connection.mode else { continue }
            if !connection.drip.isEmpty {
                let count = min(connection.dripPerTick, connection.drip.count)
                let piece = Array(connection.drip.prefix(count))
                connection.drip.removeFirst(count)
                send(connection, piece)
                continue
            }
            if fault != "stall", now - connection.lastWrite >= configuration.heartbeat {
                send(connection, Array(": heartbeat\n\n".utf8))
            }
        }
    }
}

enum ServerError: Error, CustomStringConvertible {
    case system(String, Int32)

    var description: String {
        switch self {
        case .system(let what, let code): return "\(what): \(String(cString: strerror(code)))"
        }
    }
}

/// A one-shot signal between threads (a condition variable with its flag).
final class OneShotSignal: @unchecked Sendable {  // all state behind `condition`
    private let condition = NSCondition()
    private var signalled = false

    func signal() {
        condition.lock()
        signalled = true
        condition.broadcast()
        condition.unlock()
    }

    func wait() {
        condition.lock()
        while !signalled { condition.wait() }
        condition.unlock()
    }
}
