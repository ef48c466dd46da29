#if canImport(Glibc)
import Glibc
#endif
import CEpoll
import Foundation
import Synchronization

/// Many SSE clients of one loopback server, read by one epoll thread: each a plain HTTP/1.1 GET
/// on a non-blocking socket, its body scanned incrementally for the blank line that ends each
/// event and for the event's `id:` and `event:` lines. Records when each client got each event.
/// Client 0 also keeps its whole body, for checking the documents it describes.
final class SSEClients: @unchecked Sendable {  // the reader's state is its thread's; `shared` is locked
    /// A `data` or `patch` event one client got, and when its last byte was read.
    struct Receipt {
        var id: Int
        var client: Int
        var at: UInt64
        var bytes: Int
        var patch: Bool
    }

    struct Shared {
        var receipts: [Receipt] = []
        /// Bytes of the bodies (everything after the heads), all clients together.
        var bodyBytes = 0
        var closed = 0
        var firstBody: [UInt8] = []
    }

    /// One client's place in its stream.
    private struct Reader {
        var fd: Int32
        var inHead = true
        var pending: [UInt8] = []
        var scanned = 0
    }

    let count: Int
    private let epoll: Int32
    private let stopping = Atomic(false)
    private let shared = Mutex(Shared())
    private let finished = DispatchSemaphore(value: 0)

    /// Connects `count` clients to `GET path` on 127.0.0.1:`port`; nil when one cannot connect.
    init?(port: UInt16, path: String, count: Int) {
        self.count = count
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".utf8)
        var readers: [Reader] = []
        for index in 0..<count {
            guard let fd = Loopback.connect(port: port), Loopback.writeAll(fd, request) else {
                for reader in readers { close(reader.fd) }
                close(epoll)
                return nil
            }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            readers.append(Reader(fd: fd))
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.u64 = UInt64(index)
            epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event)
        }
        let thread = Thread { [self, readers] in
            var readers = readers
            read(&readers)
            for reader in readers { close(reader.fd) }
            finished.signal()
        }
        thread.start()
    }

    /// What the clients have got so far.
    var snapshot: Shared { shared.withLock { $0 } }

    /// Clients that got an event with this id.
    func clients(withID id: Int) -> Int { shared.withLock { $0.receipts.filter { $0.id == id }.count } }

    /// Disconnects every client.
    func stop() {
        stopping.store(true, ordering: .relaxed)
        finished.wait()
        close(epoll)
    }

    private func read(_ readers: inout [Reader]) {
        var events = [epoll_event](repeating: epoll_event(), count: 1024)
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var receipts: [Receipt] = []
        var bodyBytes = 0
        var closed = 0
        var firstBody: [UInt8] = []
        while !stopping.load(ordering: .relaxed) {
            let ready = epoll_wait(epoll, &events, Int32(events.count), 50)
            for event in events.prefix(max(0, Int(ready))) {
                let index = Int(event.data.u64)
                while true {
                    let fd = readers[index].fd
                    let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    if count < 0 && errno == EAGAIN { break }
                    guard count > 0 else {
                        epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
                        closed += 1
                        break
                    }
                    let at = Loopback.now()
                    let body = scan(&readers[index], buffer[0..<count]) { id, bytes, patch in
                        receipts.append(Receipt(id: id, client: index, at: at, bytes: bytes, patch: patch))
                    }
                    bodyBytes += body.count
                    if index == 0 { firstBody += body }
                }
            }
            guard !receipts.isEmpty || bodyBytes > 0 || closed > 0 else { continue }
            shared.withLock {
                $0.receipts += receipts
                $0.bodyBytes += bodyBytes
                $0.closed += closed
                $0.firstBody += firstBody
            }
            (receipts, bodyBytes, closed, firstBody) = ([], 0, 0, [])
        }
    }

    /// Feeds what was read to one client; `event(id, bytes, isPatch)` for each `data` or `patch`
    /// event completed. Returns the part of `chunk` that belongs to the body.
    private func scan(
        _ reader: inout Reader, _ chunk: ArraySlice<UInt8>, event: (Int, Int, Bool) -> Void
    ) -> ArraySlice<UInt8> {
        var body = chunk
        if reader.inHead {
            reader.pending += chunk
            guard let end = Loopback.headEnd(reader.pending) else { return [] }
            body = reader.pending[end...]
            reader.pending = Array(body)
            reader.inHead = false
        } else {
            reader.pending += chunk
        }
        var start = 0
        var index = max(1, reader.scanned)
        while index < reader.pending.count {
            if reader.pending[index] == 10 && reader.pending[index - 1] == 10 {
                let frame = reader.pending[start...index]
                if let (id, patch) = SSEClients.header(frame) { event(id, frame.count, patch) }
                start = index + 1
                index += 2
            } else {
                index += 1
            }
        }
        reader.pending.removeFirst(start)
        reader.scanned = reader.pending.count
        return body
    }

    /// The id of a `data` or `patch` event (SSEFrame writes `id:` then `event:` first), and
    /// whether it is a patch; nil for anything else (`retry:`, comments).
    static func header(_ frame: ArraySlice<UInt8>) -> (id: Int, patch: Bool)? {
        let lines = frame.prefix(80).split(separator: 10, maxSplits: 2)
        guard lines.count >= 2, lines[0].starts(with: "id: ".utf8),
            let id = Int(String(decoding: lines[0].dropFirst(4), as: UTF8.self))
        else { return nil }
        if lines[1].elementsEqual("event: patch".utf8) { return (id, true) }
        if lines[1].elementsEqual("event: data".utf8) { return (id, false) }
        return nil
    }
}
