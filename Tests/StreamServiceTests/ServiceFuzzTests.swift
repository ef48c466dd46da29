import Foundation
import StreamCore
import StreamEngine
import StreamService
import TestSupport
import XCTest

/// Random requests at the real service: every one gets an answer with a status and, for an
/// error, the API's error body; nothing crashes, and the registry only ever holds valid streams.
final class ServiceFuzzTests: XCTestCase {
    func testRandomRequestsGetAnswersAndCorruptNothing() throws {
        let fixture = try ServiceFixture(specs: [
            StreamSpec(id: "quotes", name: "Quotes", url: "UPSTREAM/sse/quotes", autostart: true),
        ])
        defer { fixture.stop() }
        var random = SplitMix64(seed: 11)
        let methods = ["GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "get", "G\u{1}T"]
        let templates = ["/v1/health", "/metrics", "/v1/streams", "/v1/streams/ID", "/v1/streams/ID/ACTION",
                         "/v1/streams/ID/ACTION/x", "/v1//streams", "/v1/streams/", "//", "/v1/streams/ID?limit=-1"]
        let ids = ["quotes", "n", "new", "..", "%2F", "a%20b", "%00", "%ZZ", "😀", "x?y=1", "quotes%2Fstart"]
        let actions = ["start", "stop", "restart", "logs?limit=2", "logs?limit=x", "document", "history", "nope"]
        let bodies: [String] = [
            "", "{", "[]", "null", "{\"name\": 1}", "{\"name\": \"n\", \"url\": \"http://127.0.0.1:1/x\"}",
            "{\"id\": \"../etc\", \"name\": \"n\", \"url\": \"http://h/\"}", "{\"name\": \"n\", \"url\": \"ftp://h\"}",
            "{\"id\": \"quotes\", \"name\": \"n\", \"url\": \"http://h/\", \"interval\": -1}",
            String(repeating: "[", count: 10_000), "\u{0}\u{1}\u{2}", "{\"notify\": {\"webhook\": 3}}",
        ]
        var statuses: [Int: Int] = [:]
        for round in 0..<300 {
            let method = methods[Int(random.next() % UInt64(methods.count))]
            let path = templates[Int(random.next() % UInt64(templates.count))]
                .replacingOccurrences(of: "ID", with: ids[Int(random.next() % UInt64(ids.count))])
                .replacingOccurrences(of: "ACTION", with: actions[Int(random.next() % UInt64(actions.count))])
            let body = bodies[Int(random.next() % UInt64(bodies.count))]
            let raw = try PlainSocketClient(path: fixture.socketPath)
            var request = "\(method) \(path) HTTP/1.1\r\nHost: streamtop\r\nConnection: close\r\n"
            if !body.isEmpty { request += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
            raw.send(request + "\r\n" + body)
            raw.read { false }  // to the end: the server closes after the answer
            let text = raw.text
            XCTAssertTrue(text.hasPrefix("HTTP/1.1 "), "round \(round): \(method) \(path) got \(text.prefix(80))")
            let status = Int(text.dropFirst(9).prefix(3)) ?? 0
            XCTAssertTrue((100..<600).contains(status), "round \(round): \(text.prefix(80))")
            statuses[status, default: 0] += 1
            if status >= 400 && method != "HEAD" && !path.hasSuffix("events") {
                let bodyText = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
                XCTAssertNotNil(
                    try? JSONParser.parse(bodyText)["error"]?["message"], "round \(round): \(text.prefix(200))")
            }
        }
        XCTAssertGreaterThan(statuses.filter { $0.key < 300 }.values.reduce(0, +), 10, "some succeed")
        XCTAssertEqual(try fixture.client.request("GET", "/v1/health").status, 200)
        // Whatever was registered on the way is valid and saved whole.
        let registry = try fixture.registryFile.load()
        for spec in registry.streams { XCTAssertNoThrow(try spec.validate(), spec.id) }
        XCTAssertEqual(Set(registry.streams.map(\.id)), Set(fixture.engine.specs.map(\.id)))
    }
}
