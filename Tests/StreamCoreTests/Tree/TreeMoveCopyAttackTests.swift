import XCTest
@testable import StreamCore

/// `move` hands a container's slot to its new place without copying its entries; `copy`
/// duplicates them. Either way, editing one place must never show in another.
final class TreeMoveCopyAttackTests: XCTestCase {
    static let document: JSONValue = [
        "a": ["x": [1, 2, 3], "y": "a long string value", "z": ["deep": ["er": [true]]]],
        "b": [],
        "list": [[0], [1, 1], "eight888", 1234567.89],
    ]

    func apply(_ texts: [String], to model: inout TreeModel, file: StaticString = #filePath, line: UInt = #line) {
        for text in texts {
            guard let patch = try? JSONPatch(text: text) else { return XCTFail(text, file: file, line: line) }
            model.apply(patch, text, file: file, line: line)
        }
    }

    func testMovedContainersAreEditedInTheirNewAndOldPlaces() {
        var model = TreeModel(TreeMoveCopyAttackTests.document)
        apply([
            #"[{"op":"move","from":"/a","path":"/b/0"},{"op":"add","path":"/a","value":{"x":"new"}}]"#,
            #"[{"op":"add","path":"/b/0/x/-","value":4},{"op":"replace","path":"/b/0/y","value":"changed too"}]"#,
            #"[{"op":"add","path":"/a/x2","value":[]},{"op":"remove","path":"/b/0/x/0"}]"#,
            #"[{"op":"move","from":"/b/0/z/deep","path":"/a/x2/0"},{"op":"add","path":"/b/0/z/deep","value":0}]"#,
            #"[{"op":"add","path":"/a/x2/0/er/0","value":"first"},{"op":"test","path":"/b/0/z/deep","value":0}]"#,
            // A container that grew (and moved to room of its own) moved again, then grown in
            // both places; then the same, undone by a failing last operation.
            #"[{"op":"add","path":"/list/0/-","value":2},{"op":"add","path":"/list/0/-","value":3},"#
                + #"{"op":"move","from":"/list/0","path":"/grown"},{"op":"add","path":"/grown/0","value":-1},"#
                + #"{"op":"add","path":"/list/0/-","value":"old place"},{"op":"add","path":"/grown/-","value":9}]"#,
            #"[{"op":"move","from":"/grown","path":"/list/0"},{"op":"add","path":"/list/0/1","value":[]},"#
                + #"{"op":"move","from":"/list/1","path":"/list/0/1/0"},{"op":"test","path":"/list/9","value":0}]"#,
            #"[{"op":"move","from":"/grown","path":"/list/0"},{"op":"add","path":"/list/0/1","value":[]},"#
                + #"{"op":"move","from":"/list/1","path":"/list/0/1/0"}]"#,
            // The whole document moved into a member, and a member made the whole document.
            #"[{"op":"move","from":"/a","path":""},{"op":"add","path":"/x","value":"root"}]"#,
            #"[{"op":"add","path":"/keep","value":{"k":[1]}},{"op":"move","from":"/keep","path":""},"#
                + #"{"op":"add","path":"/k/-","value":2},{"op":"remove","path":"/nothing"}]"#,
        ], to: &model)
    }

    func testAValueIsNeverMovedIntoItself() {
        var model = TreeModel(TreeMoveCopyAttackTests.document)
        apply([
            #"[{"op":"move","from":"/a","path":"/a/x/0"}]"#, #"[{"op":"move","from":"","path":"/a"}]"#,
            #"[{"op":"move","from":"/a","path":"/a/z/deep/er/-"}]"#, #"[{"op":"move","from":"/a/x","path":"/a/x"}]"#,
            #"[{"op":"move","from":"/a/x/9","path":"/a/x/9"}]"#, #"[{"op":"move","from":"/a/x/-","path":"/a/x/-"}]"#,
            #"[{"op":"move","from":"/a","path":"/ab"},{"op":"move","from":"/ab","path":"/a"}]"#,
            #"[{"op":"move","from":"/list/0","path":"/list/0/0"}]"#,
            #"[{"op":"move","from":"/list/1","path":"/list/10"}]"#,
            #"[{"op":"move","from":"/list/1","path":"/list/3"},{"op":"move","from":"/list/3","path":"/list/0"}]"#,
        ], to: &model)
    }

    func testACopyAndItsOriginalAreEditedApart() {
        var model = TreeModel(TreeMoveCopyAttackTests.document)
        apply([
            #"[{"op":"copy","from":"/a","path":"/c"},{"op":"add","path":"/c/x/0","value":0}]"#,
            #"[{"op":"replace","path":"/a/z/deep/er/0","value":false},{"op":"add","path":"/c/z/deep/new","value":1}]"#,
            #"[{"op":"add","path":"/a/x/-","value":4},{"op":"add","path":"/a/x/-","value":5},"#
                + #"{"op":"copy","from":"/a/x","path":"/c/x"},{"op":"add","path":"/a/x/-","value":6},"#
                + #"{"op":"add","path":"/c/x/-","value":"copy"},{"op":"remove","path":"/a/x/0"}]"#,
            #"[{"op":"copy","from":"/c","path":"/c/self"},{"op":"add","path":"/c/self/x/0","value":"inner"}]"#,
            #"[{"op":"copy","from":"","path":"/root"},{"op":"add","path":"/root/a/x/-","value":7},"#
                + #"{"op":"add","path":"/a/y2","value":"a long string, again"},{"op":"remove","path":"/root/list"}]"#,
            #"[{"op":"copy","from":"/list","path":"/list/0"},{"op":"copy","from":"/list","path":"/list/-"},"#
                + #"{"op":"add","path":"/list/0/0/-","value":"deep"},{"op":"test","path":"/list/1","value":[0]}]"#,
        ], to: &model)
    }

    /// Copies of the document into itself double it each time: the copy budget refuses one
    /// before memory runs out, in one patch or over many, and what a refused patch built is
    /// dropped.
    func testCopyingTheRootIntoItselfIsRefusedBeforeMemoryRunsOut() throws {
        let budget = 200_000
        let doubling = (0..<40).map { #"{"op":"copy","from":"","path":"/c\#($0)"}"# }
        var model = TreeModel(["a": [1, "a long string value", [2.5]]])
        model.treeBudget = budget
        model.valueBudget = budget
        let start = model.tree.words.count
        model.apply(try JSONPatch(text: "[" + doubling.joined(separator: ",") + "]"), "in one patch")
        XCTAssertEqual(model.tree.words.count, start, "the copies are dropped")
        XCTAssertLessThan(model.treeBudget, budget, "what the refused patch copied counts, as in the reference")
        model.treeBudget = budget
        model.valueBudget = budget
        XCTAssertLessThan(model.tree.memoryBytes, 16 * 2 * budget + 65_536, "\(model.tree.memoryBytes) bytes")
        var refused = false
        for (i, copy) in doubling.enumerated() where !refused {
            let patch = try JSONPatch(text: "[" + copy + "]")
            if case .failure(let error) = model.apply(patch, "patch \(i)") {
                XCTAssertTrue(error.reason.hasPrefix("copy refused"), error.reason)
                refused = true
            }
        }
        XCTAssertTrue(refused)
        XCTAssertLessThan(model.tree.words.count, 2 * budget + 4 * 4096, "live copies and bounded garbage")
        XCTAssertLessThan(model.tree.memoryBytes, 16 * 2 * budget + 65_536, "\(model.tree.memoryBytes) bytes")
    }
}
