import XCTest
@testable import StreamCore

/// Keys, strings and numbers at the tree's edges: in the slot up to 7 bytes, out of line from
/// 8; keys alike but for a trailing NUL or their normalization; numbers of one value in many
/// spellings. Every operation on them agrees with the reference, and tree equality and hashing
/// agree with `JSONValue`'s.
final class TreeScalarAttackTests: XCTestCase {
    static let keys = [
        "", "\u{0}", "\u{0}\u{0}", "a", "a\u{0}", "abcdefg", "abcdefg\u{0}", "abcdefgh", "abcdefghi",
        "/", "~", "~0", "~1", "a/b", "m~n", "~~~~~~~", "///////", "é", "e\u{301}", "日本", "日本x", "日本xy",
        "日本語", "😀", "😀😀", "K", "\u{212A}", "\"", "\\", "0", "-", "01", "1", "\n\t", "\u{7F}\u{85}",
    ]

    static let scalars: [JSONValue] = {
        let numbers = [
            "0", "-0", "0.0", "-0.0", "0e0", "1", "1.0", "1e0", "1E0", "1e+0", "10e-1", "0.1e1", "100", "1e2",
            "1234567", "12345678", "1.2345678e7", "123456789012", "0.1", "1e-1", "-1", "-1.0",
            "12345678901234567890123", "1.2345678901234567890123e22", "9007199254740993", "9007199254740992",
            "1e400", "1e-400", "3.14159", "314159e-5",
        ]
        let strings = [
            "", "1", "1234567", "12345678", "日本x", "日本xy", "abc\u{0}", "abc",
            String(repeating: "\u{0}", count: 7),
            String(repeating: "\u{0}", count: 8), "é", "e\u{301}", "null", "true",
        ]
        return numbers.map { .number(JSONNumber($0)!) } + strings.map { .string($0) } + [nil, true, false, [], [:]]
    }()

    func testEveryKeyIsAddedReplacedTestedMovedCopiedAndRemovedAlike() throws {
        let keys = TreeScalarAttackTests.keys
        let object = JSONValue.object(JSONObject(keys.enumerated().map { ($1, .number(JSONNumber($0))) }))
        var model = TreeModel(["o": object, "e": [:]])
        func pointer(_ tokens: String...) -> JSONPointer { JSONPointer(tokens: tokens) }
        for (i, key) in keys.enumerated() {
            let other = keys[(i + 1) % keys.count]
            let name = "key \(key.unicodeScalars.map { String($0.value, radix: 16) })"
            for operations: [PatchOperation] in [
                [.test(path: pointer("o", key), value: .number(JSONNumber(i)))],
                [.add(path: pointer("e", key), value: "long value"),
                 .test(path: pointer("e", key), value: "long value")],
                [.replace(path: pointer("o", key), value: .string(key))],
                [.test(path: pointer("o", other), value: .string(key))],
                [.copy(from: pointer("o", key), path: pointer("e", key + key))],
                [.move(from: pointer("e", key), path: pointer("o", key + "!"))],
                [.remove(path: pointer("o", key + "\u{0}"))],
                [.move(from: pointer("o", key), path: pointer("e", other)),
                 .move(from: pointer("e", other), path: pointer("o", key))],
                [.move(from: pointer("o", key), path: pointer("o", other, "x"))],
                [.move(from: pointer("o", key), path: pointer("o", key, "x"))],
                [.add(path: pointer(key), value: [key: .string(key)]), .remove(path: pointer(key, key))],
                [.remove(path: pointer("o", other)), .add(path: pointer("o", other), value: 0),
                 .test(path: pointer("o", key), value: 0)],
            ] {
                model.apply(JSONPatch(operations), "\(name): \(operations)")
            }
        }
    }

    func testEveryScalarIsTestedReplacedAndAddedOverEveryOtherAlike() {
        let scalars = TreeScalarAttackTests.scalars
        for old in scalars {
            for new in scalars {
                let name = "\(JSONWriter.string(old)) then \(JSONWriter.string(new))"
                var model = TreeModel(["v": old, "list": [old]])
                model.apply(JSONPatch([.test(path: JSONPointer(tokens: ["v"]), value: new)]), "test " + name)
                let both: JSONValue = ["list": [new], "v": new]
                model.apply(JSONPatch([.test(path: JSONPointer(tokens: []), value: both)]), "test all " + name)
                let first = JSONPointer(tokens: ["list", "0"])
                model.apply(JSONPatch([.replace(path: first, value: new)]), "replace " + name)
                model.apply(JSONPatch([.add(path: JSONPointer(tokens: ["v"]), value: new)]), "add " + name)
                model.apply(JSONPatch([.replace(path: JSONPointer(tokens: []), value: both)]), name)
            }
        }
    }

    func testTreeEqualityAndHashingAgreeWithTheValues() {
        let scalars = TreeScalarAttackTests.scalars
        let keys = TreeScalarAttackTests.keys
        var values = scalars
        for (i, key) in keys.enumerated() {
            values.append([key: scalars[i % scalars.count]])
            values.append([key: scalars[(i + 1) % scalars.count], "k": 1])
        }
        values.append(["k": 1, "a": 1.0])
        values.append(["a": 1, "k": 1e0])
        for a in values {
            for b in values {
                let equal = JSONTree(a) == JSONTree(b)
                XCTAssertEqual(equal, a == b, "\(JSONWriter.string(a)) vs \(JSONWriter.string(b))")
                if equal { XCTAssertEqual(JSONTree(a).hashValue, JSONTree(b).hashValue, "\(a) vs \(b)") }
            }
        }
    }
}

/// What the tree parser must keep: strings and keys of at most 7 decoded bytes in their slot,
/// however long their escaped text, and longer ones out of line, however short their text
/// (`position(of:)` and equality compare a short key's slot as one word).
final class TreeParsedScalarTests: XCTestCase {
    func testEscapedShortStringsAreInTheirSlot() throws {
        let text = #"{"\u0061":1,"abcdefg\u0068":2,"\ud83d\ude00":"\u00e9\u00e9\u00e9\u00e9","#
            + #""\t\t\t\t\t\t\t":"\n\n\n\n\n\n\n","\/\/\/\/\/\/\/\/":[-0.0e+00,1234567,12345678,"#
            + #""\u0000\u0000\u0000\u0000\u0000\u0000\u0000"],"k":"\"\\"}"#
        let tree = try JSONTree(parsing: text)
        let value = try JSONParser.parse(text)
        XCTAssertNil(tree.storageProblem())
        XCTAssertEqual(tree, JSONTree(value))
        XCTAssertEqual(tree.value, value)
        var model = TreeModel(value)
        model.tree = tree
        for key in ["a", "abcdefgh", "😀", "\t\t\t\t\t\t\t", "////////", "k"] {
            model.apply(JSONPatch([.test(path: JSONPointer(tokens: [key]), value: value[key]!)]), key)
            let copy = PatchOperation.copy(from: JSONPointer(tokens: [key]), path: JSONPointer(tokens: [key + key]))
            model.apply(JSONPatch([copy]), key)
            model.apply(JSONPatch([.move(from: JSONPointer(tokens: [key]), path: JSONPointer(tokens: ["moved"]))]), key)
            model.apply(JSONPatch([.remove(path: JSONPointer(tokens: ["moved"]))]), key)
        }
    }

    /// A failed `test` quotes both values, cut at 60 characters, as the reference does.
    func testFailedTestsQuoteValuesAlike() {
        var deep: JSONValue = 0
        for _ in 0..<100 { deep = [deep] }
        let values: [JSONValue] = [
            deep, .array(Array(repeating: [], count: 100)), .array(Array(repeating: 7, count: 29)),
            .array(Array(repeating: 7, count: 30)), .array(Array(repeating: 7, count: 31)),
            .object(JSONObject((0..<40).map { (String(repeating: "k", count: $0), .number(JSONNumber($0))) })),
            .string(String(repeating: "\u{1B}[31m", count: 20)), .string(String(repeating: "é", count: 59)),
            .string(String(repeating: "x", count: 58)), [String(repeating: "x", count: 200): "v"], "😀\u{0}\n",
        ]
        for actual in values {
            for expected in values + [1.50] {
                var model = TreeModel(["v": actual])
                model.apply(JSONPatch([.test(path: JSONPointer(tokens: ["v"]), value: expected)]), "\(actual)")
            }
        }
    }
}
