import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A deliberately plain HTTP client over a blocking socket, so the server is tested by
/// something that shares none of its code. Reads wait for data (with a 10 s safety timeout),
/// never for a fixed time.
final class RawClient {
    let fd: Int32
    private(set) var received: [UInt8] = []

    init(port: UInt16) throws {
        guard let fd = connectLoopback(port: port, receiveTimeout: 10) else {
            throw NSError(domain: "RawClient", code: Int(errno))
        }
        self.fd = fd
    }

    deinit { close(fd) }

    func send(_ request: String) {
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    func get(_ path: String, headers: [String] = []) {
        send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n")
    }

    /// Reads until `predicate` holds for the text received so far, or the server closes.
    @discardableResult
    func read(until predicate: (String) -> Bool) -> String {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while !predicate(text) {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return text
    }

    func readToEnd() -> String { read { _ in false } }

    /// Takes whatever has arrived by now, without waiting.
    @discardableResult
    func readAvailable() -> String {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return text
    }

    var text: String { String(decoding: received, as: UTF8.self) }

    /// Head and body of a complete response.
    var response: (head: String, body: [UInt8]) {
        guard let end = received.indices.first(where: { received[$0...].starts(with: [13, 10, 13, 10]) }) else { return (text, []) }
        return (String(decoding: received[..<end], as: UTF8.self), Array(received[(end + 4)...]))
    }
}
