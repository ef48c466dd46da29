import Foundation
import XCTest
@testable import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// The registry file as people and other programs leave it: keys given twice, fields this
/// streamtop does not know, a symbolic link, temporary files of a writer that was killed.
final class RegistryFileTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.path + "/streamtop-registry-file-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    /// A key given twice, at any depth, is an error naming the file, where and which key; the
    /// file is not overwritten by the next change.
    func testDuplicateKeysAreRejectedAtAnyDepth() throws {
        let path = directory + "/streams.json"
        let file = RegistryFile(path: path)
        let once = "each key may appear only once in an object"
        let twoLists = """
            {"version": 1,
             "streams": [{"id": "a", "name": "A", "url": "http://h/"}],
             "streams": []}

            """
        try write(twoLists, to: path)
        XCTAssertThrowsError(try file.load()) { error in
            XCTAssertEqual("\(error)", "\(path): 3:2: duplicate key \"streams\": \(once)")
        }
        XCTAssertThrowsError(try file.change { (registry: inout Registry) throws(SpecError) in
            try registry.add(StreamSpec(id: "b", name: "B", url: "http://h/b"))
        })
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), twoLists, "the first list is not lost")

        try write(#"{"streams": [{"id": "a", "name": "A", "url": "http://h/", "headers": {"X-A": "1", "X-A": "2"}}]}"#,
                  to: path)
        XCTAssertThrowsError(try file.load()) { error in
            XCTAssertEqual("\(error)", "\(path): 1:83: duplicate key \"X-A\": \(once)")
        }
    }

    /// A registry written by a newer streamtop, or by hand with fields of its own, keeps them
    /// through adds, removes and edits.
    func testFieldsThisStreamtopDoesNotKnowAreKept() throws {
        let path = directory + "/streams.json"
        let file = RegistryFile(path: path)
        try write("""
            {"version": 1, "comment": "managed by ops", "x-future": {"shards": 3},
             "streams": [
               {"id": "a", "name": "A", "url": "http://h/a", "labels": ["eu", "prod"], "retention": 7,
                "notify": {"webhook": "https://hooks.example.com/x", "channel": "#ops"}},
               {"id": "b", "name": "B", "url": "http://h/b", "owner": "team-b"}
             ]}
            """, to: path)
        try file.change { (registry: inout Registry) throws(SpecError) in
            try registry.add(StreamSpec(id: "c", name: "C", url: "http://h/c"))
            _ = registry.remove(id: "b")
            // An edit from a spec built afresh (as the monitor's form does from an older copy).
            let notify = NotifySpec(webhook: "https://hooks.example.com/y")
            try registry.update(StreamSpec(id: "a", name: "A renamed", url: "http://h/a", notify: notify))
        }
        try file.setAutostart(id: "a", true)
        let saved = try JSONParser.parse(Array(try String(contentsOfFile: path, encoding: .utf8).utf8))
        XCTAssertEqual(saved["comment"], "managed by ops")
        XCTAssertEqual(saved["x-future"], ["shards": 3])
        let a = try XCTUnwrap(saved["streams"]?[0])
        XCTAssertEqual(a["name"], "A renamed")
        XCTAssertEqual(a["autostart"], true)
        XCTAssertEqual(a["labels"], ["eu", "prod"])
        XCTAssertEqual(a["retention"], 7)
        XCTAssertEqual(a["notify"]?["webhook"], "https://hooks.example.com/y")
        XCTAssertEqual(a["notify"]?["channel"], "#ops")
        XCTAssertEqual(saved["streams"]?.arrayValue?.map { $0["id"] }, ["a", "c"])
        XCTAssertNil(saved["streams"]?[1]?["owner"], "a new stream has none")
    }

    /// A registry kept elsewhere and linked into place (a dotfiles repository) stays linked:
    /// saves replace the file the link points to, through a chain of relative links too.
    func testSavesWriteThroughSymbolicLinks() throws {
        let files = FileManager.default
        let dotfiles = directory + "/dotfiles", config = directory + "/config"
        try files.createDirectory(atPath: dotfiles, withIntermediateDirectories: true)
        try files.createDirectory(atPath: config, withIntermediateDirectories: true)
        try write(#"{"streams": [{"id": "a", "name": "A", "url": "http://h/a"}]}"#, to: dotfiles + "/streams.json")
        XCTAssertEqual(symlink("../dotfiles/streams.json", config + "/linked.json"), 0)
        XCTAssertEqual(symlink("linked.json", config + "/streams.json"), 0)
        let file = RegistryFile(path: config + "/streams.json")
        try file.change { (registry: inout Registry) throws(SpecError) in
            try registry.add(StreamSpec(id: "b", name: "B", url: "http://h/b"))
        }
        XCTAssertEqual(try files.destinationOfSymbolicLink(atPath: config + "/streams.json"), "linked.json")
        XCTAssertEqual(try files.destinationOfSymbolicLink(atPath: config + "/linked.json"), "../dotfiles/streams.json")
        XCTAssertEqual(try RegistryFile(path: dotfiles + "/streams.json").load().streams.map(\.id), ["a", "b"])
        let mode = try files.attributesOfItem(atPath: dotfiles + "/streams.json")[.posixPermissions]
        XCTAssertEqual((mode as? NSNumber)?.intValue, 0o600)
        XCTAssertEqual(try files.contentsOfDirectory(atPath: dotfiles).filter { $0.contains(".tmp-") }, [])
    }

    /// A writer killed mid-save leaves `.streams.json.tmp-<pid>-<random>`, credentials and
    /// all; the next save removes it. Files of live processes are theirs.
    func testTemporaryFilesOfKilledWritersAreRemoved() throws {
        let path = directory + "/streams.json"
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let killed = ".streams.json.tmp-\(ended.processIdentifier)-12345"
        let live = [".streams.json.tmp-\(getpid())-1", ".streams.json.tmp-1-2", "streams.json.bak"]
        for name in [killed] + live {
            let registry = #"{"streams": [{"id": "a", "name": "A", "url": "http://h/", "headers": {"Cookie": "x"}}]}"#
            try write(registry, to: directory + "/" + name)
        }
        try RegistryFile(path: path).change { (registry: inout Registry) throws(SpecError) in
            try registry.add(StreamSpec(id: "b", name: "B", url: "http://h/b"))
        }
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        XCTAssertEqual(left, Set(live + ["streams.json", ".streams.json.lock"]))
    }
}
