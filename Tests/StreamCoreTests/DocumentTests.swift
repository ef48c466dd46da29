import XCTest
@testable import StreamCore

final class DocumentTests: XCTestCase {
    func event(_ type: String, _ data: String, id: String = "") -> SSEEvent {
        SSEEvent(type: type, data: data, lastEventID: id)
    }

    func testSnapshotThenPatches() throws {
        var document = Document()
        let first = try document.consume(event("data", #"{"price":1,"list":[]}"#)).get()
        XCTAssertEqual(first.kind, .snapshot)
        XCTAssertTrue(first.changed)
        XCTAssertEqual(first.payloadBytes, 21)
        let patched = try document.consume(event("patch", #"[{"op":"replace","path":"/price","value":2},{"op":"add","path":"/list/-","value":"é"}]"#)).get()
        XCTAssertEqual(patched.kind, .patch)
        XCTAssertEqual(patched.operations, 2)
        XCTAssertTrue(patched.changed)
        XCTAssertEqual(patched.document?.value, ["price": 2, "list": ["é"]])
        let noop = try document.consume(event("patch", #"[{"op":"test","path":"/price","value":2}]"#)).get()
        XCTAssertFalse(noop.changed)
        let same = try document.consume(event("data", #"{"list":["é"],"price":2.0}"#)).get()
        XCTAssertFalse(same.changed, "an identical snapshot is not a change")
    }

    func testAnyOtherJSONEventIsASnapshotAndTextPassesThrough() throws {
        var document = Document()
        XCTAssertEqual(try document.consume(event("message", "[1,2]")).get().kind, .snapshot)
        XCTAssertEqual(try document.consume(event("update", "42")).get().document?.value, 42)
        let text = try document.consume(event("message", "hello world")).get()
        XCTAssertEqual(text.kind, .text)
        XCTAssertFalse(text.changed)
        XCTAssertEqual(text.document?.value, 42, "text leaves the document alone")
    }

    /// Streamdata's `error` event carries a JSON object: it says something went wrong, and is no
    /// snapshot; the document stays, and patches still apply.
    func testAnErrorEventIsNeverASnapshot() throws {
        var document = Document()
        _ = try document.consume(event("data", #"{"price":1}"#)).get()
        let error = try document.consume(event("error", #"{"message":"the upstream API answered HTTP 503"}"#)).get()
        XCTAssertEqual(error.kind, .text)
        XCTAssertFalse(error.changed)
        XCTAssertEqual(document.current, ["price": 1])
        XCTAssertFalse(document.isStale)
        XCTAssertEqual(try document.consume(event("patch", #"[{"op":"replace","path":"/price","value":2}]"#)).get()
            .document?.value, ["price": 2])
    }

    func testPatchBeforeSnapshotIsAnErrorAndMarksStale() {
        var document = Document()
        let result = document.consume(event("patch", "[]", id: "4"))
        XCTAssertEqual(try? result.get(), nil)
        guard case .failure(let error) = result else { return XCTFail() }
        XCTAssertEqual(error.reason, "patch received before any snapshot")
        XCTAssertEqual(error.eventType, "patch")
        XCTAssertEqual(error.lastEventID, "4")
        XCTAssertTrue(document.isStale)
        XCTAssertNil(document.current)
    }

    func testFailingPatchLeavesDocumentAndRefusesPatchesUntilNextSnapshot() throws {
        var document = Document()
        _ = try document.consume(event("data", #"{"a":1}"#)).get()
        guard case .failure(let error) = document.consume(event("patch", #"[{"op":"replace","path":"/a","value":2},{"op":"remove","path":"/missing"}]"#)) else {
            return XCTFail("patch should fail")
        }
        XCTAssertEqual(error.reason, "patch failed: operation 1 (remove \"/missing\"): member \"missing\" does not exist")
        XCTAssertEqual(document.current, ["a": 1], "unchanged, not half-patched")
        XCTAssertTrue(document.isStale)
        guard case .failure(let refused) = document.consume(event("patch", #"[{"op":"replace","path":"/a","value":3}]"#)) else {
            return XCTFail("stale document must refuse patches")
        }
        XCTAssertTrue(refused.reason.hasPrefix("patch not applied: the document is stale"), refused.reason)
        XCTAssertEqual(document.current, ["a": 1])
        _ = try document.consume(event("data", #"{"a":5}"#)).get()
        XCTAssertFalse(document.isStale)
        let patched = try document.consume(event("patch", #"[{"op":"replace","path":"/a","value":6}]"#)).get()
        XCTAssertEqual(patched.document?.value, ["a": 6])
    }

    func testMalformedJSONIsAClearErrorAndNothingIsLost() throws {
        var document = Document()
        _ = try document.consume(event("data", #"{"a":1}"#)).get()
        for (type, data, reason) in [
            ("data", #"{"a":2"#, "malformed JSON snapshot: invalid JSON at byte 6: unexpected end of input"),
            ("data", #"{"a":2,}"#, "malformed JSON snapshot: invalid JSON at byte 7: trailing comma"),
            ("patch", #"[{"op":"add"]"#, "malformed patch: invalid JSON at byte 12: unexpected ']', expected ',' or '}' in object"),
            ("patch", #"{"op":"add"}"#, "invalid patch: a patch must be a JSON array of operations, not an object"),
        ] {
            guard case .failure(let error) = document.consume(event(type, data)) else { return XCTFail(data) }
            XCTAssertEqual(error.reason, reason)
            XCTAssertEqual(document.current, ["a": 1])
        }
    }

    /// Generic SSE streams (chat, logs, LLM tokens) are text, even when the text starts like JSON:
    /// no error, the document untouched and not stale, later patches still applied.
    func testEventsOtherThanDataThatAreNotJSONAreText() throws {
        var document = Document()
        _ = try document.consume(event("data", #"{"a":1}"#)).get()
        for data in ["[DONE]", "[1,2] is a list", "{not json}", #"{"a":2,}"#, "", "plain"] {
            let observation = try document.consume(event("message", data)).get()
            XCTAssertEqual(observation.kind, .text, data)
            XCTAssertFalse(observation.changed, data)
            XCTAssertEqual(document.current, ["a": 1], data)
            XCTAssertFalse(document.isStale, data)
        }
        _ = try document.consume(event("patch", #"[{"op":"replace","path":"/a","value":2}]"#)).get()
        XCTAssertEqual(document.current, ["a": 2])
    }

    /// An LLM-style stream: JSON deltas, each a snapshot, then the `[DONE]` marker as text.
    func testAnLLMStreamEndsWithItsLastJSONDocument() throws {
        var document = Document()
        for token in ["Hel", "lo"] {
            _ = try document.consume(event("message", #"{"delta":"\#(token)"}"#)).get()
        }
        XCTAssertEqual(try document.consume(event("message", "[DONE]")).get().kind, .text)
        XCTAssertEqual(document.current, ["delta": "lo"])
        XCTAssertFalse(document.isStale)
    }

    /// A patch that copies the document into itself doubles it without costing memory (copies
    /// share storage); forty of them are a trillion values that every walk would visit. Copies
    /// since the last snapshot are bounded: past the bound the patch fails, the document is
    /// stale, and a failing `test` on what was built says so at once.
    func testCopiesThatDoubleTheDocumentAreRefused() throws {
        var document = Document()
        _ = try document.consume(event("data", #"{"a":[0,0,0,0,0,0,0,0]}"#)).get()
        let double = #"[{"op":"copy","from":"/a","path":"/a/-"},{"op":"copy","from":"/a","path":"/a/-"}]"#
        var refused: DocumentError?
        for _ in 0..<40 {
            if case .failure(let error) = document.consume(event("patch", double)) {
                refused = error
                break
            }
        }
        let reason = try XCTUnwrap(refused?.reason)
        XCTAssertTrue(reason.contains("copy refused: it would duplicate more than"), reason)
        XCTAssertTrue(document.isStale)
        guard case .failure(let stale) = document.consume(event("patch", #"[{"op":"test","path":"/a","value":0}]"#)) else {
            return XCTFail("a stale document refuses patches")
        }
        XCTAssertTrue(stale.reason.hasPrefix("patch not applied: the document is stale"))
        // A new snapshot brings the budget back.
        _ = try document.consume(event("data", #"{"a":[0]}"#)).get()
        _ = try document.consume(event("patch", double)).get()
        XCTAssertEqual(document.current?["a"]?.arrayValue?.count, 3)
    }

    /// An error message quotes a value by writing only what it shows, however large the value.
    func testAFailingTestQuotesAHugeSharedValueAtOnce() throws {
        var value: JSONValue = [0]
        for _ in 0..<60 { value = .array([value, value]) }  // 2^60 values, sharing storage
        var document: JSONValue = ["a": value]
        XCTAssertThrowsError(try document.apply(try JSONPatch(text: #"[{"op":"test","path":"/a","value":0}]"#))) { error in
            XCTAssertTrue("\(error)".contains("test failed: the value is [[[["), "\(error)")
        }
    }

    func testOversizeEventCanMarkTheDocumentStale() throws {
        var document = Document()
        _ = try document.consume(event("data", "{}")).get()
        document.markStale("an event was dropped: larger than 16 MiB")
        XCTAssertEqual(document.staleReason, "an event was dropped: larger than 16 MiB")
        XCTAssertNotNil(try? document.consume(event("data", "{}")).get())
        XCTAssertFalse(document.isStale)
    }

    func testAPollersBodyReplacesTheDocumentAndPatchesApplyToIt() throws {
        var document = Document()
        document.markStale("no snapshot yet")
        document.replace(with: JSONTree(["a": 1]))
        XCTAssertFalse(document.isStale)
        XCTAssertEqual(document.current, ["a": 1])
        _ = try document.consume(event("patch", #"[{"op":"replace","path":"/a","value":2}]"#)).get()
        XCTAssertEqual(document.current, ["a": 2])
    }
}

final class SanitizerTests: XCTestCase {
    func testControlsBecomeVisibleAndSafe() {
        XCTAssertEqual(Sanitizer.line("plain text é 日本 😀"), "plain text é 日本 😀")
        XCTAssertEqual(Sanitizer.line("\u{1B}[2J\u{1B}]0;title\u{7}"), "␛[2J␛]0;title␇")
        XCTAssertEqual(Sanitizer.line("a\nb\tc\rd"), "a␊b␉c␍d")
        XCTAssertEqual(Sanitizer.multiline("a\nb\rc"), "a\nb␍c")
        XCTAssertEqual(Sanitizer.line("\u{7F}\u{9B}31m\u{85}"), "␡\u{FFFD}31m\u{FFFD}")
        XCTAssertEqual(Sanitizer.line("abc\u{202E}fed"), "abc\u{FFFD}fed")
        for scalar in Sanitizer.line("\u{0}\u{1B}\u{9B}\u{202E}\u{2066}x").unicodeScalars {
            XCTAssertFalse(Sanitizer.isUnsafe(scalar))
        }
    }
}
