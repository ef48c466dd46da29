import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A response as a plain client sees it.
struct TestResponse {
    var status: Int
    var head: String
    /// Names lowercased; the last of a repeated name.
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A deliberately plain HTTP client over a blocking socket (TCP or Unix), sharing none of the
/// server's code. Reads wait for data, with a generous safety timeout for a broken build.
final class TestClient {
    let fd: Int32
    private(set) var received: [UInt8] = []
    /// The server closed its side (a read returned 0) or reset the connection.
    private(set) var ended = false

    init(port: UInt16, host: String = "127.0.0.1") throws {
        let v6 = host.contains(":")
        fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        Self.setTimeout(fd)
        let result: Int32
        if v6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr = in_addr(s_addr: inet_addr(host))
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw NSError(domain: "TestClient", code: Int(code))
        }
    }

    init(unixPath: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        Self.setTimeout(fd)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(unixPath.utf8)) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw NSError(domain: "TestClient", code: Int(code))
        }
    }

    /// A client whose socket exists but is not connected yet (`connect(port:)` later).
    init(unconnected: Void) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        Self.setTimeout(fd)
    }

    func connect(port: UInt16) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }

    private var isOpen = true

    deinit { if isOpen { close(fd) } }

    /// Closes with a reset (SO_LINGER 0) instead of a FIN.
    func reset() {
        guard isOpen else { return }
        isOpen = false
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(fd)
    }

    private static func setTimeout(_ fd: Int32) {
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    // MARK: Sending

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if count <= 0 { return false }
            offset += count
        }
        return true
    }

    func get(_ target: String, headers: [String] = [], version: String = "HTTP/1.1") {
        send("GET \(target) \(version)\r\nHost: test\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n")
    }

    /// Sends a GET and reads its response.
    func request(_ target: String, headers: [String] = []) -> TestResponse? {
        get(target, headers: headers)
        return readResponse()
    }

    // MARK: Receiving

    /// Reads more; false at the end (closed, reset, or the safety timeout).
    @discardableResult
    func readMore() -> Bool {
        guard !ended else { return false }
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if count <= 0 {
            ended = true
            return false
        }
        received += buffer[0..<count]
        return true
    }

    /// The next complete response (a 1xx counts as one), taken from what was received; nil if
    /// the connection ended first. A response without a length runs to the end.
    func readResponse() -> TestResponse? {
        while true {
            if let end = headEnd() {
                let head = String(decoding: received[0..<end], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst().split(separator: " ")
                guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] =
                        line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                let bodyStart = end + 4
                if status < 200 || status == 204 || status == 304 {
                    received.removeFirst(bodyStart)
                    return TestResponse(status: status, head: head, headers: headers, body: [])
                }
                if let length = headers["content-length"].flatMap({ Int($0) }) {
                    while received.count < bodyStart + length {
                        guard readMore() else { return nil }
                    }
                    let body = Array(received[bodyStart..<(bodyStart + length)])
                    received.removeFirst(bodyStart + length)
                    return TestResponse(status: status, head: head, headers: headers, body: body)
                }
                while readMore() {}
                let body = Array(received[bodyStart...])
                received = []
                return TestResponse(status: status, head: head, headers: headers, body: body)
            }
            guard readMore() else { return nil }
        }
    }

    /// The response to a HEAD request: the head only, whatever length it names.
    func readHeadOnly() -> TestResponse? {
        while headEnd() == nil {
            guard readMore() else { return nil }
        }
        let end = headEnd()!
        let head = String(decoding: received[0..<end], as: UTF8.self)
        received.removeFirst(end + 4)
        let status = Int(head.split(separator: " ")[1]) ?? 0
        return TestResponse(status: status, head: head, headers: [:], body: [])
    }

    /// Reads until `count` bytes past what was taken have arrived (or the end).
    func read(atLeast count: Int) -> [UInt8] {
        while received.count < count, readMore() {}
        return received
    }

    /// Reads until the server closes; true when it did (rather than a timeout with data).
    @discardableResult
    func waitForEnd() -> Bool {
        while readMore() {}
        return ended
    }

    /// Takes what was received, leaving nothing.
    func take() -> [UInt8] {
        defer { received = [] }
        return received
    }

    private func headEnd() -> Int? {
        guard received.count >= 4 else { return nil }
        for index in 0...(received.count - 4)
        where received[index] == 13 && received[index + 1] == 10 && received[index + 2] == 13
            && received[index + 3] == 10
        {
            return index
        }
        return nil
    }
}
