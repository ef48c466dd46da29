import Foundation
import StreamCore
import StreamEngine
import StreamService
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Every route of the control API, its successes and its errors, over the real Unix socket.
final class ControlServiceTests: XCTestCase {
    var fixture: ServiceFixture!

    override func setUpWithError() throws {
        fixture = try ServiceFixture(specs: [
            StreamSpec(id: "quotes", name: "Quotes", url: "UPSTREAM/sse/quotes", group: "quotes", autostart: true),
            StreamSpec(id: "weather", name: "Weather", url: "UPSTREAM/poll/weather", mode: .poll, interval: 1),
        ])
        fixture.engine.startAutostart()
    }

    override func tearDownWithError() throws {
        fixture.stop()
    }

    func testHealthSaysWhoServes() throws {
        let health = try XCTUnwrap(fixture.expect(200, "GET", "/v1/health"))
        XCTAssertEqual(health["pid"], .number(JSONNumber(Int(getpid()))))
        XCTAssertEqual(health["streams"], .number(JSONNumber(2)))
        XCTAssertEqual(health["status"], "ok")
        XCTAssertNotNil(health["uptimeSeconds"]?.numberValue)
    }

    /// `/metrics` over the socket: the exposition format line by line, with this engine's streams.
    func testMetricsOverTheSocketFollowTheExpositionFormat() throws {
        waitUntil("quotes patched") { (fixture.engine.store.snapshot(id: "quotes")?.metrics.patches ?? 0) >= 1 }
        let reply = try fixture.client.request("GET", "/metrics")
        XCTAssertEqual(reply.status, 200)
        let text = String(decoding: reply.body, as: UTF8.self)
        let parsed: ExpositionParser
        do { parsed = try ExpositionParser(text) } catch { return XCTFail("\(error)\n\(text)") }
        let quotes = ["stream": "quotes", "mode": "sse", "group": "quotes", "shard": "0/1"]
        XCTAssertEqual(parsed.value("streamtop_stream_up", quotes), 1)
        XCTAssertGreaterThan(parsed.value("streamtop_wire_bytes_total", quotes) ?? 0, 0)
        let weather = ["stream": "weather", "mode": "poll", "group": "", "shard": "0/1"]
        XCTAssertEqual(parsed.value("streamtop_stream_up", weather), 0)
        XCTAssertNotNil(parsed.families["process_resident_memory_bytes"])
        let raw = try PlainSocketClient(path: fixture.socketPath)
        raw.send("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        raw.read { false }
        XCTAssertTrue(raw.text.contains("Content-Type: text/plain; version=0.0.4"), String(raw.text.prefix(300)))
    }

    func testTheSocketIsThisUsersOnly() throws {
        var status = stat()
        XCTAssertEqual(stat(fixture.socketPath, &status), 0)
        XCTAssertEqual(status.st_mode & 0o777, 0o600, "the socket")
        XCTAssertEqual(stat(fixture.directory, &status), 0)
        XCTAssertEqual(status.st_mode & 0o777, 0o700, "its directory")
    }

    func testStreamsListsEveryStatus() throws {
        waitUntil("quotes open") { fixture.engine.store.snapshot(id: "quotes")?.status.state == .open }
        let body = try XCTUnwrap(fixture.expect(200, "GET", "/v1/streams"))
        let streams = try XCTUnwrap(body["streams"]?.arrayValue)
        XCTAssertEqual(streams.compactMap { $0["id"]?.stringValue }, ["quotes", "weather"])
        XCTAssertNotNil(body["version"]?.numberValue)
        let quotes = try XCTUnwrap(streams.first)
        for key in ["name", "url", "mode", "state", "wireBytes", "changeFrequency", "updatedAt", "group"] {
            XCTAssertNotNil(quotes[key], "STATUS has \(key)")
        }
        let one = try XCTUnwrap(fixture.expect(200, "GET", "/v1/streams/weather"))
        XCTAssertEqual(one["state"], "idle")
        try fixture.expect(404, "GET", "/v1/streams/nope")
    }

    func testRegisterEditAndRemove() throws {
        let url = fixture.upstream.baseURL + "/sse/weather"
        let created = try XCTUnwrap(fixture.expect(
            201, "POST", "/v1/streams", body: ["name": "Weather stream", "url": .string(url), "autostart": true]))
        XCTAssertEqual(created["id"], "weather-stream", "an id made from the name")
        XCTAssertTrue(try fixture.registryFile.load().streams.contains { $0.id == "weather-stream" }, "saved")
        waitUntil("the new stream to run") {
            fixture.engine.store.snapshot(id: "weather-stream")?.status.state == .open
        }

        let taken = try fixture.client.request(
            "POST", "/v1/streams", body: ["id": "quotes", "name": "Q", "url": .string(url)])
        XCTAssertEqual(taken.status, 409)
        XCTAssertEqual(taken.error?.code, "id_taken")
        XCTAssertEqual(taken.error?.message, "id: \"quotes\" is already registered")

        let invalid = try fixture.client.request(
            "POST", "/v1/streams", body: ["name": "Bad", "url": "ftp://x", "interval": "5"])
        XCTAssertEqual(invalid.status, 400)
        XCTAssertTrue(
            invalid.error?.message.hasPrefix("interval:") == true,
            "names the field: \(String(describing: invalid.error))")

        var edited = try XCTUnwrap(fixture.engine.specs.first { $0.id == "weather-stream" }).json
        edited = try XCTUnwrap(edited.settingMember("name", to: "Renamed"))
        let put = try XCTUnwrap(fixture.expect(200, "PUT", "/v1/streams/weather-stream", body: edited))
        XCTAssertEqual(put["name"], "Renamed")
        XCTAssertEqual(try fixture.registryFile.load().spec(id: "weather-stream")?.name, "Renamed")
        let mismatch = try fixture.client.request("PUT", "/v1/streams/quotes", body: edited)
        XCTAssertEqual(mismatch.status, 400)
        try fixture.expect(404, "PUT", "/v1/streams/nope", body: ["name": "x", "url": .string(url)])

        try fixture.expect(204, "DELETE", "/v1/streams/weather-stream")
        try fixture.expect(404, "GET", "/v1/streams/weather-stream")
        try fixture.expect(404, "DELETE", "/v1/streams/weather-stream")
        XCTAssertFalse(try fixture.registryFile.load().streams.contains { $0.id == "weather-stream" })
    }

    /// The settings an edit form needs, secrets masked; sent back unchanged, the secrets stay.
    func testSettingsHideSecretsAndAnEditKeepsThem() throws {
        let url = fixture.upstream.baseURL + "/poll/weather?api_key=k3y-value&city=x"
        try fixture.expect(201, "POST", "/v1/streams", body: [
            "id": "secret", "name": "Secret", "url": .string(url), "mode": "poll",
            "headers": ["Authorization": "Bearer s3cr3t-t0ken", "Accept-Language": "en"],
            "notify": ["webhook": "https://hooks.example.com/services/T0/B0/XyZ"],
        ])
        let settings = try XCTUnwrap(fixture.expect(200, "GET", "/v1/streams/secret/settings"))
        let text = JSONWriter.string(settings)
        for secret in ["s3cr3t-t0ken", "k3y-value", "XyZ"] { XCTAssertFalse(text.contains(secret), text) }
        XCTAssertEqual(settings["headers"]?["Authorization"], "Bearer REDACTED")
        XCTAssertEqual(settings["headers"]?["Accept-Language"], "en")

        let renamed = try XCTUnwrap(settings.settingMember("name", to: "Renamed"))
        try fixture.expect(200, "PUT", "/v1/streams/secret", body: renamed)
        let saved = try XCTUnwrap(fixture.registryFile.load().spec(id: "secret"))
        XCTAssertEqual(saved.name, "Renamed")
        XCTAssertEqual(saved.url, url)
        XCTAssertEqual(saved.headers.first { $0.name == "Authorization" }?.value, "Bearer s3cr3t-t0ken")
        XCTAssertEqual(saved.notify?.webhook, "https://hooks.example.com/services/T0/B0/XyZ")
        try fixture.expect(404, "GET", "/v1/streams/nope/settings")
    }

    /// Two edits in quick succession keep a running stream running: the second must not take
    /// the first's new runner, not yet connected, for a stopped stream.
    func testEditsInQuickSuccessionKeepAStreamRunning() throws {
        waitUntil("quotes open") { fixture.engine.store.snapshot(id: "quotes")?.status.state == .open }
        let url = JSONValue.string(fixture.upstream.baseURL + "/sse/quotes")
        try fixture.expect(200, "PUT", "/v1/streams/quotes", body: ["name": "One", "url": url, "group": "quotes"])
        try fixture.expect(200, "PUT", "/v1/streams/quotes", body: ["name": "Two", "url": url, "group": "quotes"])
        XCTAssertEqual(try fixture.registryFile.load().spec(id: "quotes")?.autostart, true, "still remembered running")
        waitUntil("Two open") {
            let snapshot = fixture.engine.store.snapshot(id: "quotes")
            return snapshot?.name == "Two" && snapshot?.status.state == .open
        }
    }

    func testStartStopAndRestartAreRemembered() throws {
        let started = try XCTUnwrap(fixture.expect(200, "POST", "/v1/streams/weather/start"))
        XCTAssertNotEqual(started["state"], "idle", "the answer shows the stream at work")
        XCTAssertEqual(try fixture.registryFile.load().spec(id: "weather")?.autostart, true)
        waitUntil("weather polled") { (fixture.engine.store.snapshot(id: "weather")?.metrics.polls ?? 0) >= 1 }

        try fixture.expect(200, "POST", "/v1/streams/weather/stop")
        XCTAssertEqual(try fixture.registryFile.load().spec(id: "weather")?.autostart, false)
        waitUntil("weather stopped") { fixture.engine.store.snapshot(id: "weather")?.status.state == .stopped }

        waitUntil("quotes open") { fixture.engine.store.snapshot(id: "quotes")?.status.state == .open }
        let snapshots = fixture.engine.store.snapshot(id: "quotes")?.metrics.snapshots ?? 0
        try fixture.expect(200, "POST", "/v1/streams/quotes/restart")
        waitUntil("a fresh snapshot") {
            (fixture.engine.store.snapshot(id: "quotes")?.metrics.snapshots ?? 0) > snapshots
        }
        try fixture.expect(404, "POST", "/v1/streams/nope/start")
    }

    func testWrongMethodsAndPathsAreNamed() throws {
        let wrong = try fixture.client.request("DELETE", "/v1/streams")
        XCTAssertEqual(wrong.status, 405)
        XCTAssertEqual(wrong.error?.message, "/v1/streams answers GET, HEAD, POST, not DELETE")
        let raw = try PlainSocketClient(path: fixture.socketPath)
        raw.send("PATCH /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        raw.read { raw.text.contains("\r\n\r\n") && raw.text.contains("}") }
        XCTAssertTrue(raw.text.hasPrefix("HTTP/1.1 405"), raw.text)
        XCTAssertTrue(raw.text.contains("Allow: GET, HEAD"), raw.text)
        // An escaped slash belongs to the id: this names a stream "weather/start", not an action.
        let escaped = try fixture.client.request("POST", "/v1/streams/weather%2Fstart")
        XCTAssertEqual(escaped.status, 405, "POST to a stream's own path")
        XCTAssertEqual(try fixture.client.request("GET", "/v1/streams/weather%2Fstart").error?.message,
                       "no stream \"weather/start\" is registered")
        XCTAssertEqual(fixture.engine.store.snapshot(id: "weather")?.status.state, .idle, "not started")
        let missing = try fixture.client.request("GET", "/v2/streams")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.error?.code, "not_found")
    }

    func testBodiesMustBeJSONObjects() throws {
        let raw = try PlainSocketClient(path: fixture.socketPath)
        let form = "name=x"
        raw.send("POST /v1/streams HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                 + "Content-Length: \(form.utf8.count)\r\n\r\n\(form)")
        raw.read { raw.text.contains("}\n") }
        XCTAssertTrue(raw.text.hasPrefix("HTTP/1.1 415"), raw.text)
        let notJSON = try fixture.client.request("POST", "/v1/streams", body: nil)
        XCTAssertEqual(notJSON.status, 400)
        XCTAssertEqual(notJSON.error?.code, "invalid_json")
        let array = try fixture.client.request("POST", "/v1/streams", body: [1, 2])
        XCTAssertEqual(array.error?.message, "stream: must be an object, not an array")
    }

    func testLogsDocumentAndHistory() throws {
        waitUntil("two quotes patches") { (fixture.engine.store.snapshot(id: "quotes")?.metrics.patches ?? 0) >= 2 }
        let logs = try fixture.client.request("GET", "/v1/streams/quotes/logs?limit=3")
        XCTAssertEqual(logs.status, 200)
        let lines = String(decoding: logs.body, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        for line in lines { XCTAssertNotNil(try? JSONParser.parse(Array(line.utf8))["kind"], String(line)) }
        XCTAssertEqual(try fixture.client.request("GET", "/v1/streams/quotes/logs?limit=x").status, 400)

        let document = try XCTUnwrap(fixture.expect(200, "GET", "/v1/streams/quotes/document"))
        XCTAssertNotNil(document.objectValue ?? document.arrayValue.map { _ in JSONObject() }, "a JSON document")
        let none = try fixture.client.request("GET", "/v1/streams/weather/document")
        XCTAssertEqual(none.error?.code, "no_document")

        let history = try XCTUnwrap(fixture.expect(200, "GET", "/v1/streams/quotes/history"))
        let minutes = try XCTUnwrap(history["minutes"]?.arrayValue)
        XCTAssertFalse(minutes.isEmpty)
        XCTAssertNotNil(StatusBody.history(json: history, at: Moment(nanoseconds: 0)))
    }

    func testLogsFollowSendsNewEntries() throws {
        waitUntil("quotes open") { fixture.engine.store.snapshot(id: "quotes")?.status.state == .open }
        let raw = try PlainSocketClient(path: fixture.socketPath)
        raw.get("/v1/streams/weather/logs?follow=true")
        raw.read { raw.text.contains("retry: 2000") }
        XCTAssertTrue(raw.text.contains("Content-Type: text/event-stream"), raw.text)
        fixture.engine.start(id: "weather")
        let events = raw.readEvents(count: 2)
        XCTAssertEqual(events.first?.type, "log")
        let entry = try JSONParser.parse(events.first?.data ?? "")
        XCTAssertNotNil(entry["kind"], "a log entry: \(entry)")
    }

    func testEventsAppliedAsSnapshotAndPatchesEqualTheStreams() throws {
        waitUntil("quotes open") { fixture.engine.store.snapshot(id: "quotes")?.status.state == .open }
        let raw = try PlainSocketClient(path: fixture.socketPath)
        raw.get("/v1/events")
        var document = Document()
        var consumed = 0
        func apply() {
            for event in raw.events[consumed...] where event.type != "alert" {
                if case .failure(let error) = document.consume(event) { XCTFail("\(error)") }
            }
            consumed = raw.events.count
        }
        raw.readEvents(count: 3)
        apply()
        XCTAssertEqual(raw.events.first?.type, "data")
        XCTAssertTrue(raw.events.dropFirst().allSatisfy { $0.type == "patch" }, "then patches")
        // Settle: stop everything, then compare the applied document with one GET.
        fixture.engine.stop(id: "quotes")
        waitUntil("quotes stopped") { fixture.engine.store.snapshot(id: "quotes")?.status.state == .stopped }
        let final = try XCTUnwrap(fixture.expect(200, "GET", "/v1/streams"))
        let finalVersion = try XCTUnwrap(final["version"]).numberValue
        raw.read {
            apply()
            return document.current?["version"]?.numberValue == finalVersion
        }
        XCTAssertEqual(document.current, final)
        let lastID = raw.events.last { $0.type == "patch" }?.lastEventID ?? ""

        // Resuming from a kept version gets only what was missed: nothing, then the next patch.
        let resumed = try PlainSocketClient(path: fixture.socketPath)
        resumed.get("/v1/events", headers: ["Last-Event-ID: \(lastID)"])
        fixture.engine.start(id: "weather")
        resumed.readEvents(count: 1)
        XCTAssertEqual(resumed.events.first?.type, "patch", "no snapshot for a client that is up to date")
        // An unknown version gets a snapshot.
        let stranger = try PlainSocketClient(path: fixture.socketPath)
        stranger.get("/v1/events", headers: ["Last-Event-ID: 1"])
        XCTAssertEqual(stranger.readEvents(count: 1).first?.type, "data")
    }

    func testAlertsArriveOnTheEventStream() throws {
        let raw = try PlainSocketClient(path: fixture.socketPath)
        raw.get("/v1/events")
        raw.readEvents(count: 1)
        fixture.engine.store.publishAlert(stream: "quotes", message: "quotes: failing for 2m", recovered: false)
        raw.read { raw.events.contains { $0.type == "alert" } }
        let alert = try JSONParser.parse(raw.events.first { $0.type == "alert" }?.data ?? "")
        XCTAssertEqual(alert["message"], "quotes: failing for 2m")
        XCTAssertEqual(alert["recovered"], false)
    }
}

extension JSONValue {
    var numberValue: JSONNumber? {
        if case .number(let number) = self { return number }
        return nil
    }

    func settingMember(_ key: String, to value: JSONValue) -> JSONValue? {
        guard case .object(var object) = self else { return nil }
        object[key] = value
        return .object(object)
    }
}
