#if canImport(Glibc)
import Glibc
#endif
import CEpoll
import Foundation
import Synchronization

/// The least a server can do to serve SSE clients the same bytes as the proxy, as the proxy
/// benchmark's baseline: one thread, one epoll set, no parsing beyond the blank line that ends a
/// request; each client gets a fixed head and `opening` (retry and the document), then at each
/// tick one of `frames` written to every client in turn. No polling, no diff, no encoding, no
/// hop to another thread: what the machine allows any server.
final class SSEFloor: @unchecked Sendable {  // the loop's state is its thread's; `shared` is locked
    struct Results {
        /// When each frame's writing began (monotonic ns), in the order of `frames`.
        var ticks: [UInt64] = []
        /// The loop's CPU time (seconds) as each tick began.
        var cpuAtTicks: [Double] = []
    }

    private struct Shared {
        var start: UInt64?
        var results = Results()
    }

    let port: UInt16
    private let listener: Int32
    private let epoll: Int32
    private let stopping = Atomic(false)
    private let shared = Mutex(Shared())
    private let finished = DispatchSemaphore(value: 0)

    init(opening: [UInt8], frames: [[UInt8]], period: Duration) {
        (listener, port) = Loopback.listen()
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = listener
        epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event)
        let head = Array("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n".utf8)
            + Array("Connection: close\r\n\r\n".utf8) + opening
        Thread { [self] in
            loop(head: head, frames: frames, period: UInt64(period.nanoseconds))
            finished.signal()
        }.start()
    }

    /// Starts the ticks: the first frame now, then one each period.
    func go() {
        shared.withLock { $0.start = Loopback.now() }
    }

    /// Stops the loop and disconnects every client: what it measured.
    func stop() -> Results {
        stopping.store(true, ordering: .relaxed)
        finished.wait()
        close(listener)
        close(epoll)
        return shared.withLock { $0.results }
    }

    private func loop(head: [UInt8], frames: [[UInt8]], period: UInt64) {
        var events = [epoll_event](repeating: epoll_event(), count: 1024)
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        var clients: [Int32] = []
        var requests: [Int32: [UInt8]] = [:]
        var next = 0
        defer { for fd in clients + Array(requests.keys) { close(fd) } }
        while !stopping.load(ordering: .relaxed) {
            let start = shared.withLock { $0.start }
            if let start, next < frames.count, Loopback.now() >= start + UInt64(next) * period {
                let at = Loopback.now()
                let cpu = Loopback.threadCPUSeconds()
                for fd in clients { Loopback.writeAll(fd, frames[next]) }
                next += 1
                shared.withLock {
                    $0.results.ticks.append(at)
                    $0.results.cpuAtTicks.append(cpu)
                }
                continue
            }
            var timeout: Int32 = 50
            if let start, next < frames.count {
                let due = start + UInt64(next) * period
                timeout = Int32(min(50, (due - min(due, Loopback.now())) / 1_000_000))
            }
            let ready = epoll_wait(epoll, &events, Int32(events.count), timeout)
            for event in events.prefix(max(0, Int(ready))) {
                let fd = event.data.fd
                if fd == listener {
                    let client = accept(listener, nil, nil)
                    guard client >= 0 else { continue }
                    requests[client] = []
                    var event = epoll_event()
                    event.events = EPOLLIN.rawValue
                    event.data.fd = client
                    epoll_ctl(epoll, EPOLL_CTL_ADD, client, &event)
                    continue
                }
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard count > 0 else {
                    epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
                    clients.removeAll { $0 == fd }
                    requests[fd] = nil
                    close(fd)
                    continue
                }
                guard var request = requests[fd] else { continue }  // streaming: what it sends is ignored
                request += buffer[0..<count]
                requests[fd] = request
                if Loopback.headEnd(request) != nil {
                    requests[fd] = nil
                    clients.append(fd)
                    Loopback.writeAll(fd, head)
                }
            }
        }
    }
}
