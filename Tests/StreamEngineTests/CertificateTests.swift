import Dispatch
import Foundation
import XCTest
@testable import StreamCore
@testable import StreamEngine

/// Private certificate authorities, against a real TLS server: a stream's `caFile`, and
/// `CURL_CA_BUNDLE` / `SSL_CERT_FILE` for every stream, are trusted instead of the system's
/// CAs; certificate and host name checks stay on.
final class CertificateTests: XCTestCase {
    var server: TLSServer!

    override func setUpWithError() throws {
        server = try TLSServer(files: ["doc.json": #"{"a":1}"#])
    }

    override func tearDownWithError() throws {
        server.stop()
    }

    /// One poll of `url` on a loop made with `environment`.
    func poll(_ url: String, caFile: String? = nil, environment: [String: String] = [:]) throws
        -> PollConnection.Poll?
    {
        let loop = try CurlLoop(environment: environment)
        defer { loop.shutdown() }
        var options = PollConnection.Options(url: url)
        options.caFile = caFile
        return firstPoll(options, loop: loop)
    }

    static let untrusted = "TLS certificate rejected: SSL certificate problem: unable to get local issuer certificate"
        + " (for a private CA, give its certificate with --ca-file or SSL_CERT_FILE)"

    func testAPrivateCAIsNotTrustedByDefault() throws {
        XCTAssertEqual(try poll(server.baseURL + "/doc.json")?.error, CertificateTests.untrusted)
    }

    func testTheStreamsCAFileIsTrusted() throws {
        let polled = try poll(server.baseURL + "/doc.json", caFile: server.caFile)
        XCTAssertNil(polled?.error)
        XCTAssertEqual(polled?.document?.value, ["a": 1])
    }

    func testTheEnvironmentsCAFileIsTrusted() throws {
        for variable in ["SSL_CERT_FILE", "CURL_CA_BUNDLE"] {
            let polled = try poll(server.baseURL + "/doc.json", environment: [variable: server.caFile])
            XCTAssertNil(polled?.error, variable)
            XCTAssertEqual(polled?.document?.value, ["a": 1], variable)
        }
        // The stream's own file comes first.
        let system = "/etc/ssl/certs/ca-certificates.crt"
        let url = server.baseURL + "/doc.json"
        XCTAssertEqual(try poll(url, caFile: system, environment: ["SSL_CERT_FILE": server.caFile])?.error,
                       CertificateTests.untrusted)
        XCTAssertNil(try poll(url, caFile: server.caFile, environment: ["SSL_CERT_FILE": system])?.error)
    }

    /// Trusting a CA is all a CA file does: the certificate must still name the host.
    func testTheHostNameIsStillChecked() throws {
        XCTAssertEqual(
            try poll("https://localhost:\(server.port)/doc.json", caFile: server.caFile)?.error,
            "TLS certificate rejected: SSL: no alternative certificate subject name matches target host name"
                + " 'localhost'")
    }

    func testAnUnreadableCAFileIsSaidSo() throws {
        XCTAssertEqual(try poll(server.baseURL + "/doc.json", caFile: "/nonexistent/ca.pem")?.error,
                       "cannot read CA certificates from /nonexistent/ca.pem (the stream's caFile)")
        let environment = ["SSL_CERT_FILE": "/nonexistent/ca.pem"]
        XCTAssertEqual(try poll(server.baseURL + "/doc.json", environment: environment)?.error,
                       "cannot read CA certificates from /nonexistent/ca.pem (SSL_CERT_FILE)")
    }
}

extension EngineTests {
    /// The registry's `caFile` reaches the stream's requests.
    func testARegisteredStreamUsesItsCAFile() throws {
        let server = try TLSServer(files: ["doc.json": #"{"a":1}"#])
        defer { server.stop() }
        let url = server.baseURL + "/doc.json"
        let specs = [
            StreamSpec(
                id: "private", name: "Private", url: url, mode: .poll, interval: 1, autostart: true,
                caFile: server.caFile),
            StreamSpec(id: "plain", name: "Plain", url: url, mode: .poll, interval: 1, autostart: true),
        ]
        let engine = try Engine(specs: specs, stateDirectory: nil, environment: [:])
        defer { engine.shutdown() }
        engine.startAutostart()
        let polled = waitFor(engine, "a poll of private and an error for plain") {
            ($0["private"]?.metrics.polls ?? 0) >= 1 && $0["plain"]?.status.lastError != nil
        }
        XCTAssertEqual(polled["private"]?.status.state, .open)
        XCTAssertNil(polled["private"]?.status.lastError)
        XCTAssertEqual(polled["plain"]?.status.lastError, CertificateTests.untrusted)
    }
}
