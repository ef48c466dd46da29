import Foundation
import TestSupport
import XCTest
@testable import HTTPServer

/// The Unix socket listener: its file's mode, the peer's credentials and the uid check, stale
/// and live sockets in the way, and the file's removal.
final class UnixSocketTests: ServerTestCase {
    func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode
    }

    func testTheSocketIsMode0600AndThePeerIsKnownByItsCredentials() throws {
        let path = socketPath()
        let previous = umask(0)  // even a permissive umask makes no wider file
        defer { umask(previous) }
        try start(listeners: [.unix(path: path, allowedUID: getuid())])
        let mode = try XCTUnwrap(mode(path))
        XCTAssertEqual(mode & S_IFMT, S_IFSOCK)
        XCTAssertEqual(mode & 0o777, 0o600)
        let client = try TestClient(unixPath: path)
        XCTAssertEqual(client.request("/who")?.status, 200)
        XCTAssertEqual(seen.withLock { $0.first?.peer }, .unix(uid: getuid(), pid: getpid()))

        let curl = try Curl.run(["--unix-socket", path, "http://localhost/v1/health?x=1"])
        XCTAssertEqual(curl.stdout, "GET /v1/health 0")
    }

    func testAPeerOfAnotherUIDIsAnswered403() throws {
        let path = socketPath()
        try start(listeners: [.unix(path: path, allowedUID: getuid() + 1)])
        let client = try TestClient(unixPath: path)
        let response = try XCTUnwrap(client.request("/v1/streams"))
        XCTAssertEqual(response.status, 403)
        XCTAssertEqual(response.text, "this socket serves its owner only, not uid \(getuid())\n")
        XCTAssertTrue(client.waitForEnd())
        XCTAssertEqual(requestCount, 0)
    }

    func testAStaleSocketIsReplacedAndALiveOneRefused() throws {
        let path = socketPath()
        // A server that died without removing its socket.
        let dead = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(dead, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        XCTAssertEqual(bound, 0)
        close(dead)
        XCTAssertNotNil(mode(path))

        try start(listeners: [.unix(path: path, allowedUID: nil)])
        XCTAssertEqual(try TestClient(unixPath: path).request("/")?.status, 200)

        XCTAssertThrowsError(try HTTPServer(listeners: [.unix(path: path, allowedUID: nil)]) { _, _ in }) { error in
            XCTAssertEqual(error as? HTTPServerError, .anotherServer(path: path))
            XCTAssertEqual("\(error)", "another process serves \(path)")
        }
        // The refused server left the live one's socket alone.
        XCTAssertEqual(try TestClient(unixPath: path).request("/")?.status, 200)
    }

    func testAFileThatIsNotASocketAndAPathTooLongAreErrors() throws {
        let path = socketPath()
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("keep me".utf8)))
        XCTAssertThrowsError(try HTTPServer(listeners: [.unix(path: path, allowedUID: nil)]) { _, _ in }) { error in
            XCTAssertEqual(error as? HTTPServerError, .notASocket(path: path))
        }
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data("keep me".utf8))

        let long = "/tmp/" + String(repeating: "n", count: 120) + ".sock"
        XCTAssertThrowsError(try HTTPServer(listeners: [.unix(path: long, allowedUID: nil)]) { _, _ in }) { error in
            XCTAssertEqual(error as? HTTPServerError, .pathTooLong(path: long, limit: 107))
            XCTAssertTrue("\(error)".contains("at most 107 bytes long, this one is 130"), "\(error)")
        }
        let nowhere = "/tmp/" + String(repeating: "d", count: 120) + "/s.sock"
        XCTAssertThrowsError(try HTTPServer(listeners: [.unix(path: nowhere, allowedUID: nil)]) { _, _ in }) { error in
            XCTAssertTrue("\(error)".contains("No such file or directory"), "\(error)")
        }
    }

    /// A socket deeper than sockaddr_un's 107 bytes is served and reached through its
    /// directory's descriptor.
    func testASocketPathLongerThanSockaddrIsServed() throws {
        let directory = "/tmp/" + String(repeating: "d", count: 120) + "-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/streamtop.sock"
        try start(listeners: [.unix(path: path, allowedUID: nil)])
        XCTAssertEqual(mode(path).map { $0 & 0o777 }, 0o600)
        let short = try ShortSocketPath(path)
        XCTAssertTrue(short.path.hasPrefix("/proc/self/fd/"), short.path)
        XCTAssertEqual(try TestClient(unixPath: short.path).request("/")?.status, 200)
        server.stop()
        XCTAssertNil(mode(path), "removed by its full path")
    }

    func testStopRemovesItsOwnSocketFileOnly() throws {
        let path = socketPath()
        try start(listeners: [.unix(path: path, allowedUID: nil)])
        server.stop()
        XCTAssertNil(mode(path))
        XCTAssertThrowsError(try TestClient(unixPath: path))

        // A file that replaced the server's own is left in place.
        let first = try HTTPServer(listeners: [.unix(path: path, allowedUID: nil)]) { _, _ in }
        unlink(path)
        let second = try HTTPServer(listeners: [.unix(path: path, allowedUID: nil)], handler: ServerTestCase.echo)
        first.stop()
        XCTAssertEqual(try TestClient(unixPath: path).request("/")?.status, 200)
        second.stop()
        XCTAssertNil(mode(path))
    }
}
