import XCTest
@testable import StreamCore

/// Parses `bytes` with `JSONParser` and into a `JSONTree`, and asserts that both come to the same
/// outcome: the same value, written to the same text (member order and number spelling kept),
/// or the same error, reason and offset. The one difference allowed is memory: a tree takes far
/// less than `JSONValue`s, so it may parse what the parser refuses for memory (then it must hold
/// the value the parser gives without the limit), never the other way round.
/// Returns the tree, when it parsed.
@discardableResult
func assertTreeAgrees(
    _ bytes: [UInt8], options: JSONParser.Options = .init(), _ message: @autoclosure () -> String = "",
    file: StaticString = #filePath, line: UInt = #line
) -> JSONTree? {
    var parsed = Result { () throws(JSONParseError) in try JSONParser.parse(bytes, options: options) }
    let tree = Result { () throws(JSONParseError) in try JSONTree(parsing: bytes, options: options) }
    func what() -> String { "\(message()) \(String(decoding: bytes.prefix(80), as: UTF8.self).debugDescription)" }
    if case .failure(let error) = parsed, case .tooMuchMemory = error.reason {
        if case .failure(let treeError) = tree, case .tooMuchMemory = treeError.reason { return nil }
        // The tree must come to what the parser comes to without the limit.
        var unlimited = options
        unlimited.maxMemoryBytes = .max
        unlimited.maxMemoryPerTextByte = .max
        parsed = Result { () throws(JSONParseError) in try JSONParser.parse(bytes, options: unlimited) }
    }
    switch (parsed, tree) {
    case let (.success(value), .success(tree)):
        assertSameValue(tree, value, what(), file: file, line: line)
    case let (.failure(error), .success):
        XCTFail("the tree accepted what the parser refused: \(error); \(what())", file: file, line: line)
    case let (.success, .failure(error)):
        XCTFail("the tree refused what the parser accepted: \(error); \(what())", file: file, line: line)
    case let (.failure(expected), .failure(error)):
        XCTAssertEqual(error, expected, what(), file: file, line: line)
    }
    return try? tree.get()
}

func assertTreeAgrees(
    _ text: String, options: JSONParser.Options = .init(), _ message: @autoclosure () -> String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    assertTreeAgrees(Array(text.utf8), options: options, message(), file: file, line: line)
}

/// The tree holds `value`, written alike, and keeps a tree's invariants.
func assertSameValue(_ tree: JSONTree, _ value: JSONValue, _ message: String, file: StaticString, line: UInt) {
    XCTAssertEqual(tree.value, value, message, file: file, line: line)
    XCTAssertEqual(JSONWriter.data(tree.value), JSONWriter.data(value), message, file: file, line: line)
    XCTAssertEqual(tree, JSONTree(value), message, file: file, line: line)
    XCTAssertEqual(tree.words.first, 0, "word 0 is unused", file: file, line: line)
    assertWellFormed(tree.root, in: tree, message, file: file, line: line)
}

/// Every string and number of up to 7 bytes is in its slot and every longer one out of it;
/// containers as parsed are exact, the empty ones at offset 0; all of it within the storage.
func assertWellFormed(_ slot: JSONTree.Slot, in tree: JSONTree, _ message: String, file: StaticString, line: UInt) {
    if let problem = problem(slot, in: tree) { XCTFail("\(problem): \(message)", file: file, line: line) }
}

/// What is wrong with the slot or its entries, if anything.
private func problem(_ slot: JSONTree.Slot, in tree: JSONTree) -> String? {
    switch slot.kind {
    case .null, .true, .false:
        return slot.raw >> 3 == 0 ? nil : "a literal with bits set: \(slot.raw)"
    case .string, .number:
        if slot.isInline { return slot.count <= JSONTree.Slot.maxInline ? nil : "inline of \(slot.count) bytes" }
        if slot.count <= JSONTree.Slot.maxInline { return "out of line of \(slot.count) bytes" }
        return slot.offset + slot.count <= tree.bytes.count ? nil : "bytes past the end"
    case .array, .object:
        if slot.isInline { return "a parsed container marked grown" }
        if slot.count == 0 { return slot.offset == 0 ? nil : "an empty container at \(slot.offset)" }
        guard slot.offset > 0, slot.offset + slot.count * slot.stride <= tree.words.count else {
            return "entries outside the words"
        }
        for j in 0..<(slot.count * slot.stride) {
            let entry = JSONTree.Slot(raw: tree.words[slot.offset + j])
            if slot.kind == .object && j % 2 == 0 && entry.kind != .string { return "a key that is no string" }
            if let problem = problem(entry, in: tree) { return problem }
        }
        return nil
    }
}

/// The bytes that hurt JSON most: structure, escapes, UTF-8.
private let damage = Array("{}[]\":,\\u0123456789-+.eE tfn".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xED, 0xFF]

/// `text` with a byte flipped, inserted or cut off, most often one that hurts most.
func corruptJSON(_ text: [UInt8], using random: inout SeededRandom) -> [UInt8] {
    var bytes = text
    let at = Int.random(in: 0...bytes.count, using: &random)
    let byte = Int.random(in: 0..<4, using: &random) == 0
        ? UInt8.random(in: 0...255, using: &random) : damage.randomElement(using: &random)!
    switch Int.random(in: 0..<3, using: &random) {
    case 0: bytes.removeLast(bytes.count - at)
    case 1 where at < bytes.count: bytes[at] = byte
    default: bytes.insert(byte, at: at)
    }
    return bytes
}
