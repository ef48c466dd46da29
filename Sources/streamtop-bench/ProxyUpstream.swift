#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// The polled API behind the proxy benchmark: a loopback HTTP/1.1 server that answers every GET
/// with the quotes document (about 47 KB) and its `ETag`, or 304 when `If-None-Match` names the
/// current one. Once `startChanging` is called the document changes every `period`, a few
/// values each time (`QuoteFeed`'s patches), as a real market-data API does. It records when
/// each body was written: the moment the proxy's delay is measured from.
final class ProxyUpstream: @unchecked Sendable {  // the mutable state is behind `state`
    /// A 200 answer: which body (`bodies[tick]`), and when its last byte was handed to the kernel.
    struct Written {
        var tick: Int
        var at: UInt64
    }

    private struct State {
        var tick = 0
        var written: [Written] = []
        var notModified = 0
        var lastRequest: UInt64 = 0
        var stopped = false
    }

    let port: UInt16
    /// `bodies[k]`: the document after `k` changes; `bodies.count - 1` changes at most.
    let bodies: [[UInt8]]
    private let listener: Int32
    private let state = Mutex(State())

    init(changes: Int, seed: UInt64 = 4) {
        var feed = QuoteFeed(seed: seed)
        var bodies = [Array(feed.documentText.utf8)]
        for _ in 0..<changes {
            var next = bodies.last!
            // A patch of only `test` operations changes nothing: take the next one.
            while next == bodies.last! {
                _ = feed.nextPatch()
                next = Array(feed.documentText.utf8)
            }
            bodies.append(next)
        }
        self.bodies = bodies
        (listener, port) = Loopback.listen()
        let listener = listener
        Thread { [self] in
            while true {
                let fd = accept(listener, nil, nil)
                if fd < 0 {
                    if errno == EINTR || errno == ECONNABORTED { continue }
                    return
                }
                Thread { [self] in answer(fd) }.start()
            }
        }.start()
    }

    /// The 200 answers so far, in order.
    var written: [Written] { state.withLock { $0.written } }
    /// Every answer so far, 200 or 304.
    var answers: Int { state.withLock { $0.written.count + $0.notModified } }

    /// Changes the document every `period` from half a period after the last request (the
    /// poller's schedule is fixed, so each poll then finds one change), `count` times at most.
    func startChanging(period: Duration, count: Int) {
        let nanoseconds = UInt64(period.nanoseconds)
        let first = state.withLock { $0.lastRequest } + nanoseconds / 2
        Thread { [self] in
            for tick in 1...min(count, bodies.count - 1) {
                let due = first + UInt64(tick - 1) * nanoseconds
                let now = Loopback.now()
                if due > now { usleep(UInt32((due - now) / 1_000)) }
                let stopped = state.withLock {
                    if !$0.stopped { $0.tick = tick }
                    return $0.stopped
                }
                if stopped { return }
            }
        }.start()
    }

    /// No more changes.
    func stopChanging() {
        state.withLock { $0.stopped = true }
    }

    /// Stops accepting; connections end when the poller closes them.
    func stop() {
        stopChanging()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// Answers the requests on one keep-alive connection until it closes.
    private func answer(_ fd: Int32) {
        defer { close(fd) }
        var input: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            guard let end = Loopback.headEnd(input) else {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return }
                input += buffer[0..<count]
                continue
            }
            let head = String(decoding: input[0..<end], as: UTF8.self).lowercased()
            input.removeFirst(end)
            let tick = state.withLock {
                $0.lastRequest = Loopback.now()
                return $0.tick
            }
            let etag = "\"q\(tick)\""
            if head.contains("\r\nif-none-match: \(etag)\r\n") {
                state.withLock { $0.notModified += 1 }
                guard Loopback.writeAll(fd, Array("HTTP/1.1 304 Not Modified\r\nETag: \(etag)\r\n\r\n".utf8)) else {
                    return
                }
                continue
            }
            let response = Array(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nETag: \(etag)\r\n"
                + "Cache-Control: no-cache\r\nContent-Length: \(bodies[tick].count)\r\n\r\n").utf8) + bodies[tick]
            guard Loopback.writeAll(fd, response) else { return }
            let at = Loopback.now()
            state.withLock { $0.written.append(Written(tick: tick, at: at)) }
        }
    }
}
