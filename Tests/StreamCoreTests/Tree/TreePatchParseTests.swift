import XCTest
@testable import StreamCore

/// `TreePatch(parsing:)` reads a patch's text in one pass when it can; whatever it reads, it must
/// come to what parsing the text into a tree and reading the patch from it comes to: the same
/// operations with the same values, or the same error.
final class TreePatchParseTests: XCTestCase {
    /// The two-step reading.
    static func general(_ bytes: [UInt8], options: JSONParser.Options) -> Result<TreePatch, PatchReadError> {
        let tree = Result { () throws(JSONParseError) in try JSONTree(parsing: bytes, options: options) }
        switch tree {
        case .failure(let error): return .failure(.malformed(error))
        case .success(let tree):
            return Result { () throws(PatchError) in try TreePatch(tree: tree) }.mapError(PatchReadError.invalid)
        }
    }

    /// Whether the one pass read `bytes` by itself (without the general way).
    static func readInOnePass(_ bytes: [UInt8], options: JSONParser.Options = .init()) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var arena = TreePatch.Arena()
            return arena.read(buffer, options: options) != nil
        }
    }

    /// Reads `bytes` both ways and asserts they agree. As with a tree against `JSONValue`s, the
    /// one pass may take what the general way refuses for memory (it builds less), never the
    /// other way round.
    func assertAgrees(
        _ bytes: [UInt8], options: JSONParser.Options = .init(), _ message: @autoclosure () -> String = "",
        file: StaticString = #filePath, line: UInt = #line
    ) {
        var expected = Self.general(bytes, options: options)
        let read = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(PatchReadError) in try TreePatch(parsing: buffer, options: options) }
        }
        let what = "\(message()) \(String(decoding: bytes.prefix(100), as: UTF8.self).debugDescription)"
        if case .failure(.malformed(let error)) = expected, case .tooMuchMemory = error.reason,
           case .success = read
        {
            var unlimited = options
            unlimited.maxMemoryBytes = .max
            unlimited.maxMemoryPerTextByte = .max
            expected = Self.general(bytes, options: unlimited)
        }
        switch (expected, read) {
        case let (.success(patch), .success(mine)):
            assertSame(mine, patch, what, file: file, line: line)
        case let (.failure(error), .failure(mine)):
            XCTAssertEqual(mine, error, what, file: file, line: line)
        default:
            XCTFail("\(what): \(expected) against \(read)", file: file, line: line)
        }
    }

    /// The same operations: kinds, pointers and values.
    func assertSame(_ a: TreePatch, _ b: TreePatch, _ message: String, file: StaticString, line: UInt) {
        XCTAssertEqual(a.count, b.count, message, file: file, line: line)
        for (x, y) in zip(a.operations, b.operations) {
            XCTAssertEqual(x.kind, y.kind, message, file: file, line: line)
            XCTAssertEqual(a.text(x.path), b.text(y.path), message, file: file, line: line)
            if x.kind == .move || x.kind == .copy {
                XCTAssertEqual(a.text(x.from), b.text(y.from), message, file: file, line: line)
            }
            XCTAssertTrue(JSONTree.equal(x.value, in: a.values, y.value, in: b.values), message, file: file, line: line)
        }
    }

    func testHandWrittenPatchesAndErrors() {
        let texts = [
            "[]", " [ ] ", #"{"op":"add"}"#, #"[1]"#, #"[{"path":"/a"}]"#, #"[{"op":3,"path":"/a"}]"#,
            #"[{"op":"frob","path":"/a"}]"#, #"[{"op":"add","value":1}]"#, #"[{"op":"add","path":null,"value":1}]"#,
            #"[{"op":"add","path":"/a"}]"#, #"[{"op":"move","path":"/a"}]"#, #"[{"op":"add","path":"a","value":1}]"#,
            #"[{"op":"test","path":"/~2","value":1}]"#, #"[{"op":"copy","from":"/~","path":"/a"}]"#,
            #"[{"op":"move","from":"/a~1b/~0/","path":"//x"},{"op":"remove","path":"/m~0n/0"}]"#,
            #"[{"op":"replace","path":"/a","value":{"x":[1,"long string value"]},"extra":true}]"#,
            #"[{"op":"test","path":"","value":null},{"op":"remove","path":"/a","from":"ignored"}]"#,
            #"[{"op":"replaced","path":"/a","value":1}]"#, #"[{"op":"add","path":"/a","value":1}, "x"]"#,
            #"[{"op":"add","op":"remove","path":"/a","value":1}]"#, #"[{"path":"/a","path":"/b","op":"remove"}]"#,
            #"[{"value":{"k":[1,{"z":null}]},"path":"/a\/b","op":"add"}]"#,
            #"[ { "op" : "replace" , "path" : "/q/1/price" , "value" : 123.456789 } ]"#,
            #"[{"op":"add","path":"/\u00e9~1x","value":"\u00e9 is long enough"}]"#,
            #"[{"op":"add","path":"/a","value":1}"#, #"[{"op":"add","path":"/a","value":1}]x"#,
            #"[{"op":"add","path":"/a","value":1},]"#, #"[{"op":"add","path":"/a","value":1,}]"#,
            #"[{"op":"add","path":"/a","value":01}]"#, #"[{"op":"add","path":"/a","value":"\ud800"}]"#,
            #"[{"op":"add","path":"/a","value":{"k":1,"k":2}}]"#, #"[{"op":"remove","path":"/a","value":[}]"#,
            #"[{"op":"move","from":"/a","path":"/b","from":"/c"}]"#, #"[{"op":"test","path":"/a","value":-0.0e+5}]"#,
        ]
        for text in texts {
            for duplicateKeys in [JSONParser.DuplicateKeyPolicy.reject, .lastWins] {
                var options = JSONParser.Options()
                options.duplicateKeys = duplicateKeys
                assertAgrees(Array(text.utf8), options: options, text)
            }
        }
    }

    func testLimitsAreTheGeneralWays() {
        let nested = #"[{"op":"add","path":"/a","value":[[[[1]]]]}]"#
        for depth in 0..<8 {
            var options = JSONParser.Options()
            options.maxDepth = depth
            assertAgrees(Array(nested.utf8), options: options, "depth \(depth)")
        }
        var small = JSONParser.Options()
        small.maxBytes = 20
        assertAgrees(Array(nested.utf8), options: small, "20 bytes at most")
        var tight = JSONParser.Options()
        tight.maxMemoryBytes = 4_000
        tight.maxMemoryPerTextByte = 1
        let many = "[" + Array(repeating: #"{"op":"add","path":"/a/-","value":"a long value of text"}"#, count: 300)
            .joined(separator: ",") + "]"
        assertAgrees(Array(many.utf8), options: tight, "over the memory limit")
    }

    func testRandomPatchesAndTheirCorruptionsAgree() {
        var generator = JSONGenerator(seed: 6902)
        var random = SeededRandom(seed: 17)
        for round in 0..<2_000 {
            let document = generator.value()
            var operations: [PatchOperation] = []
            for _ in 0..<generator.int(0..<6) { operations.append(generator.operation(in: document)) }
            let json = JSONPatch(operations).json
            for pretty in [false, true] {
                let text = Array(JSONWriter.string(json, pretty: pretty).utf8)
                assertAgrees(text, "round \(round)")
                XCTAssertTrue(Self.readInOnePass(text), "an ordinary patch is read in one pass: round \(round)")
                for _ in 0..<3 { assertAgrees(corruptJSON(text, using: &random), "round \(round), corrupted") }
            }
        }
    }

    func testAStreamOfQuotePatchesIsReadInOnePass() throws {
        let text = #"[{"op":"replace","path":"/quotes/12/price","value":1053.76},"#
            + #"{"op":"replace","path":"/quotes/12/updated","value":1764004285},"#
            + #"{"op":"add","path":"/quotes/12/tags/-","value":"live"},{"op":"remove","path":"/quotes/3"}]"#
        XCTAssertTrue(Self.readInOnePass(Array(text.utf8)))
        assertAgrees(Array(text.utf8))
        let patch = try TreePatch(parsing: text)
        XCTAssertEqual(patch.values.words, [], "scalar values need no words")
        XCTAssertEqual(patch.text(patch.operations[1].path), "/quotes/12/updated")
    }
}

/// Patches read together into one arena (`Document.prepare` of a read's events) are the
/// patches each reads alone: a failed or unusual one in between leaves the others as they are.
final class TreePatchArenaTests: XCTestCase {
    func testEventsPreparedTogetherAreEventsPreparedAlone() throws {
        var generator = JSONGenerator(seed: 1505)
        var random = SeededRandom(seed: 23)
        for round in 0..<300 {
            let document = generator.value()
            var events = [SSEEvent(type: "data", data: JSONWriter.string(document), lastEventID: "0")]
            for index in 1...generator.int(1..<12) {
                var operations: [PatchOperation] = []
                for _ in 0..<generator.int(0..<5) { operations.append(generator.operation(in: document)) }
                var text = Array(JSONWriter.string(JSONPatch(operations).json).utf8)
                switch generator.int(0..<10) {
                case 0: text = corruptJSON(text, using: &random)  // read the general way, or refused
                case 1: text = Array(#"[{"op":"remove","path":"/x","path":"/y"}]"#.utf8)  // a member twice
                default: break
                }
                let type = generator.chance(10) ? "data" : "patch"
                let data = String(decoding: text, as: UTF8.self)
                events.append(SSEEvent(type: type, data: data, lastEventID: "\(index)"))
            }
            let together = Document.prepare(events, options: .init())
            let alone = events.map { Document.prepare($0, options: .init()) }
            var a = Document()
            var b = Document()
            for (x, y) in zip(together, alone) {
                XCTAssertEqual("\(a.consume(x))", "\(b.consume(y))", "round \(round), event \(x.event.lastEventID)")
                XCTAssertEqual(a.tree, b.tree, "round \(round)")
            }
        }
    }

    func testPatchesOfOneArenaShareItsArrays() throws {
        let events = (1...3).map { index in
            SSEEvent(type: "patch", data: #"[{"op":"add","path":"/a long key \#(index)","value":[\#(index),"text"]}]"#,
                     lastEventID: "\(index)")
        }
        let prepared = Document.prepare(events, options: .init())
        let patches = prepared.compactMap { event -> TreePatch? in
            if case .patch(.success(let patch)) = event.content { return patch } else { return nil }
        }
        XCTAssertEqual(patches.map(\.range), [0..<1, 1..<2, 2..<3])
        let bases = patches.map { $0.values.words.withUnsafeBufferPointer { $0.baseAddress } }
        XCTAssertEqual(Set(bases).count, 1, "one words array for the three")
        var tree = JSONTree(["x": 0])
        for patch in patches { try tree.apply(patch) }
        let expected: JSONValue = [
            "x": 0, "a long key 1": [1, "text"], "a long key 2": [2, "text"], "a long key 3": [3, "text"],
        ]
        XCTAssertEqual(tree.value, expected)
    }
}
