import Foundation
import XCTest
@testable import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// Drives the real `streamtop` executable: standard input, exit statuses, signals.
final class StreamtopBinaryTests: XCTestCase {
    /// The executable built next to the test bundle (`swift build --build-tests` builds both).
    static var executable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // `swift test` may run .../debug/streamtopPackageTests.xctest (a file or a bundle directory).
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("streamtop")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return URL(fileURLWithPath: ".build/debug/streamtop")
    }

    /// Runs the real binary to its end (in `environment`, when given, alone); its standard
    /// output and exit status.
    static func run(
        _ arguments: [String], environment: [String: String]? = nil
    ) throws -> (output: String, status: Int32) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (text, process.terminationStatus)
    }

    func launch(_ arguments: [String]) throws -> (Process, stdin: Pipe, stdout: Pipe, stderr: Pipe) {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        return (process, stdin, stdout, stderr)
    }

    /// Reads from a pipe until `predicate` holds for everything read so far (or EOF).
    func read(_ pipe: Pipe, until predicate: (String) -> Bool) -> String {
        var text = ""
        while !predicate(text) {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        return text
    }

    func testStandardInputIsReadLiveAndSIGINTEndsWithTheSummary() throws {
        let (process, stdin, stdout, _) = try launch(["tail", "--jsonl", "-"])
        stdin.fileHandleForWriting.write(Data("id: 1\ndata: {\"a\":1}\n\n".utf8))
        // The event is printed while the input is still open: wait for it, not for a timer.
        let first = read(stdout) { $0.hasSuffix("\n") }
        XCTAssertEqual(first, #"{"kind":"event","type":"message","id":"1","data":"{\"a\":1}","bytes":7}"# + "\n")
        process.interrupt()
        let rest = read(stdout) { $0.contains("summary") && $0.hasSuffix("\n") }
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(rest, #"{"kind":"summary","events":1,"bytes":21,"reconnects":0,"errors":0,"lastEventId":"1","retryMs":null}"# + "\n")
        try? stdin.fileHandleForWriting.close()
    }

    func testEndOfInputExitsZeroWithSummary() throws {
        let (process, stdin, stdout, _) = try launch(["tail", "--jsonl", "--document", "--quiet", "-"])
        stdin.fileHandleForWriting.write(Data("event: data\ndata: [1]\n\nevent: patch\ndata: [{\"op\":\"add\",\"path\":\"/-\",\"value\":2}]\n\n".utf8))
        try stdin.fileHandleForWriting.close()
        let output = read(stdout) { _ in false }
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(try JSONParser.parse(output.trimmingCharacters(in: .newlines))["document"], [1, 2])
    }

    func testExitStatuses() throws {
        let missing = try launch(["tail", "/nonexistent/streamtop-capture.sse"])
        _ = read(missing.stdout) { _ in false }
        missing.0.waitUntilExit()
        XCTAssertEqual(missing.0.terminationStatus, 1)

        let misuse = try launch(["tail", "--bogus", "x"])
        let message = read(misuse.stderr) { _ in false }
        misuse.0.waitUntilExit()
        XCTAssertEqual(misuse.0.terminationStatus, 2)
        XCTAssertEqual(message, "streamtop: unknown option '--bogus'\nRun 'streamtop tail --help' for usage.\n")
    }

    /// Scripts adding streams at once, each its own `streamtop add` process: every one is kept.
    func testConcurrentAddsFromManyProcessesAreAllKept() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-adds-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/streams.json"
        let processes = try (0..<10).map { index in
            let process = Process()
            process.executableURL = Self.executable
            process.arguments = ["add", "http://127.0.0.1:9/stream-\(index)", "--name", "stream \(index)", "--config", path]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }
        for process in processes {
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0)
        }
        XCTAssertEqual(Set(try RegistryFile(path: path).load().streams.map(\.name)), Set((0..<10).map { "stream \($0)" }))
    }

    /// Where in its run a `streamtop add` is killed: each a point the test sees it reach.
    enum KillPoint {
        case atLaunch, holdingTheLock, midWrite, afterTheRename, never
    }

    /// Kill -9 `streamtop add` at points of its run: before it has done anything, while it
    /// holds the registry's lock, while it writes the new registry (its temporary file made
    /// and not yet renamed over the old one) and just after the rename. The registry is
    /// replaced atomically, so it always reads back whole, holding exactly the streams whose
    /// save was renamed into place; the temporary files of writers killed mid-save go with the
    /// next save. A kill counts as mid-write when the writer's temporary file is still there
    /// after it died: it never reached its rename.
    func testRegistrySurvivesKillNineMidWrite() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-crash-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/streams.json"
        // A big registry makes each save take milliseconds of writing and fsync, room for a kill
        // to land inside it. The bulk is a member this streamtop does not know: saves keep it,
        // and loading it costs little (thousands of streams would make each load slow).
        let padding = String(repeating: "p", count: 8 << 20)
        try Data(#"{"version": 1, "streams": [], "padding": "\#(padding)"}"#.utf8).write(to: URL(fileURLWithPath: path))
        func temporaryFiles() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(".streams.json.tmp-") }
        }
        let plan: [KillPoint] = [
            .midWrite, .atLaunch, .midWrite, .holdingTheLock, .midWrite, .afterTheRename, .midWrite, .never,
            .midWrite, .holdingTheLock, .midWrite, .afterTheRename, .midWrite, .never,
        ]
        var registered: [String] = []  // the streams whose save was renamed into place
        var killedMidWrite = 0
        for (index, point) in plan.enumerated() {
            let watch = try DirectoryWatch(directory)
            let process = Process()
            process.executableURL = Self.executable
            process.arguments = ["add", "http://127.0.0.1:9/stream-\(index)", "--name", "stream \(index)", "--config", path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            var temporary: String?
            func killWhen(_ mask: Int32, _ prefix: String) -> String? {
                let name = watch.wait(for: mask, namedLike: prefix) { process.isRunning }
                if name != nil { kill(process.processIdentifier, SIGKILL) }
                return name
            }
            switch point {
            case .atLaunch: kill(process.processIdentifier, SIGKILL)
            case .holdingTheLock: _ = killWhen(IN_OPEN, ".streams.json.lock")
            case .midWrite: temporary = killWhen(IN_CREATE, ".streams.json.tmp-").map { directory + "/" + $0 }
            case .afterTheRename: _ = killWhen(IN_MOVED_TO, "streams.json")
            case .never: break
            }
            process.waitUntilExit()
            let completed = process.terminationReason == .exit && process.terminationStatus == 0
            let registry = try RegistryFile(path: path).load()  // never torn, never invalid
            XCTAssertEqual(registry.unknownFields["padding"]?.stringValue?.utf8.count, padding.utf8.count, "kept whole")
            let streams = registry.streams.map(\.url)
            let added = registered + ["http://127.0.0.1:9/stream-\(index)"]
            XCTAssertTrue(streams == registered || streams == added, "\(point): \(streams) after \(registered)")
            if let temporary, FileManager.default.fileExists(atPath: temporary) {
                killedMidWrite += 1
                XCTAssertEqual(streams, registered, "killed before its rename: the old registry stands")
            }
            if completed {
                XCTAssertEqual(streams, added, "its add completed")
                XCTAssertEqual(try temporaryFiles(), [], "its save removed what killed writers left")
            }
            registered = streams
        }
        let attempts = plan.filter { $0 == .midWrite }.count
        XCTAssertGreaterThanOrEqual(
            killedMidWrite, 3, "of \(attempts) kills aimed at the write, \(killedMidWrite) landed in it")
        // The temporary files of writers killed mid-save (credentials and all) go with the next save.
        let last = Process()
        last.executableURL = Self.executable
        last.arguments = ["add", "http://127.0.0.1:9/last", "--config", path]
        last.standardOutput = FileHandle.nullDevice
        try last.run()
        last.waitUntilExit()
        XCTAssertEqual(last.terminationStatus, 0)
        XCTAssertEqual(try temporaryFiles(), [])
        XCTAssertEqual(try RegistryFile(path: path).load().streams.map(\.url), registered + ["http://127.0.0.1:9/last"])
    }
}
