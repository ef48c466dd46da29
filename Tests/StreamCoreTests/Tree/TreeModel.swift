import XCTest
@testable import StreamCore

/// A tree next to the `JSONValue` it must stay equal to, patched both ways: the reference
/// (`JSONValue.apply`) and the tree's own in-place patching.
struct TreeModel {
    var tree: JSONTree
    var value: JSONValue
    var treeBudget = JSONValue.copyLimit
    var valueBudget = JSONValue.copyLimit

    init(_ value: JSONValue) {
        self.value = value
        tree = JSONTree(value)
    }

    /// Applies `patch` both ways and checks that the outcome (changed flag or error, word for
    /// word), the document, its text (member order, number spelling) and the copy budget agree,
    /// and that the tree's storage is sound.
    @discardableResult
    mutating func apply(
        _ patch: JSONPatch, _ name: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line
    ) -> Result<Bool, PatchError> {
        let expected = Result { () throws(PatchError) in try value.apply(patch, copyBudget: &valueBudget) }
        let treePatch = TreePatch(patch)
        let outcome = Result { () throws(PatchError) in try tree.apply(treePatch, copyBudget: &treeBudget) }
        XCTAssertEqual(outcome, expected, name(), file: file, line: line)
        XCTAssertEqual(treeBudget, valueBudget, name(), file: file, line: line)
        assertAgrees(name(), file: file, line: line)
        return expected
    }

    func assertAgrees(_ name: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(JSONWriter.string(tree), JSONWriter.string(value), name(), file: file, line: line)
        XCTAssertEqual(tree.value, value, name(), file: file, line: line)
        if let problem = tree.storageProblem() { XCTFail("\(name()): \(problem)", file: file, line: line) }
    }
}

extension JSONTree {
    /// What is wrong with the storage of the live document, if anything: a container's entries
    /// or a scalar's bytes outside their arrays, or two containers whose room overlaps (an
    /// edit of one would change the other).
    func storageProblem() -> String? {
        var ranges: [(Int, Int)] = []
        var problem: String?
        func visit(_ slot: Slot, _ path: String) {
            guard problem == nil else { return }
            switch slot.kind {
            case .null, .true, .false:
                if slot.raw & ~7 != 0 { problem = "\(path): stray bits in \(slot.raw)" }
            case .string, .number:
                if slot.isInline {
                    if slot.count > Slot.maxInline || slot.inlineBytes >> (8 * UInt64(slot.count)) != 0 {
                        problem = "\(path): inline scalar \(slot.raw) has bytes past its count"
                    }
                } else if slot.count <= Slot.maxInline || slot.offset + slot.count > bytes.count {
                    problem = "\(path): out-of-line scalar \(slot.count)@\(slot.offset) of \(bytes.count) bytes"
                }
            case .array, .object:
                guard slot.count > 0 || slot.isInline else { return }
                // A grown container's room is written in the word before its entries.
                let start = slot.isInline ? slot.offset - 1 : slot.offset
                guard start > 0, slot.offset < words.count, room(slot) >= slot.count else {
                    problem = "\(path): entries at \(slot.offset) of \(words.count) words, count \(slot.count)"
                    return
                }
                let end = slot.offset + room(slot) * slot.stride
                guard end <= words.count else {
                    problem = "\(path): entries \(start)..<\(end) outside \(words.count) words"
                    return
                }
                ranges.append((start, end))
                for i in 0..<slot.count {
                    if slot.kind == .object {
                        let key = self.key(slot, i)
                        if key.kind != .string { problem = "\(path): key \(i) is a \(key.kind)" }
                        visit(key, path + "/key\(i)")
                        visit(memberValue(slot, i), path + "/" + string(key))
                    } else {
                        visit(element(slot, i), path + "/\(i)")
                    }
                }
            }
        }
        visit(root, "")
        if let problem { return problem }
        ranges.sort { $0.0 < $1.0 }
        for (a, b) in zip(ranges, ranges.dropFirst()) where b.0 < a.1 {
            return "containers' entries overlap: \(a.0)..<\(a.1) and \(b.0)..<\(b.1)"
        }
        return nil
    }
}
