import Foundation
import TestSupport
import XCTest
@testable import HTTPServer

/// TCP listeners: the addresses accepted, the bound port, and binding errors that name the address.
final class ListenerTests: ServerTestCase {
    func testIPv4IPv6AndLocalhostWithPortsPicked() throws {
        try start(listeners: [
            .tcp(host: "127.0.0.1", port: 0), .tcp(host: "::1", port: 0), .tcp(host: "localhost", port: 0),
            .tcp(host: "[::1]", port: 0),
        ])
        XCTAssertEqual(server.tcpPorts.count, 4)
        XCTAssertFalse(server.tcpPorts.contains(0))
        XCTAssertEqual(try TestClient(port: server.tcpPorts[0]).request("/4")?.status, 200)
        XCTAssertEqual(try TestClient(port: server.tcpPorts[1], host: "::1").request("/6")?.status, 200)
        XCTAssertEqual(try TestClient(port: server.tcpPorts[2]).request("/l")?.status, 200)
        XCTAssertEqual(try TestClient(port: server.tcpPorts[3], host: "::1").request("/b")?.status, 200)
        let peers = seen.withLock { $0.map(\.peer) }
        guard case .tcp(let v6) = peers[1] else { return XCTFail("\(peers)") }
        XCTAssertTrue(v6.hasPrefix("[::1]:"), v6)
    }

    func testBindingErrorsNameTheAddress() throws {
        try start()
        let taken = HTTPListener.tcp(host: "127.0.0.1", port: port)
        XCTAssertThrowsError(try HTTPServer(listeners: [taken]) { _, _ in }) { error in
            XCTAssertEqual(error as? HTTPServerError, .addressInUse(address: "127.0.0.1:\(port)"))
            XCTAssertEqual("\(error)", "cannot listen on 127.0.0.1:\(port): the address is already in use")
        }
        XCTAssertThrowsError(try HTTPServer(listeners: [.tcp(host: "example.com", port: 80)]) { _, _ in }) { error in
            XCTAssertEqual(
                "\(error)",
                "cannot listen on example.com:80: not an IP address (use an IPv4 or IPv6 literal, or localhost)")
        }
        XCTAssertEqual(HTTPListener.tcp(host: "::1", port: 8).description, "[::1]:8")
    }

    func testAFailedListenerUndoesTheOnesBoundBeforeIt() throws {
        try start()
        let path = socketPath()
        XCTAssertThrowsError(try HTTPServer(
            listeners: [.unix(path: path, allowedUID: nil), .tcp(host: "127.0.0.1", port: port)]
        ) { _, _ in })
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        // And the Unix path is free for the next try.
        let retry = try HTTPServer(listeners: [.unix(path: path, allowedUID: nil)], handler: ServerTestCase.echo)
        XCTAssertEqual(try TestClient(unixPath: path).request("/")?.status, 200)
        retry.stop()
    }
}
