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
}
