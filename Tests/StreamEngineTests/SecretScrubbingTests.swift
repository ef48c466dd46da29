import Foundation
import XCTest
@testable import LocalServer
@testable import StreamCore
@testable import StreamEngine

/// A server that quotes a stream's credentials back (in a 401's body, in a header) cannot
/// make them reach the log, status.json or an alert.
extension EngineTests {
    func testCredentialsAServerEchoesAreNeitherLoggedStoredNorNotified() throws {
        let hook = NotifySpec(webhook: server.baseURL + "/hook", after: 0)
        let userInfoURL = server.baseURL.replacingOccurrences(of: "://", with: "://u5er-Secret-4@")
        let specs = [
            StreamSpec(
                id: "echo-sse", name: "Echo", url: server.baseURL + "/echo-credentials?api_key=qk3y-Secret-1",
                headers: [("Authorization", "Bearer t0ken-Secret-2"), ("X-Api-Key", "hk3y-Secret-3")],
                notify: hook, autostart: true),
            // libcurl sends the user info as Basic credentials: dTVlci1TZWNyZXQtNDo= in the echo.
            StreamSpec(
                id: "echo-poll", name: "Echo polled", url: userInfoURL + "/echo-credentials", mode: .poll, interval: 1,
                notify: hook, autostart: true),
        ]
        let engine = try Engine(specs: specs, stateDirectory: directory)
        engine.startAutostart()
        _ = waitFor(engine, "errors for both streams, two hooks and two alerts") { snapshots in
            snapshots.values.allSatisfy { $0.status.lastError != nil } && server.receivedHooks().count >= 2
                && engine.store.alerts(after: 0).count >= 2
        }
        engine.shutdown()
        try engine.writeStatus(at: UTCTime(secondsSinceEpoch: 0))

        func assertScrubbed(_ text: String, _ what: String, line: UInt = #line) {
            let leaked = text.contains("Secret-") || text.contains("dTVlci1TZWNyZXQtNDo")
            XCTAssertFalse(leaked, "\(what): \(text)", line: line)
            XCTAssertTrue(text.contains("REDACTED"), "\(what) quotes the server, secrets replaced: \(text)", line: line)
        }
        let status = try String(contentsOfFile: directory + "/status.json", encoding: .utf8)
        assertScrubbed(status, "status.json")
        for id in ["echo-sse", "echo-poll"] {
            let log = try String(contentsOfFile: directory + "/logs/\(id).jsonl", encoding: .utf8)
            assertScrubbed(log, "the log of \(id)")
            let lastError = try XCTUnwrap(engine.store.snapshot(id: id)?.status.lastError)
            XCTAssertTrue(lastError.hasPrefix("HTTP 401: unauthorized; you sent authorization: "), lastError)
        }
        let quoted = "you sent authorization: REDACTED; x-api-key: REDACTED for GET /echo-credentials?api_key=REDACTED"
        XCTAssertTrue(status.contains(quoted), status)
        let sseLog = try String(contentsOfFile: directory + "/logs/echo-sse.jsonl", encoding: .utf8)
        XCTAssertTrue(sseLog.contains(#""x-echo-authorization":"REDACTED""#), "an echoing header: \(sseLog)")
        for alert in engine.store.alerts(after: 0) { assertScrubbed(alert.message, "the alert") }
        for received in server.receivedHooks() { assertScrubbed(received.body, "the webhook's message") }
    }
}
