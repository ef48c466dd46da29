import Foundation
import XCTest

/// `--theme` through the real binary: a name that is no theme is a usage error that lists the
/// themes and saves nothing; a binary copied out of the checkout, or installed by
/// contrib/install, offers every shipped theme.
final class ThemeBinaryTests: XCTestCase {
    static let shipped = "default, high-contrast, light, mono, solarized-dark"
    var root = ""
    var home: String { root + "/home" }
    /// A directory outside the checkout with no Themes/ in it, to run from.
    var elsewhere: String { root + "/elsewhere" }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamtop-themes-\(UUID().uuidString)").path
        for directory in [home, elsewhere] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Runs `binary ARGUMENTS` from `elsewhere`, with the temporary home and no terminal.
    func streamtop(
        _ arguments: [String], binary: URL = StreamtopBinaryTests.executable
    ) throws -> (status: Int32, out: String, err: String) {
        try Self.spawn(binary, arguments, environment: ["HOME": home, "PATH": "/usr/bin:/bin"], in: elsewhere)
    }

    static func spawn(
        _ executable: URL, _ arguments: [String], environment: [String: String], in directory: String
    ) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe(), errors = Pipe()
        process.standardInput = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, out, err)
    }

    static func unknownTheme(_ name: String, command: String, themes: String = shipped) -> String {
        "streamtop: --theme: no theme named '\(name)'; the themes are \(themes)\n"
            + "Run 'streamtop \(command) --help' for usage.\n"
    }

    func testAnUnknownThemeIsAUsageErrorThatListsTheThemesAndSavesNothing() throws {
        let settings = home + "/.config/streamtop/ui.json"
        let userThemes = home + "/.config/streamtop/themes"
        try FileManager.default.createDirectory(atPath: userThemes, withIntermediateDirectories: true)
        try Data(#"{"theme": "light"}"#.utf8).write(to: URL(fileURLWithPath: settings))
        for arguments in [
            ["run", "--theme", "nosuch"], ["run", "--headless", "--theme", "nosuch"], ["demo", "--theme", "nosuch"],
            ["run", "--attach", root + "/nothing", "--theme", "nosuch"],
        ] {
            let result = try streamtop(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertEqual(result.err, Self.unknownTheme("nosuch", command: arguments[0]), "\(arguments)")
            XCTAssertEqual(result.out, "")
        }
        XCTAssertEqual(try String(contentsOfFile: settings, encoding: .utf8), #"{"theme": "light"}"#, "nothing saved")
        XCTAssertFalse(FileManager.default.fileExists(atPath: home + "/.local/state/streamtop"), "nothing started")

        // The name is shown sanitized; the user's own themes are listed with the shipped ones.
        let escape = try streamtop(["demo", "--theme", "\u{1B}[31m"])
        XCTAssertEqual(escape.err, Self.unknownTheme("␛[31m", command: "demo"))
        try Data("theme[title]=\"#010203\"\n".utf8).write(to: URL(fileURLWithPath: userThemes + "/mine.theme"))
        let mine = try streamtop(["run", "--theme", "nosuch"])
        let withMine = "default, high-contrast, light, mine, mono, solarized-dark"
        XCTAssertEqual(mine.err, Self.unknownTheme("nosuch", command: "run", themes: withMine))
        // A theme there is passes: what stops these runs is the missing terminal.
        for arguments in [["run", "--theme", "mine"], ["demo", "--theme", "solarized-dark"]] {
            let accepted = try streamtop(arguments)
            XCTAssertEqual(accepted.status, 1, "\(arguments): \(accepted.err)")
            XCTAssertTrue(accepted.err.contains("needs a terminal"), accepted.err)
        }
        XCTAssertEqual(try String(contentsOfFile: settings, encoding: .utf8), #"{"theme": "light"}"#, "nothing saved")
    }

    /// The binary alone, copied where no checkout and no share directory is: every shipped theme.
    func testACopiedBinaryOffersEveryShippedTheme() throws {
        let copy = URL(fileURLWithPath: root + "/bin/streamtop")
        try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: StreamtopBinaryTests.executable, to: copy)
        let result = try streamtop(["demo", "--theme", "nosuch"], binary: copy)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.err, Self.unknownTheme("nosuch", command: "demo"))
        let light = try streamtop(["demo", "--theme", "light"], binary: copy)
        XCTAssertEqual(light.status, 1, "light is there; the terminal is not: \(light.err)")
    }

    /// contrib/install with an existing binary (no build): PREFIX and DESTDIR are honoured, and
    /// the installed binary finds the installed themes directory (a theme added there is listed).
    func testContribInstallPutsTheBinaryAndThemesInPlace() throws {
        let install = SystemdUnitTests.contrib.appendingPathComponent("install")
        let themes = SystemdUnitTests.contrib.deletingLastPathComponent().appendingPathComponent("Themes").path
        let shippedFiles = try FileManager.default.contentsOfDirectory(atPath: themes)
            .filter { $0.hasSuffix(".theme") }.sorted()
        for (prefix, destdir) in [(root + "/prefix", nil), ("/opt/streamtop", root + "/stage")] as [(String, String?)] {
            var environment = [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home,
                "PREFIX": prefix, "STREAMTOP_BINARY": StreamtopBinaryTests.executable.path,
            ]
            environment["DESTDIR"] = destdir
            let installed = try Self.spawn(install, [], environment: environment, in: elsewhere)
            XCTAssertEqual(installed.status, 0, installed.err)
            let target = (destdir ?? "") + prefix
            let said = "installed \(target)/bin/streamtop, and 5 themes in \(target)/share/streamtop/themes\n"
            XCTAssertTrue(installed.out.hasPrefix(said), installed.out)
            let binary = URL(fileURLWithPath: target + "/bin/streamtop")
            XCTAssertTrue(FileManager.default.isExecutableFile(atPath: binary.path))
            let directory = target + "/share/streamtop/themes"
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).sorted(), shippedFiles)
            for file in shippedFiles {
                let copied = FileManager.default.contents(atPath: directory + "/" + file)
                XCTAssertEqual(copied, FileManager.default.contents(atPath: themes + "/" + file), file)
            }
            try Data("theme[title]=\"#010203\"\n".utf8).write(to: URL(fileURLWithPath: directory + "/site.theme"))
            let listed = try streamtop(["run", "--theme", "nosuch"], binary: binary)
            let withSite = "default, high-contrast, light, mono, site, solarized-dark"
            XCTAssertEqual(listed.err, Self.unknownTheme("nosuch", command: "run", themes: withSite))
        }
        let relative = try Self.spawn(
            install, [], environment: ["PATH": "/usr/bin:/bin", "PREFIX": "relative"], in: elsewhere)
        XCTAssertEqual(relative.status, 2)
        XCTAssertEqual(relative.err, "contrib/install: PREFIX must be an absolute path, not 'relative'\n")
    }
}
