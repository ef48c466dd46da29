import Foundation
import XCTest
@testable import StreamCore

/// Patches applied to a tree must do exactly what they do to a `JSONValue`: the same document
/// (member order and number spelling included), the same changed flag, the same error.
final class TreePatchTests: XCTestCase {
    /// Applies `patch` both ways and checks that they agree.
    func assertAgrees(
        _ document: JSONValue, _ patch: JSONPatch, _ name: String = "",
        file: StaticString = #filePath, line: UInt = #line
    ) {
        var value = document
        var tree = JSONTree(document)
        let valueOutcome = Result { () throws(PatchError) in try value.apply(patch) }
        let treeOutcome = Result { () throws(PatchError) in try tree.apply(patch) }
        XCTAssertEqual(treeOutcome, valueOutcome, name, file: file, line: line)
        XCTAssertEqual(JSONWriter.string(tree.value), JSONWriter.string(value), name, file: file, line: line)
    }

    func testConformanceSuitesAgreeWithTheValuePatch() throws {
        for file in ["tests.json", "spec_tests.json"] {
            let url = JSONPatchConformanceTests.fixtures.appendingPathComponent(file)
            guard case .array(let records) = try JSONParser.parse(String(contentsOf: url, encoding: .utf8)) else {
                return XCTFail("not an array")
            }
            var applied = 0
            for (index, record) in records.enumerated() {
                guard let doc = record["doc"], let json = record["patch"], let patch = try? JSONPatch(json: json) else {
                    continue
                }
                assertAgrees(doc, patch, "\(file)#\(index)")
                var tree = JSONTree(doc)
                if let expected = record["expected"], record["disabled"] != .bool(true) {
                    XCTAssertNoThrow(try tree.apply(patch), "\(file)#\(index)")
                    XCTAssertEqual(tree.value, expected, "\(file)#\(index)")
                }
                applied += 1
            }
            XCTAssertGreaterThan(applied, 15)
        }
    }

    func testTheValuePatchTestsCasesAgree() throws {
        let document: JSONValue = [
            "a": ["b": 1], "list": [1, 2], "k3": ["x": 1, "y": 2], "k4": "s", "": 0, "m~n": [true],
        ]
        let patches = [
            #"[{"op":"remove","path":""}]"#, #"[{"op":"add","path":"/x/y","value":1}]"#,
            #"[{"op":"add","path":"/a/b/c","value":1}]"#, #"[{"op":"add","path":"/list/01","value":1}]"#,
            #"[{"op":"add","path":"/list/3","value":1}]"#, #"[{"op":"replace","path":"/list/-","value":1}]"#,
            #"[{"op":"move","from":"/a","path":"/a/c"}]"#, #"[{"op":"move","from":"/zz","path":"/zz"}]"#,
            #"[{"op":"test","path":"/list","value":[1]}]"#,
            #"[{"op":"test","path":"/list/99999999999999999999","value":1}]"#,
            #"[{"op":"remove","path":"/a"},{"op":"add","path":"/list/1","value":"new"},"#
                + #"{"op":"remove","path":"/list/0"},"#
                + #"{"op":"replace","path":"/k3/x","value":9},{"op":"remove","path":"/k3/x"},{"op":"add","path":"/k5","#
                + #""value":5},{"op":"move","from":"/k4","path":"/k3/z"},{"op":"copy","from":"/k3","path":"/list/0"},"#
                + #"{"op":"replace","path":"","value":[1]},{"op":"add","path":"/0","value":0},"#
                + #"{"op":"test","path":"/0","value":1}]"#,
            #"[{"op":"test","path":"/a","value":{"b":1.0}}]"#, #"[{"op":"replace","path":"/a/b","value":1.0}]"#,
            #"[{"op":"add","path":"/","value":"empty key"}]"#, #"[{"op":"add","path":"/m~0n/-","value":null}]"#,
            #"[{"op":"move","from":"/m~0n","path":"/m~0n"}]"#, #"[{"op":"copy","from":"/list","path":"/list/-"}]"#,
            #"[{"op":"test","path":"","value":{}}]"#,
            #"[{"op":"add","path":"/a long member name","value":"long value"}]"#,
        ]
        for text in patches { assertAgrees(document, try JSONPatch(text: text), text) }
    }

    func testReadingAPatchTreeGivesTheSameOperationsAndErrors() throws {
        let texts = [
            #"{"op":"add"}"#, #"[1]"#, #"[{"path":"/a"}]"#, #"[{"op":3,"path":"/a"}]"#, #"[{"op":"frob","path":"/a"}]"#,
            #"[{"op":"add","value":1}]"#, #"[{"op":"add","path":null,"value":1}]"#, #"[{"op":"add","path":"/a"}]"#,
            #"[{"op":"move","path":"/a"}]"#, #"[{"op":"add","path":"a","value":1}]"#,
            #"[{"op":"test","path":"/~2","value":1}]"#, #"[{"op":"copy","from":"/~","path":"/a"}]"#,
            #"[{"op":"move","from":"/a~1b/~0/","path":"//x"},{"op":"remove","path":"/m~0n/0"}]"#,
            #"[{"op":"replace","path":"/a","value":{"x":[1,"long string value"]},"extra":true}]"#,
            #"[{"op":"test","path":"","value":null},{"op":"remove","path":"/a","from":"ignored"}]"#, "[]",
            #"[{"op":"replaced","path":"/a","value":1}]"#, #"[{"op":"add","path":"/a","value":1}, "x"]"#,
        ]
        for text in texts {
            let json = try JSONParser.parse(text)
            let expected = Result { () throws(PatchError) in try JSONPatch(json: json) }
            let read = Result { () throws(PatchError) in try TreePatch(tree: JSONTree(json)) }
            switch (expected, read) {
            case (.success(let patch), .success(let treePatch)):
                XCTAssertEqual(treePatch.count, patch.count, text)
                for (i, operation) in patch.operations.enumerated() {
                    let mine = treePatch.operations[i]
                    XCTAssertEqual(mine.kind.name, operation.name, text)
                    XCTAssertEqual(treePatch.text(mine.path), operation.path.description, text)
                }
                let document: JSONValue = ["a": 1, "a/b": ["~": ["": 2]], "m~n": [3]]
                var value = document
                var tree = JSONTree(document)
                let valueOutcome = Result { () throws(PatchError) in try value.apply(patch) }
                XCTAssertEqual(Result { () throws(PatchError) in try tree.apply(treePatch) }, valueOutcome, text)
                XCTAssertEqual(tree.value, value, text)
            case (.failure(let error), .failure(let mine)):
                XCTAssertEqual(mine, error, text)
            default:
                XCTFail("\(text): \(expected) vs \(read)")
            }
        }
    }

    func testTheWordsOfNamesAreTheirSlots() {
        let members: [(UInt64, StaticString)] = [
            (TreePatch.Member.op, "op"), (TreePatch.Member.path, "path"), (TreePatch.Member.from, "from"),
            (TreePatch.Member.value, "value"),
        ]
        for (word, name) in members { XCTAssertEqual(word, TreePatch.Member.word(name), "\(name)") }
        for kind in [TreePatch.Kind.add, .remove, .replace, .move, .copy, .test] {
            XCTAssertEqual(TreePatch.Kind(JSONTree.Slot(raw: kind.word)), kind, kind.name)
        }
        XCTAssertNil(TreePatch.Kind(JSONTree.Slot(raw: TreePatch.Member.op)))
    }

    func testCopyBudgetIsCountedAlike() throws {
        var tree = JSONTree(["a": [1, [2, 3], ["k": 4]]])
        var budget = 7
        let first = TreePatch(try JSONPatch(text: #"[{"op":"copy","from":"/a","path":"/b"}]"#))
        XCTAssertNoThrow(try tree.apply(first, copyBudget: &budget))
        XCTAssertEqual(budget, 0, "the array, its three elements, the two numbers in one and the member of the other")
        let second = TreePatch(try JSONPatch(text: #"[{"op":"copy","from":"/a","path":"/c"}]"#))
        XCTAssertThrowsError(try tree.apply(second, copyBudget: &budget)) {
            XCTAssertTrue("\($0)".contains("copy refused"), "\($0)")
        }
        XCTAssertEqual(tree.value, ["a": [1, [2, 3], ["k": 4]], "b": [1, [2, 3], ["k": 4]]])
    }

    func testRandomPatchesAgreeWithTheValuePatch() throws {
        var generator = JSONGenerator(seed: 44)
        for round in 0..<3_000 {
            let document = generator.value()
            var operations: [PatchOperation] = []
            for _ in 0..<generator.int(1..<6) { operations.append(generator.operation(in: document)) }
            assertAgrees(document, JSONPatch(operations), "round \(round)")
        }
    }

    func testDiffsOfRandomEditsApplyToTrees() throws {
        var generator = JSONGenerator(seed: 45)
        for round in 0..<2_000 {
            let a = generator.value()
            let b = generator.mutate(a)
            var tree = JSONTree(a)
            XCTAssertNoThrow(try tree.apply(JSONDiff.diff(from: a, to: b)), "round \(round)")
            XCTAssertEqual(tree.value, b, "round \(round)")
        }
    }

    func testThousandsOfPatchesKeepTheTreeSmall() throws {
        var list: [JSONValue] = []
        for i in 0..<100 {
            let name = JSONValue.string("a longer name \(i)")
            list.append(["symbol": .string("SYM\(i)"), "price": .number(JSONNumber(i)), "name": name])
        }
        var tree = JSONTree(["quotes": .array(list)])
        var value = tree.value
        let start = tree.words.count + tree.bytes.count
        for i in 0..<20_000 {
            let text = #"[{"op":"replace","path":"/quotes/\#(i % 100)/name","value":"renamed \#(i)"},"#
                + #"{"op":"add","path":"/quotes/\#(i % 100)/extra","value":[\#(i)]},"#
                + #"{"op":"remove","path":"/quotes/\#(i % 100)/extra"}]"#
            let patch = try JSONPatch(text: text)
            try tree.apply(patch)
            try value.apply(patch)
        }
        XCTAssertEqual(tree.value, value)
        XCTAssertLessThan(tree.words.count + tree.bytes.count, 3 * start + 4096 + 16384, "garbage is collected")
    }
}

final class TreePatchDepthTests: XCTestCase {
    /// Each patch within the parser's depth limit, the document nested deeper by each: refused
    /// at the limit with a clear error (every walk of a deeper document would recurse past what a
    /// thread's stack holds), the document untouched.
    func testPatchesCannotNestTheDocumentPastTheParsersLimit() throws {
        let level = String(repeating: #"{"a":"#, count: 100) + "0" + String(repeating: "}", count: 100)
        var document = Document()
        _ = try document.consume(SSEEvent(type: "data", data: level, lastEventID: "")).get()
        var path = ""
        var refused: DocumentError?
        for round in 1...6 {
            path += String(repeating: "/a", count: 100)
            let patch = #"[{"op":"add","path":"\#(path)","value":\#(level)}]"#
            switch document.consume(SSEEvent(type: "patch", data: patch, lastEventID: "\(round)")) {
            case .success: continue
            case .failure(let error): refused = error
            }
            break
        }
        let error = try XCTUnwrap(refused)
        XCTAssertTrue(error.reason.contains("would nest more than 512 containers"), error.reason)
        XCTAssertEqual(error.lastEventID, "5", "500 levels pass, 600 do not")
        let tree = try XCTUnwrap(document.tree)
        XCTAssertEqual(tree.nesting(tree.root, upTo: 1_000), 500)
        // Moving or copying a deep value below itself elsewhere is refused the same way.
        var deep = JSONTree(try JSONParser.parse(#"{"x":\#(level),"y":\#(level),"z":[]}"#))
        let sink = String(repeating: "/a", count: 99)
        let copy = TreePatch(try JSONPatch(text: #"[{"op":"copy","from":"/x","path":"/y\#(sink)"}]"#))
        XCTAssertNoThrow(try deep.apply(copy))
        for _ in 0..<3 {
            let more = TreePatch(try JSONPatch(text: #"[{"op":"copy","from":"/y","path":"/x\#(sink)"}]"#))
            _ = try? deep.apply(more)
        }
        XCTAssertLessThanOrEqual(deep.nesting(deep.root, upTo: 1_000), 512)
    }
}
