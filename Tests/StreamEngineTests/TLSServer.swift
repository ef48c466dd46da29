import Foundation
import XCTest

/// A real HTTPS server for the certificate tests: `openssl s_server -WWW` serving files from a
/// temporary directory, with a certificate for 127.0.0.1 signed by a CA made for the test
/// (`caFile`), which no system trusts. Needs the `openssl` command (`.ci/run` installs it).
final class TLSServer {
    let directory: String
    let port: UInt16
    private let process: Process

    var caFile: String { directory + "/ca.pem" }
    var baseURL: String { "https://127.0.0.1:\(port)" }

    /// Serves `files` (name → content) from the server's directory.
    init(files: [String: String]) throws {
        let name = "streamtop-tls-\(UUID().uuidString)"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try TLSServer.openssl(
            ["req", "-x509"] + key + ["-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=streamtop test CA"]
                + ["-days", "2"],
            in: directory)
        try TLSServer.openssl(
            ["req"] + key + ["-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=127.0.0.1"]
                + ["-addext", "subjectAltName=IP:127.0.0.1"],
            in: directory)
        try TLSServer.openssl(
            ["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"]
                + ["-out", "leaf.pem", "-days", "2", "-copy_extensions", "copy"],
            in: directory)
        for (name, content) in files {
            try content.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }

        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", "leaf.pem", "-key", "leaf.key"]
            + ["-WWW"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // It says where it listens once it does: "ACCEPT 127.0.0.1:PORT".
        var text = ""
        var port: UInt16?
        while port == nil {
            let data = output.fileHandleForReading.availableData
            guard !data.isEmpty else { break }
            text += String(decoding: data, as: UTF8.self)
            port = text.split(separator: "\n").lazy.compactMap { line in
                line.hasPrefix("ACCEPT ") ? line.split(separator: ":").last.flatMap { UInt16($0) } : nil
            }.first
        }
        guard let port else {
            process.terminate()
            throw TLSServerError(message: "openssl s_server did not start: \(text)")
        }
        self.port = port
        // What it says about each connection is read and dropped, so the pipe never fills.
        output.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
    }

    func stop() {
        (process.standardOutput as? Pipe)?.fileHandleForReading.readabilityHandler = nil
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func openssl(_ arguments: [String], in directory: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let command = "openssl " + arguments.prefix(2).joined(separator: " ")
            throw TLSServerError(message: "\(command) failed (is the openssl command installed?)")
        }
    }
}

struct TLSServerError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
