import Foundation
import XCTest
@testable import StreamCLI
@testable import StreamCore

/// `streamtop add`, `list` and `remove` against a registry in a temporary directory.
final class RegistryCommandTests: TemporaryHomeTestCase {
    func testAddListRemove() throws {
        XCTAssertEqual(run(["list"]).out, "No streams registered. Add one with: streamtop add <url>\n")
        let added = run(["add", "https://api.example.com/v1/quotes?symbols=ACME&token=s3cret", "--header", "Authorization: Bearer abc",
                         "--group", "quotes", "--start", "--max-retry", "120"])
        XCTAssertEqual(added.status, 0, added.err)
        XCTAssertEqual(added.out, "added api-example-com-v1-quotes (sse) https://api.example.com/v1/quotes?symbols=ACME&token=REDACTED\n")
        XCTAssertEqual(run(["add", "http://127.0.0.1:8080/weather", "--mode", "poll", "--interval", "30", "--name", "Weather", "--no-compress"]).status, 0)
        XCTAssertEqual(run(["add", "http://127.0.0.1:8080/weather", "--mode", "poll", "--name", "Weather"]).out,
                       "added weather-2 (poll) http://127.0.0.1:8080/weather\n")

        let listed = run(["list"])
        XCTAssertEqual(listed.out, """
            ID                         NAME                       MODE  EVERY  GROUP   URL
            api-example-com-v1-quotes  api.example.com/v1/quotes  sse   -      quotes  https://api.example.com/v1/quotes?symbols=ACME&token=REDACTED
            weather                    Weather                    poll  30s    -       http://127.0.0.1:8080/weather
            weather-2                  Weather                    poll  60s    -       http://127.0.0.1:8080/weather

            """)
        let json = try JSONParser.parse(run(["list", "--json"]).out)
        XCTAssertEqual(json[0]?["headers"], ["Authorization": "Bearer REDACTED"])
        XCTAssertEqual(json[0]?["autostart"], true)
        XCTAssertEqual(json[0]?["compress"], true)
        XCTAssertEqual(json[1]?["compress"], false, "--no-compress")
        XCTAssertEqual(json[0]?["maxRetry"], 120, "--max-retry")
        XCTAssertEqual(json[1]?["maxRetry"], 600)

        // The file itself keeps the credentials (mode 0600), for the engine to send.
        let registryPath = home + "/config/streamtop/streams.json"
        let stored = try RegistryFile(path: registryPath).load()
        XCTAssertEqual(stored.spec(id: "api-example-com-v1-quotes")?.headers.first?.value, "Bearer abc")
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: registryPath)[.posixPermissions] as? NSNumber)?.intValue, 0o600)

        XCTAssertEqual(run(["remove", "weather-2"]).out, "removed weather-2\n")
        let missing = run(["remove", "weather-2"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.err, "streamtop: no stream 'weather-2' is registered (see 'streamtop list')\n")
        XCTAssertEqual(try RegistryFile(path: registryPath).load().streams.map(\.id), ["api-example-com-v1-quotes", "weather"])
    }

    /// A token as the URL's user name, and a webhook (whose path is its secret), are not shown.
    func testTokensInUserNamesAndWebhooksAreNotListed() throws {
        let webhook = "https://hooks.slack.com/services/T0/B0/XYZ"
        let added = run(["add", "https://ghp_t0ken@api.example.com/x", "--name", "x", "--webhook", webhook])
        XCTAssertEqual(added.out, "added x (sse) https://REDACTED@api.example.com/x\n")
        XCTAssertTrue(run(["list"]).out.contains(" https://REDACTED@api.example.com/x\n"))
        let json = try JSONParser.parse(run(["list", "--json"]).out)
        XCTAssertEqual(json[0]?["url"], "https://REDACTED@api.example.com/x")
        XCTAssertEqual(json[0]?["notify"]?["webhook"], "https://hooks.slack.com/…")
    }

    /// The real binary, in the C locale and in a UTF-8 one: names in CJK, emoji, Cyrillic and
    /// accented Latin get readable or hashed ids, and `list` pads them by display width (a CJK
    /// character or an emoji takes two columns), so every column starts at the same place.
    func testListAlignsNamesInAnyScriptByDisplayWidth() throws {
        let path = home + "/streams.json"
        for name in ["東京 quotes", "🚀 launches", "Москва", "Météo", "東京"] {
            XCTAssertEqual(try binary(["add", "http://h/x", "--name", name, "--config", path], locale: nil).status, 0)
        }
        let expected = """
            ID             NAME         MODE  EVERY  GROUP  URL
            quotes-c292    東京 quotes  sse   -      -      http://h/x
            launches-d808  🚀 launches  sse   -      -      http://h/x
            moskva         Москва       sse   -      -      http://h/x
            meteo          Météo        sse   -      -      http://h/x
            stream-cfb1    東京         sse   -      -      http://h/x

            """
        for locale in [nil, "C", "C.UTF-8"] {
            let listed = try binary(["list", "--config", path], locale: locale)
            XCTAssertEqual(listed.status, 0)
            XCTAssertEqual(listed.output, expected, "LANG=\(locale ?? "(unset)")")
        }
    }

    /// Runs the real binary with only `LANG` (or no locale at all) in its environment.
    func binary(_ arguments: [String], locale: String?) throws -> (output: String, status: Int32) {
        try StreamtopBinaryTests.run(
            arguments, environment: ["HOME": home].merging(locale.map { ["LANG": $0] } ?? [:]) { $1 })
    }

    /// Fields this streamtop does not know are kept in the file but not listed: it cannot tell
    /// what in them to redact.
    func testUnknownFieldsAreKeptButNotListed() throws {
        let path = home + "/streams.json"
        try #"{"streams": [{"id": "a", "name": "A", "url": "http://h/", "proxy": "http://u:pw@p/"}]}"#
            .write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertEqual(run(["add", "http://h/b", "--config", path]).status, 0)
        XCTAssertEqual(try RegistryFile(path: path).load().spec(id: "a")?.unknownFields["proxy"], "http://u:pw@p/")
        let listed = try JSONParser.parse(run(["list", "--json", "--config", path]).out)
        XCTAssertNil(listed[0]?["proxy"])
    }

    func testBadValuesAreClearErrors() {
        let cases: [([String], Int32, String)] = [
            (["add"], 2, "streamtop: missing <url>: the stream to register\nRun 'streamtop add --help' for usage.\n"),
            (["add", "ftp://x/"], 2, "streamtop: url: must start with http:// or https://\n"),
            (["add", "http://h/", "--mode", "ws"], 2, "streamtop: --mode takes sse or poll, not 'ws'\nRun 'streamtop add --help' for usage.\n"),
            (["add", "http://h/", "--interval", "often"], 2, "streamtop: --interval takes a whole number of seconds, not 'often'\nRun 'streamtop add --help' for usage.\n"),
            (["add", "http://h/", "--interval", "0"], 2, "streamtop: interval: must be between 1 and 86400 seconds\n"),
            (["add", "http://h/", "--max-retry", "0"], 2, "streamtop: maxRetry: must be between 1 and 86400 seconds\n"),
            (["add", "http://h/", "--max-retry", "soon"], 2,
             "streamtop: --max-retry takes a whole number of seconds, not 'soon'\nRun 'streamtop add --help' for usage.\n"),
            (["add", "http://h/", "--header", "NoColon"], 2, "streamtop: --header takes 'Name: value', not 'NoColon'\nRun 'streamtop add --help' for usage.\n"),
            (["add", "http://h/", "--webhook", "nope"], 2, "streamtop: notify.webhook: must start with http:// or https://\n"),
            (["list", "extra"], 2, "streamtop: unexpected argument 'extra'\nRun 'streamtop list --help' for usage.\n"),
            (["demo", "--port", "http"], 2, "streamtop: --port takes a port number (1-65535), not 'http'\nRun 'streamtop demo --help' for usage.\n"),
            (["demo", "--port", "70000"], 2, "streamtop: --port takes a port number (1-65535), not '70000'\nRun 'streamtop demo --help' for usage.\n"),
            (["run", "--frobnicate"], 2, "streamtop: unknown option '--frobnicate'\nRun 'streamtop run --help' for usage.\n"),
        ]
        for (arguments, status, message) in cases {
            let result = run(arguments)
            XCTAssertEqual(result.status, status, "\(arguments)")
            XCTAssertEqual(result.err, message, "\(arguments)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: home + "/config/streamtop/streams.json"), "nothing was written")
    }

    /// `--ca-file` is stored as an absolute path once it is known to hold certificates.
    func testAddTakesACAFile() throws {
        let pem = home + "/private-ca.pem"
        let certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        try certificate.write(toFile: pem, atomically: true, encoding: .utf8)
        let missing = run(["add", "https://internal.example/quotes", "--ca-file", "/nonexistent/ca.pem"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.err, "streamtop: caFile: /nonexistent/ca.pem does not exist\n")
        let relative = run(["add", "https://internal.example/quotes", "--ca-file", "no-such-ca.pem"])
        let here = FileManager.default.currentDirectoryPath
        XCTAssertEqual(relative.err, "streamtop: caFile: \(here)/no-such-ca.pem does not exist\n")
        let registry = home + "/config/streamtop/streams.json"
        XCTAssertFalse(FileManager.default.fileExists(atPath: registry), "nothing was written")

        XCTAssertEqual(run(["add", "https://internal.example/quotes", "--ca-file", pem]).status, 0)
        let stored = try RegistryFile(path: registry).load()
        XCTAssertEqual(stored.streams.first?.caFile, pem)
        XCTAssertEqual(try JSONParser.parse(run(["list", "--json"]).out)[0]?["caFile"], .string(pem))
    }

    func testAnInvalidRegistryIsReportedAndKept() throws {
        try FileManager.default.createDirectory(atPath: home + "/config/streamtop", withIntermediateDirectories: true)
        let path = home + "/config/streamtop/streams.json"
        try "{\"version\":1,\"streams\":[}".write(toFile: path, atomically: false, encoding: .utf8)
        let result = run(["add", "http://h/"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.err, "streamtop: \(path): 1:25: invalid JSON: unexpected '}', expected a JSON value\n")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "{\"version\":1,\"streams\":[}")
    }

    func testHelpListsTheCommands() {
        let help = run(["--help"]).out
        for name in ["tail", "add", "list", "remove"] { XCTAssertTrue(help.contains("  \(name) "), help) }
        XCTAssertTrue(run(["add", "--help"]).out.hasPrefix("USAGE: streamtop add <url>"))
    }
}
