#if canImport(Glibc)
import Glibc
#endif

/// A plain HTTP/1.1 client on one blocking Unix socket, sharing none of the server's code: raw
/// requests, keep-alive, answers framed by `Content-Length`. For the service benchmark, where
/// many of them run on threads of their own (each confined to the thread that made it).
final class UnixHTTPClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let fd: Int32
    private var input: [UInt8] = []
    private var buffer = [UInt8](repeating: 0, count: 256 << 10)

    init(path: String) throws(Failure) {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let fd = self.fd
        let result = UnixHTTPClient.withAddress(path) { connect(fd, $0, $1) }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw Failure(description: "connect \(path): errno \(code)")
        }
    }

    deinit { close(fd) }

    /// `body` with the `sockaddr_un` of `path` (for `connect` or `bind`) and its length.
    static func withAddress(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// Sends `GET path` and returns the answer's status and body.
    func get(_ path: String) throws(Failure) -> (status: Int, body: [UInt8]) {
        try send("GET \(path) HTTP/1.1\r\nHost: streamtop\r\n\r\n")
        let headEnd = try readUntilHeadEnds()
        let head = String(decoding: input[0..<headEnd], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        let length = lines.dropFirst().compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first
        guard let length else { throw Failure(description: "an answer without Content-Length: \(head)") }
        let bodyStart = headEnd + 4
        while input.count < bodyStart + length { try fill() }
        let body = Array(input[bodyStart..<(bodyStart + length)])
        input.removeFirst(bodyStart + length)
        return (status, body)
    }

    func send(_ request: String) throws(Failure) {
        let bytes = Array(request.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw Failure(description: "write: errno \(errno)") }
            offset += written
        }
    }

    /// Reads what has arrived (at least one byte) into the input; the number of bytes read.
    @discardableResult
    func fill() throws(Failure) -> Int {
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw Failure(description: count == 0 ? "the server closed the connection" : "read: errno \(errno)")
            }
            input.append(contentsOf: buffer[0..<count])
            return count
        }
    }

    /// Takes everything read so far.
    func takeInput() -> [UInt8] {
        defer { input = [] }
        return input
    }

    /// The offset of the blank line that ends the head.
    func readUntilHeadEnds() throws(Failure) -> Int {
        var scanned = 0
        while true {
            if input.count >= 4 {
                for index in max(0, scanned - 3)...(input.count - 4)
                where input[index] == 13 && input[index + 1] == 10 && input[index + 2] == 13 && input[index + 3] == 10 {
                    return index
                }
                scanned = input.count
            }
            try fill()
        }
    }
}
