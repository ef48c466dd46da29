import Foundation
import StreamCore
import StreamService
import TestSupport
import XCTest

/// The API on TCP (`--listen`): the bearer token of `<state>/token`, always.
final class TCPAccessTests: XCTestCase {
    func testTCPRequiresTheToken() throws {
        let fixture = try ServiceFixture(listen: [ListenAddress(host: "127.0.0.1", port: 0)])
        defer { fixture.stop() }
        let port = try XCTUnwrap(fixture.service.tcpPorts.first)
        let tokenPath = ControlService.tokenPath(stateDirectory: fixture.directory)
        var status = stat()
        XCTAssertEqual(stat(tokenPath, &status), 0, "made on first use")
        XCTAssertEqual(status.st_mode & 0o777, 0o600)
        let token = try XCTUnwrap(try ServiceToken.read(path: tokenPath)).value
        XCTAssertEqual(token.count, 64)

        let anonymous = try ServiceClient(endpoint: .tcp(baseURL: "http://127.0.0.1:\(port)", token: nil))
        let refused = try anonymous.request("GET", "/v1/health")
        XCTAssertEqual(refused.status, 401)
        XCTAssertTrue(refused.error?.message.contains("Authorization: Bearer") == true)
        let wrong = try ServiceClient(endpoint: .tcp(baseURL: "http://127.0.0.1:\(port)", token: token + "0"))
        XCTAssertEqual(try wrong.request("GET", "/metrics").status, 401, "every route, /metrics too")
        let short = try ServiceClient(
            endpoint: .tcp(baseURL: "http://127.0.0.1:\(port)", token: String(token.dropLast())))
        XCTAssertEqual(try short.request("GET", "/v1/health").status, 401)
        let right = try ServiceClient(endpoint: .tcp(baseURL: "http://127.0.0.1:\(port)", token: token))
        XCTAssertEqual(try right.request("GET", "/v1/health").status, 200)
        XCTAssertEqual(try fixture.client.request("GET", "/v1/health").status, 200, "the socket needs no token")
    }

    /// A state directory deeper than a Unix socket address holds is served and reached.
    func testADeepStateDirectoryIsServed() throws {
        let deep = "/tmp/st-deep-\(UUID().uuidString)/" + String(repeating: "d", count: 100)
        let fixture = try ServiceFixture(directory: deep)
        defer {
            fixture.stop()
            try? FileManager.default.removeItem(atPath: String(deep.prefix(50)))
        }
        XCTAssertGreaterThan(fixture.socketPath.utf8.count, 107)
        XCTAssertEqual(try fixture.client.request("GET", "/v1/health").status, 200)
        XCTAssertNotNil(ServiceClient.running(stateDirectory: deep))
    }

    func testTheTokenIsKept() throws {
        let directory = "/tmp/st-token-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try ServiceToken.loadOrCreate(path: directory + "/token")
        let second = try ServiceToken.loadOrCreate(path: directory + "/token")
        XCTAssertEqual(first.value, second.value)
        XCTAssertTrue(first.accepts(authorization: "Bearer \(first.value)"))
        XCTAssertTrue(first.accepts(authorization: "bearer \(first.value) "))
        XCTAssertFalse(first.accepts(authorization: "Basic \(first.value)"))
        XCTAssertFalse(first.accepts(authorization: nil))
    }
}
