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
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-registry-file-\(UUID().uuidString)").path
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
        let twoLists = """
            {"version": 1,
             "streams": [{"id": "a", "name": "A", "url": "http://h/"}],
             "streams": []}

            """
        try write(twoLists, to: path)
        XCTAssertThrowsError(try file.load()) { error in
            XCTAssertEqual("\(error)", "\(path): 3:2: duplicate key \"streams\": each key may appear only once in an object")
        }
        XCTAssertThrowsError(try file.change { (registry: inout Registry) throws(SpecError) in
            try registry.add(StreamSpec(id: "b", name: "B", url: "http://h/b"))
        })
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), twoLists, "the first list is not lost")

        try write(#"{"streams": [{"id": "a", "name": "A", "url": "http://h/", "headers": {"X-A": "1", "X-A": "2"}}]}"#, to: path)
        XCTAssertThrowsError(try file.load()) { error in
            XCTAssertEqual("\(error)", "\(path): 1:83: duplicate key \"X-A\": each key may appear only once in an object")
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
}
