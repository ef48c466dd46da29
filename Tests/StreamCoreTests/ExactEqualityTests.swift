import XCTest
@testable import StreamCore

/// JSON strings and keys are equal when their Unicode scalars are (RFC 8259 §8.3), never by
/// Swift's canonical equivalence: each pair below looks the same to a reader and is two
/// different JSON strings.
final class ExactEqualityTests: XCTestCase {
    /// "Zoë" precomposed (NFC) and decomposed (NFD).
    let nfc = "Zo\u{EB}"
    let nfd = "Zoe\u{308}"
    /// Singletons: KELVIN SIGN and ANGSTROM SIGN are canonically equivalent to "K" and "Å".
    let pairs = [("Zo\u{EB}", "Zoe\u{308}"), ("K", "\u{212A}"), ("\u{C5}", "\u{212B}"),
                 ("a long value, past a small string: Zo\u{EB}", "a long value, past a small string: Zoe\u{308}")]

    /// What to compare Swift Strings by here: their `==` is what is under test.
    func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }

    func testStringsCompareAndHashByScalars() {
        for (a, b) in pairs {
            XCTAssertEqual(a, b, "Swift's String == is canonical equivalence (the premise of these tests)")
            XCTAssertNotEqual(JSONValue.string(a), .string(b))
            XCTAssertNotEqual(JSONValue.string(a).hashValue, JSONValue.string(b).hashValue)
            XCTAssertEqual(Set<JSONValue>([.string(a), .string(b)]).count, 2)
            XCTAssertNotEqual(JSONValue.array([.string(a)]), [.string(b)])
        }
        // Equal strings stay equal (and hash alike) however they were built.
        let built = String(decoding: Array(nfd.utf8), as: UTF8.self)
        XCTAssertEqual(JSONValue.string(built), .string(nfd))
        XCTAssertEqual(JSONValue.string(built).hashValue, JSONValue.string(nfd).hashValue)
        XCTAssertEqual(JSONValue.string(""), .string(String(decoding: [UInt8](), as: UTF8.self)))
    }

    func testKeysDifferingInNormalizationAreDifferentMembers() {
        for size in [0, 40] {  // searched linearly, and through the index of a large object
            var pairs = (0..<size).map { ("k\($0)", JSONValue.number(JSONNumber($0))) }
            pairs += [(nfc, 1), (nfd, 2)]
            var object = JSONObject(pairs)
            XCTAssertEqual(object.count, size + 2)
            XCTAssertEqual(object[nfc], 1)
            XCTAssertEqual(object[nfd], 2)
            XCTAssertEqual(object.position(of: nfd), size + 1)
            object[nfc] = nil
            XCTAssertNil(object[nfc])
            XCTAssertEqual(object[nfd], 2, "removing one spelling keeps the other")
            XCTAssertEqual(object.position(of: nfd), size)
        }
        for (a, b) in pairs {
            let left: JSONValue = .object([a: 1])
            let right: JSONValue = .object([b: 1])
            XCTAssertNotEqual(left, right)
            XCTAssertNotEqual(left.hashValue, right.hashValue)
            XCTAssertNotEqual(JSONObject.Member(key: a, value: 1), JSONObject.Member(key: b, value: 1))
        }
    }

    func testTheParserKeepsBothSpellingsOfAKey() throws {
        let strict = JSONParser.Options(duplicateKeys: .reject)
        let texts = [
            "{\"\(nfc)\":1,\"\(nfd)\":2}",
            #"{"Zo\u00eb":1,"Zoe\u0308":2}"#,  // escaped
            "{" + (0..<30).map { "\"k\($0)\":\($0)," }.joined() + "\"\(nfc)\":1,\"\(nfd)\":2}",  // past the index
        ]
        for text in texts {
            let value = try JSONParser.parse(text, options: strict)
            XCTAssertEqual(value[nfc], 1, text)
            XCTAssertEqual(value[nfd], 2, text)
        }
        // Large enough to intern its keys.
        let filler = String(repeating: "x", count: 5000)
        let large = try JSONParser.parse("{\"pad\":\"\(filler)\",\"\(nfc)\":1,\"\(nfd)\":2}", options: strict)
        XCTAssertEqual(large.objectValue?.keys.map(bytes), ["pad", nfc, nfd].map(bytes))
        // A real duplicate is still one.
        XCTAssertThrowsError(try JSONParser.parse("{\"\(nfd)\":1,\"Zoe\\u0308\":2}", options: strict))
        XCTAssertEqual(try JSONParser.parse("{\"\(nfd)\":1,\"Zoe\\u0308\":2}"), .object([nfd: 2]))
    }

    func testDiffSeesAChangeOfNormalization() throws {
        func at(_ tokens: String...) -> JSONPointer { JSONPointer(tokens: tokens) }
        let cases: [(JSONValue, JSONValue, [PatchOperation])] = [
            (["name": .string(nfc)], ["name": .string(nfd)], [.replace(path: at("name"), value: .string(nfd))]),
            ([.string(nfc), 1, 2], [.string(nfd), 1, 2], [.replace(path: at("0"), value: .string(nfd))]),
            // A shift, aligned by element hashes.
            ([1, .string(nfc)], [.string(nfd), 1], [.add(path: at("0"), value: .string(nfd)), .remove(path: at("2"))]),
            (.object([nfc: 1]), .object([nfd: 1]), [.remove(path: at(nfc)), .add(path: at(nfd), value: 1)]),
        ]
        for (a, b, expected) in cases {
            let patch = JSONDiff.diff(from: a, to: b)
            XCTAssertEqual(patch, JSONPatch(expected))
            let patched = try a.applying(patch)
            XCTAssertEqual(patched, b)
            XCTAssertEqual(JSONWriter.data(patched), JSONWriter.data(b))
        }
    }

    func testAChangeWindowSeesAChangeOfNormalization() {
        let start = Moment(nanoseconds: 1_000_000_000_000)
        var windows = ChangeWindows(length: .seconds(60), start: start)
        windows.setInitialHash(JSONValue.object(["name": .string(nfc)]).hashValue)
        windows.advance(to: start + .seconds(60)) { JSONValue.object(["name": .string(nfd)]).hashValue }
        windows.advance(to: start + .seconds(120)) { JSONValue.object(["name": .string(nfd)]).hashValue }
        XCTAssertEqual(windows.recent, [true, false])
    }

    /// Each patch is read both ways: the general parser and the fast patch reader.
    func bothWays(_ text: String) throws -> [JSONPatch] {
        [try JSONPatch(text: text), try JSONPatch.read(text).get()]
    }

    func testPatchTestComparesByScalars() throws {
        let document: JSONValue = ["name": .string(nfc)]
        for patch in try bothWays("[{\"op\":\"test\",\"path\":\"/name\",\"value\":\"\(nfd)\"}]") {
            XCTAssertThrowsError(try document.applying(patch)) { error in
                XCTAssertTrue((error as! PatchError).reason.hasPrefix("test failed"), "\(error)")
            }
        }
        for patch in try bothWays("[{\"op\":\"test\",\"path\":\"/name\",\"value\":\"\(nfc)\"}]") {
            XCTAssertEqual(try document.applying(patch), document)
        }
    }

    func testPointerTokensMatchKeysByScalars() throws {
        let document: JSONValue = .object([nfc: 1])
        XCTAssertThrowsError(try document.value(at: JSONPointer("/" + nfd)))
        XCTAssertEqual(try document.value(at: JSONPointer("/" + nfc)), 1)
        XCTAssertThrowsError(try document.value(at: JSONPointer(#"/Zoe\#u{308}"#)))
        for patch in try bothWays("[{\"op\":\"replace\",\"path\":\"/\(nfd)\",\"value\":2}]") {
            XCTAssertThrowsError(try document.applying(patch), "no member spelled that way")
        }
        for patch in try bothWays("[{\"op\":\"add\",\"path\":\"/\(nfd)\",\"value\":2}]") {
            XCTAssertEqual(try document.applying(patch), .object([nfc: 1, nfd: 2]))
        }
        for patch in try bothWays("[{\"op\":\"remove\",\"path\":\"/\(nfd)\"}]") {
            XCTAssertThrowsError(try document.applying(patch))
        }
        // Pointers differ too: a move between the two spellings renames the member, and one
        // spelling's pointer is no prefix of the other's children.
        XCTAssertNotEqual(try JSONPointer("/" + nfc), try JSONPointer("/" + nfd))
        XCTAssertFalse(try JSONPointer("/" + nfc).isProperPrefix(of: JSONPointer("/\(nfd)/x")))
        for patch in try bothWays("[{\"op\":\"move\",\"from\":\"/\(nfc)\",\"path\":\"/\(nfd)\"}]") {
            let moved = try document.applying(patch)
            XCTAssertEqual(moved.objectValue?.keys.map(bytes), [bytes(nfd)])
        }
        let nested: JSONValue = .object([nfc: 1, nfd: [:]])
        for patch in try bothWays("[{\"op\":\"move\",\"from\":\"/\(nfc)\",\"path\":\"/\(nfd)/x\"}]") {
            XCTAssertEqual(try nested.applying(patch), .object([nfd: ["x": 1]]))
        }
        // The token cache tells the spellings apart from one patch to the next.
        var tokens = PointerTokenCache()
        func read(_ key: String) throws -> JSONPatch {
            try JSONPatch.read("[{\"op\":\"remove\",\"path\":\"/\(key)\"}]", options: .init(), tokens: &tokens).get()
        }
        let first = try read(nfc)
        let second = try read(nfd)
        XCTAssertEqual(first.operations.map(\.path), [try JSONPointer("/" + nfc)])
        XCTAssertEqual(second.operations.map(\.path), [try JSONPointer("/" + nfd)])
    }
}
