import XCTest
@testable import StreamCore

/// A hostile stream's events through `Document`, next to the reference: the document as it
/// was before it kept a tree (a `JSONValue`, patches read by `JSONPatch.read` and applied by
/// `JSONValue.apply`). Every event must give the same observation or the same error, and leave
/// the same document, staleness and copy budget.
final class DocumentAttackTests: XCTestCase {
    func testRandomStreamsAgreeWithTheReferenceDocument() {
        var generator = JSONGenerator(seed: 903)
        for stream in 0..<40 {
            var pair = DocumentPair()
            for step in 0..<120 {
                let event = generator.event(for: pair.reference.current, stale: pair.reference.staleReason != nil)
                pair.consume(event, "stream \(stream) step \(step): \(event.type) \(event.data)")
                switch generator.int(0..<60) {
                case 0: pair.markStale("an event was dropped")
                case 1: pair.dropped(eventType: ["data", "patch", "message", "error"][generator.int(0..<4)])
                case 2: pair.replace(with: generator.value())
                default: break
                }
            }
        }
    }

    /// Every prefix of patch texts, and random bytes and edits of them: never a crash, always
    /// the reference's error, the document untouched.
    func testTruncatedAndGarbledPatchesAreClearErrors() {
        var generator = JSONGenerator(seed: 904)
        let snapshot: JSONValue = ["a": [1, "a long string value", ["k": true]], "b~/": [:], "c": 1.5]
        let texts = [
            #"[{"op":"add","path":"/a/-","value":{"x":[1,2,{"y":"a long string"}]}},{"op":"remove","path":"/c"}]"#,
            #"[{"op":"move","from":"/a/0","path":"/b~0~1/n"},"#
                + #"{"op":"test","path":"/a/0","value":"a long string value"}]"#,
            #"[{"op":"copy","from":"/a","path":"/d"},{"op":"replace","path":"","value":[1.0e2,"\u00e9\ud83d\ude00"]}]"#,
        ]
        var garbled: [String] = []
        let noise = Array(#"[]{}",:\0-~/"#.utf8)
        for text in texts {
            let bytes = Array(text.utf8)
            for end in 0...bytes.count { garbled.append(String(decoding: bytes[0..<end], as: UTF8.self)) }
            for _ in 0..<150 {
                var edited = bytes
                for _ in 0..<generator.int(1..<4) where !edited.isEmpty {
                    let i = generator.int(0..<edited.count)
                    switch generator.int(0..<3) {
                    case 0: edited[i] = UInt8(generator.int(0..<256))
                    case 1: edited.insert(noise[generator.int(0..<noise.count)], at: i)
                    default: edited.remove(at: i)
                    }
                }
                garbled.append(String(decoding: edited, as: UTF8.self))
            }
        }
        for _ in 0..<300 {
            let bytes = (0..<generator.int(0..<40)).map { _ in UInt8(generator.int(0..<256)) }
            garbled.append(String(decoding: bytes, as: UTF8.self))
        }
        let snapshotText = JSONWriter.string(snapshot)
        for (i, data) in garbled.enumerated() {
            var pair = DocumentPair()
            pair.consume(SSEEvent(type: "data", data: snapshotText), "snapshot")
            let before = pair.document.tree
            let observed = pair.consume(SSEEvent(type: "patch", data: data, lastEventID: "\(i)"), "patch \(i): \(data)")
            if case .failure(let error) = observed {
                XCTAssertFalse(error.reason.isEmpty, data)
                XCTAssertEqual(pair.document.tree, before, "unchanged: \(data)")
                XCTAssertTrue(pair.document.isStale, data)
            }
            // The same bytes as a snapshot or as text.
            for type in ["data", "message", "error"] {
                pair.consume(SSEEvent(type: type, data: data), "\(type) \(i): \(data)")
            }
        }
    }

    /// An observation keeps the document as it was when it was made, whatever the next
    /// events do to the document in place.
    func testAnObservationKeepsItsDocument() throws {
        var document = Document()
        var kept: [(JSONTree, JSONValue)] = []
        _ = try document.consume(SSEEvent(type: "data", data: #"{"a":[1,2,3],"b":{"k":"a long string value"}}"#)).get()
        for i in 0..<50 {
            let patch = #"[{"op":"add","path":"/a/0","value":\#(i)},{"op":"remove","path":"/a/\#(i % 3 + 1)"},"#
                + #"{"op":"replace","path":"/b/k","value":"string number \#(i)"},"#
                + #"{"op":"copy","from":"/b","path":"/c"}]"#
            let observed = try document.consume(SSEEvent(type: "patch", data: patch)).get()
            let tree = try XCTUnwrap(observed.document)
            kept.append((tree, tree.value))
        }
        for (i, (tree, value)) in kept.enumerated() { XCTAssertEqual(tree.value, value, "observation \(i)") }
    }
}

/// `Document` and the reference document, fed the same events.
struct DocumentPair {
    var document = Document()
    var reference = ReferenceDocument()

    @discardableResult
    mutating func consume(
        _ event: SSEEvent, _ name: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line
    ) -> Result<Observation, DocumentError> {
        let prepared = Document.prepare(event, options: document.parseOptions)
        let observed = document.consume(prepared)
        let expected = reference.consume(event)
        switch (observed, expected) {
        case (.success(let observation), .success(let reference)):
            XCTAssertEqual(observation.kind, reference.kind, name(), file: file, line: line)
            XCTAssertEqual(observation.payloadBytes, reference.payloadBytes, name(), file: file, line: line)
            XCTAssertEqual(observation.operations, reference.operations, name(), file: file, line: line)
            XCTAssertEqual(observation.changed, reference.changed, name(), file: file, line: line)
            XCTAssertEqual(observation.document?.value, reference.document, name(), file: file, line: line)
        case (.failure(let error), .failure(let reference)):
            XCTAssertEqual(error, reference, name(), file: file, line: line)
        default:
            XCTFail("\(name()): \(observed) vs \(expected)", file: file, line: line)
        }
        assertAgrees(name(), file: file, line: line)
        return observed
    }

    mutating func markStale(_ reason: String) {
        document.markStale(reason)
        reference.markStale(reason)
        assertAgrees("markStale")
    }

    mutating func dropped(eventType: String) {
        let reason = "an event of type \(eventType) was dropped"
        XCTAssertEqual(document.dropped(eventType: eventType, reason: reason),
                       reference.dropped(eventType: eventType, reason: reason), reason)
        assertAgrees(reason)
    }

    mutating func replace(with value: JSONValue) {
        document.replace(with: JSONTree(value))
        reference.replace(with: value)
        assertAgrees("replace")
    }

    func assertAgrees(_ name: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(document.current, reference.current, name(), file: file, line: line)
        if let tree = document.tree, let value = reference.current {
            XCTAssertEqual(JSONWriter.string(tree), JSONWriter.string(value), name(), file: file, line: line)
            if let problem = tree.storageProblem() { XCTFail("\(name()): \(problem)", file: file, line: line) }
        }
        XCTAssertEqual(document.staleReason, reference.staleReason, name(), file: file, line: line)
    }
}

/// `Document` as it was with a `JSONValue` (the commit before it kept a tree), for reference.
struct ReferenceDocument {
    struct Observed {
        var kind: Observation.Kind
        var payloadBytes: Int
        var operations: Int
        var changed: Bool
        var document: JSONValue?
    }

    var current: JSONValue?
    var staleReason: String?
    var options = JSONParser.Options()
    private var copyBudget = JSONValue.copyLimit
    private var patchedSinceSnapshot = false

    mutating func consume(_ event: SSEEvent) -> Result<Observed, DocumentError> {
        let bytes = event.data.utf8.count
        func failure(_ reason: String) -> Result<Observed, DocumentError> {
            if staleReason == nil { staleReason = reason }
            return .failure(DocumentError(reason: reason, eventType: event.type, lastEventID: event.lastEventID))
        }
        if event.type == "patch" {
            let patch: JSONPatch
            switch JSONPatch.read(event.data, options: options) {
            case .failure(let error): return failure(error.description)
            case .success(let read): patch = read
            }
            guard var document = current else { return failure("patch received before any snapshot") }
            if let staleReason {
                return .failure(DocumentError(
                    reason: "patch not applied: the document is stale (\(staleReason)); waiting for a new snapshot",
                    eventType: event.type, lastEventID: event.lastEventID))
            }
            let changed: Bool
            do {
                changed = try document.apply(patch, copyBudget: &copyBudget)
                patchedSinceSnapshot = true
            } catch {
                return failure("patch failed: \(error)")
            }
            current = document
            return .success(Observed(
                kind: .patch, payloadBytes: bytes, operations: patch.count, changed: changed, document: document))
        }
        let text = Observed(kind: .text, payloadBytes: bytes, operations: 0, changed: false, document: current)
        if event.type == "error" { return .success(text) }
        do {
            let json = try JSONParser.parse(event.data, options: options)
            let changed = current != json
            current = json
            staleReason = nil
            copyBudget = JSONValue.copyLimit
            patchedSinceSnapshot = false
            return .success(Observed(
                kind: .snapshot, payloadBytes: bytes, operations: 0, changed: changed, document: json))
        } catch {
            if error.isLimit { return failure("JSON snapshot refused: \(error.reasonText)") }
            if event.type == "data" { return failure("malformed JSON snapshot: \(error)") }
            return .success(text)
        }
    }

    mutating func replace(with snapshot: JSONValue) {
        current = snapshot
        staleReason = nil
        copyBudget = JSONValue.copyLimit
        patchedSinceSnapshot = false
    }

    mutating func markStale(_ reason: String) {
        if staleReason == nil { staleReason = reason }
    }

    mutating func dropped(eventType: String, reason: String) -> Bool {
        guard eventType == "data" || eventType == "patch" || patchedSinceSnapshot else { return false }
        markStale(reason)
        return true
    }
}

extension JSONGenerator {
    /// An event of a hostile or broken stream: mostly patches against `document` (some
    /// failing), some snapshots (more while it is stale), text, error events and broken JSON.
    mutating func event(for document: JSONValue?, stale: Bool) -> SSEEvent {
        let id = String(int(0..<1_000))
        switch stale && chance(50) ? 0 : int(0..<20) {
        case 0, 1: return SSEEvent(type: "data", data: JSONWriter.string(value()), lastEventID: id)
        case 2: return SSEEvent(type: ["message", "update"][int(0..<2)], data: JSONWriter.string(value()))
        case 3:
            let data = ["[DONE]", "{not json}", "", "[1,"][int(0..<4)]
            return SSEEvent(type: ["message", "data", "patch"][int(0..<3)], data: data)
        case 4: return SSEEvent(type: "error", data: #"{"message":"upstream failed"}"#)
        default:
            let patch = attackPatch(on: document ?? .null)
            let data = JSONWriter.string(.array(patch.operations.map(\.json)))
            return SSEEvent(type: "patch", data: data, lastEventID: id)
        }
    }
}
