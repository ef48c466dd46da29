import CEpoll
import Dispatch
import StreamCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The server's epoll loop: the listeners, every connection, their timers. One thread runs it
/// (`run`); everything but the immutable configuration and the inbox is confined to that
/// thread, which `checkLoopThread` verifies where work enters from elsewhere. Other threads
/// (responders, streams, timers) only `submit` work, which the loop runs on its next turn.
final class ServerLoop: @unchecked Sendable {
    let limits: HTTPServer.Limits
    let time: any Scheduler
    let errorResponse: @Sendable (Int, String) -> HTTPServerResponse
    let handler: @Sendable (HTTPServerRequest, any HTTPResponder) -> Void
    /// Handlers run here, concurrently: a slow one never holds the loop or another request.
    let handlerQueue = DispatchQueue(label: "streamtop.http.handlers", attributes: .concurrent)
    /// Timers fire here and only hand their work to the loop.
    let timerQueue = DispatchQueue(label: "streamtop.http.timers")
    let epollFD: Int32
    /// Closed only in `deinit`: whoever can still `submit` holds the loop, so a wake-up never
    /// writes to a descriptor that was closed and given to someone else.
    private let wakeFD: Int32
    private let inbox = LoopInbox<ServerLoop>()
    private let loopThread = Atomic<UInt>(0)
    private let ended = Mutex(false)
    private let endedCondition = DispatchSemaphore(value: 0)
    /// The deadline sweep's next run (set from the timer queue).
    let sweepTimer = Mutex<ScheduledWork?>(nil)

    // The loop thread's state.
    var listeners: [Int32: BoundListener] = [:]
    var connections: [Int32: ServerConnection] = [:]
    var nextSerial: UInt64 = 0
    var running = true
    var acceptPaused = false
    var acceptTimer: ScheduledWork?
    var totals = HTTPServer.Statistics()
    /// Where reads land before they join a connection's input.
    var readBuffer = [UInt8](repeating: 0, count: 64 << 10)

    init(
        listeners: [BoundListener], limits: HTTPServer.Limits, time: any Scheduler,
        errorResponse: @escaping @Sendable (Int, String) -> HTTPServerResponse,
        handler: @escaping @Sendable (HTTPServerRequest, any HTTPResponder) -> Void
    ) throws(HTTPServerError) {
        self.limits = limits
        self.time = time
        self.errorResponse = errorResponse
        self.handler = handler
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard epollFD >= 0, wakeFD >= 0 else {
            let code = errno
            if epollFD >= 0 { Glibc.close(epollFD) }
            if wakeFD >= 0 { Glibc.close(wakeFD) }
            throw .system(operation: "create the event loop for", address: "the HTTP server", code: code)
        }
        register(wakeFD, events: EPOLLIN.rawValue)
        for listener in listeners {
            self.listeners[listener.fd] = listener
            register(listener.fd, events: EPOLLIN.rawValue)
        }
    }

    deinit {
        Glibc.close(wakeFD)
        Glibc.close(epollFD)
    }

    // MARK: Any thread

    /// Queues `work` for the loop; false when the loop has ended (the work is dropped).
    @discardableResult
    func submit(_ work: @escaping @Sendable (ServerLoop) -> Void) -> Bool {
        // One wake for a batch: the loop reads the wake before it drains, so what is posted while
        // work waits is drained with it (a broadcast to a thousand clients wakes it once).
        switch inbox.postCoalescing(work) {
        case .closed: return false
        case .queued: return true
        case .first:
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
            return true
        }
    }

    /// Runs `work` on the loop and returns its result; nil when the loop has ended. On the
    /// loop thread itself (a stream's close action), runs it at once.
    func query<T: Sendable>(_ work: @escaping @Sendable (ServerLoop) -> T) -> T? {
        if isLoopThread { return work(self) }
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        let posted = submit { loop in
            result.withLock { $0 = work(loop) }
            done.signal()
        }
        guard posted else { return nil }
        done.wait()
        return result.withLock { $0 }
    }

    var isLoopThread: Bool { pthread_equal(loopThread.load(ordering: .acquiring), pthread_self()) != 0 }

    func requestStop() {
        submit { $0.running = false }
    }

    /// Returns once the loop has ended (at once if it has).
    func waitUntilEnded() {
        guard !ended.withLock({ $0 }) else { return }
        endedCondition.wait()
        endedCondition.signal()  // for anyone else waiting
    }

    // MARK: The loop thread

    func checkLoopThread() {
        precondition(isLoopThread, "HTTP server state touched off its loop thread")
    }

    func run() {
        loopThread.store(pthread_self(), ordering: .releasing)
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        while running {
            let count = events.withUnsafeMutableBufferPointer {
                epoll_wait(epollFD, $0.baseAddress, Int32($0.count), -1)
            }
            if count < 0 && errno != EINTR { break }
            totals.loopTurns += 1
            for index in 0..<max(0, Int(count)) {
                handle(events[index])
            }
            for work in inbox.drain() {
                work(self)
            }
        }
        shutDown()
    }

    private func handle(_ event: epoll_event) {
        let fd = event.data.fd
        let flags = event.events
        if fd == wakeFD {
            var value: UInt64 = 0
            _ = read(wakeFD, &value, 8)
        } else if let listener = listeners[fd] {
            acceptAll(listener)
        } else if let connection = connections[fd] {
            connectionEvent(connection, flags: flags)
        }
    }

    private func shutDown() {
        for listener in listeners.values {
            epoll_ctl(epollFD, EPOLL_CTL_DEL, listener.fd, nil)
            listener.close()
        }
        listeners = [:]
        acceptTimer?.cancel()
        cancelSweep()
        for connection in Array(connections.values) {
            close(connection)
        }
        // Work queued while the loop was ending still runs: streams begun now close at once.
        for work in inbox.close() {
            work(self)
        }
        ended.withLock { $0 = true }
        endedCondition.signal()
    }

    // MARK: epoll

    func register(_ fd: Int32, events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event)
    }

    func modify(_ fd: Int32, events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    /// The connection `key` names, if it is still open.
    func connection(_ key: ConnectionKey) -> ServerConnection? {
        guard let connection = connections[key.fd], connection.key == key else { return nil }
        return connection
    }
}
