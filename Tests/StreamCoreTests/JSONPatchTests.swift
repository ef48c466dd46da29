import XCTest
@testable import StreamCore

final class JSONPatchTests: XCTestCase {
    func patch(_ text: String) throws -> JSONPatch { try JSONPatch(text: text) }

    func testErrorsNameTheOperationIndexOpAndPath() throws {
        var document: JSONValue = ["a": [1, 2], "b": "x"]
        let before = document
        let failing = try patch(#"""
            [{"op":"replace","path":"/b","value":"y"},
             {"op":"add","path":"/a/-","value":3},
             {"op":"remove","path":"/a/7"}]
            """#)
        XCTAssertThrowsError(try document.apply(failing)) { error in
            let patchError = error as! PatchError
            XCTAssertEqual(patchError.index, 2)
            XCTAssertEqual(patchError.op, "remove")
            XCTAssertEqual(patchError.path, "/a/7")
            XCTAssertEqual(
                patchError.description,
                "operation 2 (remove \"/a/7\"): array index 7 is out of range for an array of 3 elements")
        }
        XCTAssertEqual(document, before, "atomic: earlier operations were rolled back")
        XCTAssertEqual(JSONWriter.string(document), #"{"a":[1,2],"b":"x"}"#, "member order restored too")
    }

    func testRollbackRestoresEveryKindOfChangeInOrder() throws {
        let original: JSONValue = try JSONParser.parse(#"{"k1":1,"k2":[1,2,3],"k3":{"x":1,"y":2},"k4":"s"}"#)
        var document = original
        let failing = try patch(#"""
            [{"op":"remove","path":"/k1"},
             {"op":"add","path":"/k2/1","value":"new"},
             {"op":"remove","path":"/k2/0"},
             {"op":"replace","path":"/k3/x","value":9},
             {"op":"remove","path":"/k3/x"},
             {"op":"add","path":"/k5","value":5},
             {"op":"move","from":"/k4","path":"/k3/z"},
             {"op":"copy","from":"/k3","path":"/k2/0"},
             {"op":"replace","path":"","value":[1]},
             {"op":"add","path":"/0","value":0},
             {"op":"test","path":"/0","value":1}]
            """#)
        XCTAssertThrowsError(try document.apply(failing)) { error in
            XCTAssertEqual((error as! PatchError).index, 10)
            XCTAssertTrue((error as! PatchError).reason.hasPrefix("test failed"), "\(error)")
        }
        XCTAssertEqual(JSONWriter.string(document), JSONWriter.string(original))
    }

    func testMalformedOperationsAreClearErrors() {
        let cases: [(String, String)] = [
            (#"{"op":"add"}"#, "a patch must be a JSON array of operations, not an object"),
            (#"[1]"#, "operation 0: an operation must be a JSON object, not a number"),
            (#"[{"path":"/a"}]"#, "operation 0: missing member \"op\""),
            (#"[{"op":3,"path":"/a"}]"#, "operation 0: member \"op\" must be a string, not a number"),
            (#"[{"op":"frob","path":"/a"}]"#, "operation 0 (frob): unknown operation \"frob\""),
            (#"[{"op":"add","value":1}]"#, "operation 0 (add): missing member \"path\""),
            (#"[{"op":"add","path":null,"value":1}]"#, "operation 0 (add): member \"path\" must be a string, not a null"),
            (#"[{"op":"add","path":"/a"}]"#, "operation 0 (add \"/a\"): missing member \"value\""),
            (#"[{"op":"move","path":"/a"}]"#, "operation 0 (move): missing member \"from\""),
            (#"[{"op":"add","path":"a","value":1}]"#, "operation 0 (add \"a\"): member \"path\": pointer \"a\" must be empty or start with '/'"),
            (#"[{"op":"test","path":"/~2","value":1}]"#, "operation 0 (test \"/~2\"): member \"path\": pointer \"/~2\" has '~' not followed by '0' or '1'"),
            (#"[{"op":"add","path":"/a","value":1},]"#, "invalid JSON at byte 36: trailing comma"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try JSONPatch(text: text), text) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
    }

    func testApplyErrors() throws {
        let document: JSONValue = ["a": ["b": 1], "list": [1, 2]]
        let cases: [(String, String)] = [
            (#"[{"op":"remove","path":""}]"#, "operation 0 (remove \"\"): cannot remove the whole document"),
            (#"[{"op":"add","path":"/x/y","value":1}]"#, "operation 0 (add \"/x/y\"): member \"x\" does not exist"),
            (#"[{"op":"add","path":"/a/b/c","value":1}]"#, "operation 0 (add \"/a/b/c\"): cannot look up \"c\" in a number"),
            (#"[{"op":"add","path":"/list/01","value":1}]"#, "operation 0 (add \"/list/01\"): \"01\" is not an array index (digits without leading zeros, or '-')"),
            (#"[{"op":"add","path":"/list/3","value":1}]"#, "operation 0 (add \"/list/3\"): array index 3 is out of range for an array of 2 elements"),
            (#"[{"op":"replace","path":"/list/-","value":1}]"#, "operation 0 (replace \"/list/-\"): array index - is out of range for an array of 2 elements"),
            (#"[{"op":"move","from":"/a","path":"/a/c"}]"#, "operation 0 (move \"/a/c\"): cannot move a value into one of its own children"),
            (#"[{"op":"move","from":"/zz","path":"/zz"}]"#, "operation 0 (move \"/zz\"): member \"zz\" does not exist"),
            (#"[{"op":"test","path":"/list","value":[1]}]"#, "operation 0 (test \"/list\"): test failed: the value is [1,2], not [1]"),
            (#"[{"op":"test","path":"/list/99999999999999999999","value":1}]"#, "operation 0 (test \"/list/99999999999999999999\"): array index 99999999999999999999 is out of range for an array of 2 elements"),
        ]
        for (text, message) in cases {
            var copy = document
            XCTAssertThrowsError(try copy.apply(patch(text)), text) { error in
                XCTAssertEqual("\(error)", message)
            }
            XCTAssertEqual(copy, document)
        }
    }

    func testChangedFlag() throws {
        var document: JSONValue = ["a": 1, "list": [1, 2]]
        XCTAssertFalse(try document.apply(patch(#"[{"op":"test","path":"/a","value":1}]"#)))
        XCTAssertFalse(try document.apply(patch(#"[{"op":"replace","path":"/a","value":1.0}]"#)))
        XCTAssertFalse(try document.apply(patch(#"[{"op":"add","path":"/a","value":1}]"#)))
        XCTAssertFalse(try document.apply(patch(#"[{"op":"move","from":"/a","path":"/a"}]"#)))
        XCTAssertTrue(try document.apply(patch(#"[{"op":"replace","path":"/a","value":2}]"#)))
        XCTAssertTrue(try document.apply(patch(#"[{"op":"add","path":"/list/-","value":3}]"#)))
        XCTAssertTrue(try document.apply(patch(#"[{"op":"remove","path":"/list/0"}]"#)))
        XCTAssertEqual(document, ["a": 2, "list": [2, 3]])
    }

    func testPointerParsingAndFormatting() throws {
        XCTAssertEqual(try JSONPointer("").tokens, [])
        XCTAssertEqual(try JSONPointer("/").tokens, [""])
        XCTAssertEqual(try JSONPointer("/a~1b/m~0n/~01").tokens, ["a/b", "m~n", "~1"])
        XCTAssertEqual(try JSONPointer("//x/").tokens, ["", "x", ""])
        XCTAssertEqual(JSONPointer(tokens: ["a/b", "m~n", "~1", ""]).description, "/a~1b/m~0n/~01/")
        XCTAssertThrowsError(try JSONPointer("a"))
        XCTAssertThrowsError(try JSONPointer("/a~"))
        XCTAssertThrowsError(try JSONPointer("/~x"))
        let document: JSONValue = ["": 0, "a/b": 1, "m~n": 2, "list": [10, 20]]
        XCTAssertEqual(try document.value(at: JSONPointer("/")), 0)
        XCTAssertEqual(try document.value(at: JSONPointer("/a~1b")), 1)
        XCTAssertEqual(try document.value(at: JSONPointer("/m~0n")), 2)
        XCTAssertEqual(try document.value(at: JSONPointer("/list/1")), 20)
        XCTAssertEqual(try document.value(at: JSONPointer("")), document)
        for bad in ["/list/01", "/list/-1", "/list/1e0", "/list/ 1", "/list/2", "/list/-", "/list/"] {
            XCTAssertThrowsError(try document.value(at: JSONPointer(bad)), bad)
        }
    }

    func testCopyIsDeep() throws {
        var document: JSONValue = ["a": ["x": [1]]]
        try document.apply(patch(#"[{"op":"copy","from":"/a","path":"/b"},{"op":"add","path":"/b/x/-","value":2}]"#))
        XCTAssertEqual(document, ["a": ["x": [1]], "b": ["x": [1, 2]]])
    }

    func testPatchRoundTripsThroughJSON() throws {
        let text = #"[{"op":"add","path":"/a~1b","value":[1]},{"op":"remove","path":"/c"},{"op":"replace","path":"","value":null},{"op":"move","from":"/x","path":"/y"},{"op":"copy","from":"/x","path":"/z"},{"op":"test","path":"/t","value":"v"}]"#
        let parsed = try patch(text)
        XCTAssertEqual(JSONWriter.string(parsed.json), text)
        XCTAssertEqual(parsed.encodedSize, text.utf8.count)
    }

    func testApplyMutatesInPlaceWithoutCopyingContainers() throws {
        // If an operation copied the containers on its path, the array's storage would move.
        // Applied in place, the same buffer is reused: cost follows the patch, not the document.
        var document: JSONValue = ["outer": ["items": .array((0..<100_000).map { .number(JSONNumber($0)) })]]
        func storage() -> UnsafePointer<JSONValue>? {
            document["outer"]?["items"]?.arrayValue?.withUnsafeBufferPointer { $0.baseAddress }
        }
        let before = storage()
        try document.apply(patch(#"[{"op":"replace","path":"/outer/items/500","value":-1},{"op":"test","path":"/outer/items/500","value":-1}]"#))
        XCTAssertEqual(storage(), before)
        XCTAssertEqual(document["outer"]?["items"]?[500], -1)
        // A failed patch rolls back in place as well.
        XCTAssertThrowsError(try document.apply(patch(#"[{"op":"replace","path":"/outer/items/7","value":0},{"op":"remove","path":"/nope"}]"#)))
        XCTAssertEqual(storage(), before)
        XCTAssertEqual(document["outer"]?["items"]?[7], 7)
    }

    /// The fast reader and the general path must agree on every input: the same operations,
    /// or no fast answer (and then the general path's error or result is used).
    func testFastPatchReaderAgreesWithTheGeneralPath() throws {
        var random = SeededRandom(seed: 11)
        let fragments = [
            #"{"op":"add","path":"/a","value":1}"#, #"{"op":"remove","path":"/a/0"}"#,
            #"{"op":"replace","path":"","value":{"x":[1,2]}}"#, #"{"op":"move","from":"/a~1b","path":"/c~0d"}"#,
            #"{"op":"copy","from":"/x","path":"/y/-"}"#, #"{"op":"test","path":"/t","value":"v"}"#,
            #"{"path":"/a","op":"add","value":null,"extra":[1,{"k":2}]}"#, #"{"op":"add","op":"remove","path":"/a"}"#,
            #"{"op":"add","path":"/a","value":1,"value":2}"#, #"{"op":"ad\u0064","path":"/a","value":1}"#,
            #"{"op":"add","path":"\/a","value":1}"#, #"{"op":"add","path":"a","value":1}"#,
            #"{"op":"add","path":"/~2","value":1}"#, #"{"op":"add","path":"/a"}"#, #"{"op":"move","path":"/a"}"#,
            #"{"op":"frob","path":"/a"}"#, #"{"op":1,"path":"/a"}"#, #"{"op":"remove","path":"/é"}"#,
            #"{"op":"remove","path":"/a","from":"bad"}"#, #" { "op" : "remove" , "path" : "/a" } "#,
            "[]", "1", "{}", #"{"op":"add","path":"/a","value":01}"#,
        ]
        for _ in 0..<3_000 {
            let count = Int.random(in: 0..<4, using: &random)
            var text = "[" + (0..<count).map { _ in fragments.randomElement(using: &random)! }.joined(separator: ",") + "]"
            if Int.random(in: 0..<10, using: &random) == 0 { text += " x" }
            if Int.random(in: 0..<10, using: &random) == 0 { text = " \n" + text + "\t" }
            var general: Result<JSONPatch, PatchReadError>
            do { general = .success(try JSONPatch(json: try JSONParser.parse(text))) } catch let error as JSONParseError {
                general = .failure(.malformed(error))
            } catch {
                general = .failure(.invalid(error as! PatchError))
            }
            var copy = text
            let fast = copy.withUTF8 { JSONPatch.readWellFormed($0, options: .init()) }
            if let fast { XCTAssertEqual(.success(fast), general, text) }
            XCTAssertEqual(JSONPatch.read(text), general, text)
        }
    }

    /// Pointer tokens are cached across the patches of a stream and loaded as whole words:
    /// similar tokens of every length, at any distance from the end of the input, must come
    /// back exactly, with caches of every size (one entry collides on every token).
    func testCachedPointerTokensAreExact() throws {
        for slots in [1, 32, 256] {
            try checkCachedPointerTokens(slots: slots)
        }
    }

    private func checkCachedPointerTokens(slots: Int) throws {
        var random = SeededRandom(seed: 21)
        var cache = PointerTokenCache(slots: slots)
        for _ in 0..<2_000 {
            let tokens = (0..<Int.random(in: 1...4, using: &random)).map { _ in
                String((0..<Int.random(in: 0...20, using: &random)).map { _ in "ab~".randomElement(using: &random)! })
            }
            let pointer = JSONPointer(tokens: tokens).description
            let text = #"[{"op":"remove","path":"\#(pointer)"}]"#
            guard case .success(let patch) = JSONPatch.read(text, options: .init(), tokens: &cache) else {
                return XCTFail(text)
            }
            XCTAssertEqual(patch.operations, [.remove(path: JSONPointer(tokens: tokens))], text)
        }
    }
}
