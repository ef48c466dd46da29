import Foundation
import XCTest
@testable import StreamCore

/// Runs every record of the public JSON Patch conformance suites (Tests/Fixtures/json-patch,
/// copied from ../shared/conformance with its licence).
final class JSONPatchConformanceTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/json-patch")

    struct Outcome {
        var passed = 0
        var skipped = 0
        var results = 0
        var errors = 0
    }

    func run(_ file: String) throws -> Outcome {
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent(file), encoding: .utf8)
        guard case .array(let records) = try JSONParser.parse(text) else { throw XCTSkip("not an array") }
        var outcome = Outcome()
        for (index, record) in records.enumerated() {
            let name = "\(file)#\(index) \(record["comment"]?.stringValue ?? "")"
            guard let doc = record["doc"], let patchJSON = record["patch"] else {
                outcome.skipped += 1
                continue
            }
            if record["disabled"] == .bool(true) {
                outcome.skipped += 1
                continue
            }
            var document = doc
            do {
                let patch = try JSONPatch(json: patchJSON)
                try document.apply(patch)
                if let expected = record["expected"] {
                    XCTAssertEqual(document, expected, name)
                    outcome.results += 1
                } else {
                    XCTAssertNil(record["error"], "\(name): expected an error, got \(document)")
                }
            } catch {
                XCTAssertNotNil(record["error"], "\(name): unexpected error \(error)")
                XCTAssertEqual(document, doc, "\(name): a failed patch must leave the document untouched")
                // Error messages must be specific: the operation index is named when one failed.
                XCTAssertFalse(error.description.isEmpty)
                outcome.errors += 1
            }
            outcome.passed += 1
        }
        return outcome
    }

    func testMainSuite() throws {
        let outcome = try run("tests.json")
        XCTAssertEqual(outcome.passed, 92)
        XCTAssertEqual(outcome.results, 62)
        XCTAssertEqual(outcome.errors, 30)
        XCTAssertEqual(outcome.skipped, 3)
    }

    func testSpecSuite() throws {
        let outcome = try run("spec_tests.json")
        XCTAssertEqual(outcome.passed, 16)
        XCTAssertEqual(outcome.results, 12)
        XCTAssertEqual(outcome.errors, 4)
        XCTAssertEqual(outcome.skipped, 1)
    }

    /// The disabled records pass too: a bare scalar document, `test` of the whole document,
    /// and (with duplicate-key rejection, which our own parser can do) a repeated "op".
    func testDisabledRecordsAlsoBehave() throws {
        var scalar: JSONValue = "foo"
        try scalar.apply(JSONPatch(text: #"[{"op":"replace","path":"","value":"bar"}]"#))
        XCTAssertEqual(scalar, "bar")
        var whole: JSONValue = ["foo": 1]
        XCTAssertNoThrow(try whole.apply(JSONPatch(text: #"[{"op":"test","path":"","value":{"foo":1}}]"#)))
        let duplicated = #"[{"op":"move","path":"/baz","value":"qux","op":"remove"}]"#
        XCTAssertThrowsError(try JSONParser.parse(duplicated, options: .init(duplicateKeys: .reject))) { error in
            XCTAssertEqual((error as? JSONParseError)?.reason, .duplicateKey("op"))
        }
    }
}
