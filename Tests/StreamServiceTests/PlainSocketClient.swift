import Foundation
import StreamCore
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A deliberately plain client of the control API over a blocking Unix or TCP socket, sharing none of
/// the server's code: raw requests, and SSE read through StreamCore's parser. Reads wait for
/// data (with a 20 s safety timeout), never for a fixed time.
final class PlainSocketClient {
    let fd: Int32
    private(set) var received: [UInt8] = []
    private var parser = SSEParser()
    private var bodyStart: Int?
    private var parsedUpTo = 0
    private(set) var events: [SSEEvent] = []

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else { throw NSError(domain: "PlainSocketClient", code: Int(errno)) }
    }

    /// Connects to 127.0.0.1:`port`; `receiveBuffer` makes the kernel hold little for a client
    /// that does not read.
    init(tcpPort port: UInt16, receiveBuffer: Int32? = nil) throws {
        guard let fd = connectLoopback(port: port, receiveBuffer: receiveBuffer) else {
            throw NSError(domain: "PlainSocketClient", code: Int(errno))
        }
        self.fd = fd
    }

    deinit { close(fd) }

    func send(_ request: String) {
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    func get(_ path: String, headers: [String] = []) {
        send("GET \(path) HTTP/1.1\r\nHost: streamtop\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n")
    }

    /// Reads until `predicate` holds for what was received, or the server closes; false then.
    @discardableResult
    func read(until predicate: () -> Bool) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while !predicate() {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { return false }
            received.append(contentsOf: buffer[0..<count])
            parseEvents()
        }
        return true
    }

    var text: String { String(decoding: received, as: UTF8.self) }

    /// Reads SSE events until `count` have arrived in all.
    @discardableResult
    func readEvents(count: Int) -> [SSEEvent] {
        read { events.count >= count }
        return events
    }

    /// Reads one whole response with a `Content-Length` after what was consumed before, and
    /// consumes it (keep-alive: the next request's response follows).
    func readResponse() -> (status: Int, body: [UInt8]) {
        var result: (Int, [UInt8])?
        read {
            guard let end = received.indices.first(where: { received[$0...].starts(with: [13, 10, 13, 10]) }) else {
                return false
            }
            let head = String(decoding: received[..<end], as: UTF8.self)
            let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            guard received.count >= end + 4 + length else { return false }
            let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
            result = (status, Array(received[(end + 4)..<(end + 4 + length)]))
            received.removeFirst(end + 4 + length)
            return true
        }
        return result ?? (0, [])
    }

    private func parseEvents() {
        if bodyStart == nil,
           let end = received.indices.first(where: { received[$0...].starts(with: [13, 10, 13, 10]) }) {
            bodyStart = end + 4
            parsedUpTo = end + 4
        }
        guard bodyStart != nil, parsedUpTo < received.count else { return }
        let fresh = Array(received[parsedUpTo...])
        parsedUpTo = received.count
        for item in parser.feed(fresh) {
            if case .event(let event) = item { events.append(event) }
        }
    }
}
