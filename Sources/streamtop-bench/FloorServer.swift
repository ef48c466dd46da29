#if canImport(Glibc)
import Glibc
#endif
import CEpoll
import Foundation

/// The least an HTTP server on a Unix socket can do, as a baseline for the API's latency under
/// many clients: one thread, one epoll set, a fixed 404 written on the loop for every blank
/// line read. No parsing, no routing, no hop to another thread. What its clients measure is
/// what the machine (two cores shared with the clients and with the engine) allows.
final class FloorServer: @unchecked Sendable {
    let path: String
    private let listener: Int32
    private let epoll: Int32
    private let wake: Int32
    private let thread: Thread

    init(path: String) {
        self.path = path
        unlink(path)
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.listener = listener
        let bound = UnixHTTPClient.withAddress(path) { bind(listener, $0, $1) }
        precondition(bound == 0 && listen(listener, 512) == 0, "the floor server could not listen: errno \(errno)")
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        let wake = eventfd(0, Int32(EFD_CLOEXEC))
        (self.epoll, self.wake) = (epoll, wake)
        thread = Thread { FloorServer.loop(listener: listener, epoll: epoll, wake: wake) }
        FloorServer.watch(listener, in: epoll)
        FloorServer.watch(wake, in: epoll)
        thread.start()
    }

    /// Ends the loop and closes what it had open.
    func stop() {
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
        while !thread.isFinished { usleep(1_000) }
        close(listener)
        close(epoll)
        close(wake)
        unlink(path)
    }

    private static func watch(_ fd: Int32, in epoll: Int32) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = fd
        epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event)
    }

    private static func loop(listener: Int32, epoll: Int32, wake: Int32) {
        let answer = Array("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nno".utf8)
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var events = [epoll_event](repeating: epoll_event(), count: 128)
        var open: Set<Int32> = []
        defer { for fd in open { close(fd) } }
        while true {
            let count = epoll_wait(epoll, &events, Int32(events.count), -1)
            for event in events.prefix(max(0, Int(count))) {
                let fd = event.data.fd
                if fd == wake { return }
                if fd == listener {
                    let client = accept(listener, nil, nil)
                    if client >= 0 {
                        open.insert(client)
                        watch(client, in: epoll)
                    }
                    continue
                }
                let read = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                guard read > 0 else {
                    open.remove(fd)
                    close(fd)
                    continue
                }
                // Requests are small and a client sends the next only after its answer.
                var requests = 0
                for index in 3..<max(3, read)
                where buffer[index] == 10 && buffer[index - 1] == 13 && buffer[index - 2] == 10 {
                    requests += 1
                }
                for _ in 0..<requests { _ = answer.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
            }
        }
    }
}
