import Foundation
import XCTest
@testable import StreamCore

final class RegistryTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-registry-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func quotes() -> StreamSpec {
        StreamSpec(
            id: "quotes", name: "Stock quotes", url: "https://api.example.com/quotes?token=abc", mode: .sse,
            headers: [("Authorization", "Bearer secret"), ("X-Trace", "1")], group: "quotes",
            notify: NotifySpec(command: ["/usr/bin/logger", "-t", "streamtop"], webhook: "https://hooks.example.com/x", webhookFormat: .text, after: 60, repeat: 3600),
            autostart: true, stall: 45, compress: false, caFile: "/etc/streamtop/private-ca.pem", maxRetry: 120)
    }

    func testSpecRoundTripsThroughJSONWithDefaults() throws {
        let spec = quotes()
        XCTAssertEqual(try StreamSpec(json: spec.json), spec)
        let minimal = try StreamSpec(json: ["id": "a", "name": "A", "url": "http://localhost:8080/x", "future": true])
        XCTAssertEqual(minimal.mode, .sse)
        XCTAssertEqual(minimal.interval, 60)
        XCTAssertEqual(minimal.stall, 90)
        XCTAssertEqual(minimal.maxRetry, 600, "a server's retry is capped at 10 minutes unless a spec says otherwise")
        XCTAssertTrue(minimal.compress, "gzip is offered unless a spec says otherwise")
        XCTAssertFalse(minimal.autostart)
        XCTAssertTrue(minimal.headers.isEmpty)
        XCTAssertNil(minimal.notify)
        XCTAssertNil(minimal.caFile, "the system's CAs unless a spec says otherwise")
    }

    /// `add` checks that the CA file is there and holds certificates; loading a registry
    /// does not, so a file removed later costs only its stream.
    func testTheCAFileIsCheckedWhenAsked() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let pem = directory.appendingPathComponent("ca.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        try certificate.write(toFile: pem, atomically: true, encoding: .utf8)
        try "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n".write(toFile: key, atomically: true, encoding: .utf8)
        func problem(_ caFile: String?) -> String? {
            do {
                try StreamSpec(id: "a", name: "A", url: "https://h/", caFile: caFile).checkFiles()
                return nil
            } catch {
                return "\(error)"
            }
        }
        XCTAssertNil(problem(nil))
        XCTAssertNil(problem(pem))
        XCTAssertEqual(problem("/nonexistent/ca.pem"), "caFile: /nonexistent/ca.pem does not exist")
        XCTAssertEqual(problem(directory.path), "caFile: cannot read \(directory.path): Is a directory")
        XCTAssertEqual(problem(key), "caFile: \(key) holds no PEM certificate (no -----BEGIN CERTIFICATE----- line)")
        XCTAssertNoThrow(try StreamSpec(json: ["id": "a", "name": "A", "url": "https://h/", "caFile": "/nonexistent/ca.pem"]),
                         "a registry naming a missing CA file still loads")
    }

    func testEveryBadFieldIsNamed() {
        let base: JSONValue = ["id": "a", "name": "A", "url": "https://h/x"]
        func check(_ change: (inout JSONObject) -> Void, _ expected: String, line: UInt = #line) {
            var object = base.objectValue!
            change(&object)
            XCTAssertThrowsError(try StreamSpec(json: .object(object)), line: line) { error in
                XCTAssertEqual("\(error)", expected, line: line)
            }
        }
        check({ $0["id"] = nil }, "id: is missing")
        check({ $0["id"] = "Bad Id" }, "id: must be 1–64 lowercase letters, digits or '-', starting with a letter or digit")
        check({ $0["name"] = " " }, "name: must not be empty (at most 200 characters)")
        check({ $0["url"] = "ftp://h/x" }, "url: must start with http:// or https://")
        check({ $0["url"] = "https:///x" }, "url: must name a host")
        check({ $0["url"] = "https://h/a b" }, "url: must not contain spaces or control characters")
        check({ $0["url"] = 5 }, "url: must be a string, not a number")
        check({ $0["mode"] = "websocket" }, "mode: must be one of sse, poll, not \"websocket\"")
        check({ $0["interval"] = 0 }, "interval: must be between 1 and 86400 seconds")
        check({ $0["interval"] = 1.5 }, "interval: must be a whole number of seconds, not 1.5")
        check({ $0["stall"] = "90" }, "stall: must be a whole number of seconds, not \"90\"")
        check({ $0["maxRetry"] = 0 }, "maxRetry: must be between 1 and 86400 seconds")
        check({ $0["autostart"] = 1 }, "autostart: must be true or false, not 1")
        check({ $0["compress"] = "no" }, "compress: must be true or false, not \"no\"")
        check({ $0["headers"] = ["Bad Name": "x"] }, "headers[0]: \"Bad Name\" is not a valid header name")
        check({ $0["headers"] = ["X-A": "a\r\nInjected: 1"] }, "headers[0]: a header value must not contain line breaks or NUL")
        check({ $0["headers"] = ["X-A": 1] }, "headers.X-A: must be a string")
        check({ $0["caFile"] = "ca.pem" }, "caFile: must be an absolute path")
        check({ $0["caFile"] = "/etc/ca\n.pem" }, "caFile: must not contain control characters")
        check({ $0["caFile"] = true }, "caFile: must be a string, not a boolean")
        check({ $0["notify"] = [:] }, "notify: needs a command or a webhook")
        check({ $0["notify"] = ["command": []] }, "notify.command: must name a program")
        check({ $0["notify"] = ["webhook": "nope"] }, "notify.webhook: must start with http:// or https://")
        check({ $0["notify"] = ["webhook": "https://h/", "repeat": 5] }, "notify.repeat: must be between 60 and 604800 seconds")
        check({ $0["notify"] = ["webhook": "https://h/", "webhookFormat": "xml"] }, "notify.webhookFormat: must be one of slack, text, not \"xml\"")
    }

    /// A spec is its bytes: an edit that only changes a string's Unicode normalization ("Zoë"
    /// with U+00EB, then with e + U+0308) is an edit the engine must apply (a command path or a
    /// header value is sent as it is written).
    func testSpecsCompareStringsByScalars() {
        let composed = "Zo\u{EB}"
        let decomposed = "Zoe\u{308}"
        let edits: [(String, (inout StreamSpec, String) -> Void)] = [
            ("name", { $0.name = $1 }),
            ("header value", { $0.headers[1].value = $1 }),
            ("group", { $0.group = $1 }),
            ("notify command", { $0.notify?.command = ["/usr/bin/logger", $1] }),
        ]
        for (field, edit) in edits {
            var before = quotes()
            var after = quotes()
            edit(&before, composed)
            edit(&after, decomposed)
            XCTAssertNotEqual(before, after, field)
            var same = quotes()
            edit(&same, String(decoding: Array(composed.utf8), as: UTF8.self))
            XCTAssertEqual(before, same, field)
        }
    }

    func testRegistryKeepsIdsUnique() throws {
        var registry = Registry()
        try registry.add(quotes())
        XCTAssertThrowsError(try registry.add(quotes())) { XCTAssertEqual("\($0)", "id: \"quotes\" is already registered") }
        XCTAssertEqual(registry.newID(for: "Quotes"), "quotes-2")
        XCTAssertEqual(registry.newID(for: "Météo (EU) — hourly!"), "meteo-eu-hourly")
        XCTAssertEqual(registry.newID(for: "***"), "stream-f1e1", "nothing readable: the name's hash")
        var changed = quotes()
        changed.interval = 5
        try registry.update(changed)
        XCTAssertEqual(registry.spec(id: "quotes")?.interval, 5)
        XCTAssertThrowsError(try registry.update(StreamSpec(id: "nope", name: "n", url: "http://h/")))
        XCTAssertEqual(registry.remove(id: "quotes")?.id, "quotes")
        XCTAssertNil(registry.remove(id: "quotes"))
    }

    func testFileRoundTripIsAtomicAndPrivate() throws {
        let file = RegistryFile(path: directory.appendingPathComponent("config/streamtop/streams.json").path)
        XCTAssertEqual(try file.load(), Registry(), "no file yet: an empty registry")
        var registry = Registry()
        try registry.add(quotes())
        try registry.add(StreamSpec(id: "weather", name: "Weather", url: "http://127.0.0.1:9/weather", mode: .poll, interval: 30))
        try file.save(registry)
        XCTAssertEqual(try file.load(), registry)
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: RegistryFile.directory(of: file.path))
        XCTAssertEqual(leftovers, ["streams.json"], "no temporary file left behind")
        let text = try String(contentsOfFile: file.path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("{\n  \"version\": 1,\n  \"streams\": ["), text)
    }

    /// Writers that each load, change and save (a monitor, scripts running `streamtop add`)
    /// take turns under the registry's lock: no change is lost to another's save.
    func testConcurrentChangesAreAllKept() throws {
        let path = directory.appendingPathComponent("streams.json").path
        let writers = 6
        let changesEach = 15
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            let file = RegistryFile(path: path)  // its own descriptor for the lock, as another process has
            for change in 0..<changesEach {
                let spec = StreamSpec(id: "w\(writer)-\(change)", name: "w\(writer)-\(change)", url: "http://127.0.0.1:9/\(writer)")
                do {
                    try file.change { (registry: inout Registry) throws(SpecError) in try registry.add(spec) }
                    if change % 5 == 0 { try file.setAutostart(id: "w\(writer)-0", change % 10 == 0) }
                } catch {
                    XCTFail("\(error)")
                }
            }
        }
        let registry = try RegistryFile(path: path).load()
        XCTAssertEqual(registry.streams.count, writers * changesEach)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [], "no temporary file is left behind")
    }

    func testInvalidFilesAreReportedWithPositionAndNeverOverwritten() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("streams.json").path
        let file = RegistryFile(path: path)
        let broken = "{\n  \"version\": 1,\n  \"streams\": [\n    {\"id\": \"a\",},\n  ]\n}\n"
        try broken.write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try file.load()) { error in
            XCTAssertEqual("\(error)", "\(path): 4:16: invalid JSON: trailing comma")
        }
        XCTAssertThrowsError(try file.save(Registry())) { error in
            XCTAssertEqual("\(error)", "\(path): not overwriting an invalid registry (4:16: invalid JSON: trailing comma); fix or move the file")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), broken, "the person's file is untouched")

        let wrongField = #"{"version":1,"streams":[{"id":"ok","name":"OK","url":"http://h/"},{"id":"q","name":"Q","url":"http://h/","interval":-1}]}"#
        try wrongField.write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try file.load()) { error in
            XCTAssertEqual("\(error)", "\(path): streams[1] (\"q\").interval: must be between 1 and 86400 seconds")
        }
        try #"{"version":2,"streams":[]}"#.write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try file.load()) { error in
            XCTAssertEqual("\(error)", "\(path): version: unsupported registry version 2 (this streamtop reads version 1)")
        }
        try #"[]"#.write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try file.load()) {
            XCTAssertEqual("\($0)", "\(path): the registry must be a JSON object, not an array")
        }
        try #"{"version":1,"streams":[{"id":"a","name":"A","url":"http://h/"},{"id":"a","name":"B","url":"http://h/"}]}"#.write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try file.load()) { XCTAssertEqual("\($0)", "\(path): streams[1] (\"a\").id: \"a\" is already registered") }
    }
}
