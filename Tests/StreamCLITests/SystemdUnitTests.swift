import Foundation
import XCTest
@testable import StreamCore

/// contrib/streamtop.service and streamtop@.service: the keys a service needs, and systemd's
/// own check of them (`systemd-analyze verify --user`) where systemd is installed.
final class SystemdUnitTests: XCTestCase {
    static let contrib = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("contrib")

    /// Each section's keys and values, in order (comments and blank lines left out).
    func keys(_ unit: String) throws -> [String: [(key: String, value: String)]] {
        let text = try String(contentsOf: Self.contrib.appendingPathComponent(unit), encoding: .utf8)
        var sections: [String: [(key: String, value: String)]] = [:]
        var section = ""
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            if line.hasPrefix("[") {
                section = String(line.dropFirst().dropLast())
            } else if let equals = line.firstIndex(of: "=") {
                let value = String(line[line.index(after: equals)...])
                sections[section, default: []].append((String(line[..<equals]), value))
            }
        }
        return sections
    }

    func value(_ sections: [String: [(key: String, value: String)]], _ section: String, _ key: String) -> String? {
        sections[section]?.last { $0.key == key }?.value
    }

    func testTheUnitsRunHeadlessAndStopAndReloadAsStreamtopExpects() throws {
        for (unit, command) in [
            ("streamtop.service", "%h/.local/bin/streamtop run --headless"),
            ("streamtop@.service", "%h/.local/bin/streamtop run --headless --shard %I"),
        ] {
            let sections = try keys(unit)
            XCTAssertEqual(value(sections, "Service", "ExecStart"), command, unit)
            XCTAssertEqual(value(sections, "Service", "Restart"), "on-failure", unit)
            XCTAssertEqual(value(sections, "Service", "KillSignal"), "SIGTERM", unit)
            XCTAssertEqual(value(sections, "Service", "ExecReload"), "/bin/kill -HUP $MAINPID", unit)
            XCTAssertEqual(value(sections, "Service", "TimeoutStopSec"), "30", unit)
            XCTAssertEqual(value(sections, "Service", "NoNewPrivileges"), "yes", unit)
            XCTAssertEqual(value(sections, "Install", "WantedBy"), "default.target", unit)
            // Namespaces fail a user unit where unprivileged user namespaces are not allowed.
            for key in ["PrivateTmp", "ProtectSystem", "ProtectHome", "PrivateDevices", "User"] {
                XCTAssertNil(value(sections, "Service", key), "\(unit): \(key)")
            }
            let text = try String(contentsOf: Self.contrib.appendingPathComponent(unit), encoding: .utf8)
            XCTAssertTrue(text.contains("adjust ExecStart"), "\(unit) says to adjust the binary's path")
        }
    }

    /// `systemd-analyze verify --user`: known keys, valid values, and a binary at the path
    /// ExecStart names (a home whose ~/.local/bin/streamtop is the one built here).
    func testSystemdVerifiesTheUnitsAndTurnsTheInstanceIntoTheShard() throws {
        let analyze = "/usr/bin/systemd-analyze"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: analyze), "systemd is not installed")
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-unit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let bin = home.appendingPathComponent(".local/bin")
        let runtime = home.appendingPathComponent("runtime")
        let units = home.appendingPathComponent("units")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: units, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.createSymbolicLink(
            at: bin.appendingPathComponent("streamtop"), withDestinationURL: StreamtopBinaryTests.executable)

        func verify(_ name: String, _ text: String) throws -> (status: Int32, said: String) {
            let path = units.appendingPathComponent(name)
            try Data(text.utf8).write(to: path)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: analyze)
            process.arguments = ["verify", "--user", path.path]
            process.environment = ["HOME": home.path, "XDG_RUNTIME_DIR": runtime.path, "PATH": "/usr/bin:/bin"]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            // Only what concerns this unit: the machine's own units may draw remarks.
            return (process.terminationStatus, said.split(separator: "\n").filter { $0.contains(name) }.joined())
        }
        let plain = try String(contentsOf: Self.contrib.appendingPathComponent("streamtop.service"), encoding: .utf8)
        let verified = try verify("streamtop.service", plain)
        XCTAssertEqual(verified.status, 0, verified.said)
        XCTAssertEqual(verified.said, "")
        let template = try String(
            contentsOf: Self.contrib.appendingPathComponent("streamtop@.service"), encoding: .utf8)
        let instance = try verify("streamtop@1-3.service", template)
        XCTAssertEqual(instance.status, 0, instance.said)
        XCTAssertEqual(instance.said, "")
        // What %I makes of the instance name, shown by a command that cannot exist.
        let probe = template.replacingOccurrences(of: "%h/.local/bin/streamtop run", with: "/nonexistent/%I/streamtop")
        let shown = try verify("probe@1-3.service", probe)
        XCTAssertNotEqual(shown.status, 0)
        XCTAssertTrue(shown.said.contains("/nonexistent/1/3/streamtop"), shown.said)
        // And a typo is caught, so that the checks above mean something.
        let typo = try verify("typo.service", plain.replacingOccurrences(of: "KillSignal=", with: "KilSignal="))
        XCTAssertTrue(typo.said.contains("Unknown key"), typo.said)
    }
}
