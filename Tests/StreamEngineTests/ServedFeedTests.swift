import Foundation
@testable import StreamEngine
import StreamCore
import Synchronization
import TestSupport
import XCTest

/// `ServedFeed` on its own, with clients that record what they are sent: the ring, the
/// heartbeat on a manual clock, resynchronizing after a restart, and closing.
final class ServedFeedTests: XCTestCase {
    /// A document far larger than a thousand of its patches, so that the ring's patches are
    /// worth resending rather than the document.
    private func document(_ n: Int) -> JSONValue {
        ["n": .number(JSONNumber(n)), "name": "feed", "pad": .string(String(repeating: "p", count: 200_000))]
    }

    func testTheRingKeepsAtMostItsPatchesAndOlderClientsGetASnapshot() throws {
        let feed = ServedFeed(id: "x", firstVersion: 100, time: ManualScheduler())
        feed.update(document: document(0), patch: nil, bodyBytes: 10)
        let count = ServedFeed.ringPatches + 5
        for n in 1...count { feed.update(document: document(n), patch: nil, bodyBytes: 10) }
        waitUntil("every update handled") { feed.snapshot.version == 101 + count }
        let latest = feed.snapshot.version
        // The first patches were dropped from the ring: their clients get the document again.
        let old = RecordingClient()
        feed.subscribe(old, lastEventID: "101")
        waitUntil("the snapshot") { old.events.count == 1 }
        XCTAssertEqual(old.events.map(\.type), ["data"])
        XCTAssertEqual(old.events.first?.lastEventID, String(latest))
        // The oldest still kept: everything since, in order.
        let kept = RecordingClient()
        let from = latest - ServedFeed.ringPatches
        feed.subscribe(kept, lastEventID: String(from))
        waitUntil("the kept patches") { kept.events.count == ServedFeed.ringPatches }
        XCTAssertEqual(Set(kept.events.map(\.type)), ["patch"])
        XCTAssertEqual(kept.events.map(\.lastEventID), ((from + 1)...latest).map(String.init))
        var applied = Document()
        applied.replace(with: JSONTree(document(count - ServedFeed.ringPatches)))
        for event in kept.events { _ = applied.consume(event) }
        XCTAssertEqual(applied.current, document(count))
    }

    /// Missed patches that outweigh the document: the document instead (shared by every client).
    func testMissedPatchesHeavierThanTheDocumentGiveTheDocument() throws {
        let feed = ServedFeed(id: "x", firstVersion: 0, time: ManualScheduler())
        let pad = JSONValue.string(String(repeating: "p", count: 1_000))
        feed.update(document: ["list": [], "pad": pad], patch: nil, bodyBytes: 10)
        for n in 1...20 {
            let list = (0..<n).map { JSONValue.number(JSONNumber($0)) }
            feed.update(document: ["list": .array(list), "pad": pad], patch: nil, bodyBytes: 10)
        }
        waitUntil("every update handled") { feed.snapshot.version == 21 }
        let early = RecordingClient()
        feed.subscribe(early, lastEventID: "1")
        let late = RecordingClient()
        feed.subscribe(late, lastEventID: "19")
        waitUntil("both answered") { !early.events.isEmpty && late.events.count == 2 }
        XCTAssertEqual(early.events.map(\.type), ["data"], "twenty patches weigh more than the document")
        XCTAssertEqual(late.events.map(\.type), ["patch", "patch"], "two weigh less")
    }

    func testTheRingIsBoundedInBytesToo() throws {
        let feed = ServedFeed(id: "x", firstVersion: 0, time: ManualScheduler())
        let big = String(repeating: "z", count: 1 << 20)
        feed.update(document: ["v": 0], patch: nil, bodyBytes: 10)
        for n in 1...6 { feed.update(document: ["v": .number(JSONNumber(n)), "big": .string(big + "\(n)")], patch: nil,
                                     bodyBytes: 10) }
        waitUntil("every update handled") { feed.snapshot.version == 7 }
        let client = RecordingClient()
        feed.subscribe(client, lastEventID: "1")
        waitUntil("an answer") { !client.events.isEmpty }
        XCTAssertEqual(client.events.first?.type, "data", "6 MiB of patches are more than the ring keeps")
    }

    func testHeartbeatsComeEveryFifteenSecondsOfTheScheduler() throws {
        let time = ManualScheduler()
        let feed = ServedFeed(id: "x", firstVersion: 0, time: time)
        let client = RecordingClient()
        feed.subscribe(client, lastEventID: nil)
        waitUntil("subscribed") { feed.snapshot.clients == 1 }
        XCTAssertTrue(client.text.hasPrefix("retry: 2000\n\n"))
        XCTAssertFalse(client.text.contains(": heartbeat"), "no document yet, no beat yet")
        time.advance(by: .seconds(14))
        feed.sync()
        XCTAssertFalse(client.text.contains(": heartbeat"))
        time.advance(by: .seconds(1))
        waitUntil("a heartbeat") { client.text.components(separatedBy: ": heartbeat\n\n").count == 2 }
        time.advance(by: .seconds(15))
        waitUntil("another") { client.text.components(separatedBy: ": heartbeat\n\n").count == 3 }
    }

    func testAFirstBodyAfterARestartIsDiffedNotResent() throws {
        let feed = ServedFeed(id: "x", firstVersion: 0, time: ManualScheduler())
        feed.update(document: document(1), patch: nil, bodyBytes: 10)
        let client = RecordingClient()
        feed.subscribe(client, lastEventID: nil)
        // A new poller's first body: no patch it can vouch for; the feed diffs it.
        feed.update(document: document(2), patch: nil, bodyBytes: 10)
        // An unchanged one sends nothing.
        feed.update(document: document(2), patch: nil, bodyBytes: 10)
        waitUntil("two events") { client.events.count == 2 }
        feed.sync()
        XCTAssertEqual(client.events.map(\.type), ["data", "patch"])
        var applied = Document()
        for event in client.events { _ = applied.consume(event) }
        XCTAssertEqual(applied.current, document(2))
        XCTAssertEqual(feed.snapshot.polls, 3)
    }

    /// Clients that join at one version are all sent the same buffer: those that do not read
    /// hold the document once between them, not once each.
    func testClientsJoiningAtOneVersionShareOneBuffer() throws {
        let feed = ServedFeed(id: "x", firstVersion: 0, time: ManualScheduler())
        feed.update(document: ["big": .string(String(repeating: "z", count: 1 << 20))], patch: nil, bodyBytes: 10)
        let clients = (0..<3).map { _ in RecordingClient() }
        for client in clients { feed.subscribe(client, lastEventID: nil) }
        waitUntil("three clients") { feed.snapshot.clients == 3 }
        let firsts = try clients.map { try XCTUnwrap($0.pieces.first) }
        XCTAssertEqual(firsts.map(\.count), Array(repeating: firsts[0].count, count: 3))
        XCTAssertGreaterThan(firsts[0].count, 1 << 20)
        let addresses = Set(firsts.map { piece in piece.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) } })
        XCTAssertEqual(addresses.count, 1, "one buffer for the three")
        XCTAssertTrue(clients[0].text.hasPrefix("retry: 2000\n\nid: 1\nevent: data\n"))
    }

    func testCountersAndClosing() throws {
        let feed = ServedFeed(id: "x", firstVersion: 0, time: ManualScheduler())
        feed.update(document: document(1), patch: nil, bodyBytes: 100)
        let clients = (0..<3).map { _ in RecordingClient() }
        for client in clients { feed.subscribe(client, lastEventID: nil) }
        waitUntil("three clients") { feed.snapshot.clients == 3 }
        clients[2].refuses = true
        feed.update(document: document(2), patch: nil, bodyBytes: 100)
        feed.notModified()
        waitUntil("the refusing client dropped") { feed.snapshot.dropped == 1 }
        feed.sync()
        let counters = feed.snapshot
        XCTAssertEqual(counters.clients, 2)
        XCTAssertEqual(counters.connections, 3)
        XCTAssertEqual(counters.polls, 3)
        XCTAssertEqual(counters.pollBytes, 3 * 100 + 3 * 100, "each client's first document, then the poll")
        XCTAssertEqual(counters.sentBytes, Int64(clients.map(\.bytes.count).reduce(0, +)))
        feed.close()
        waitUntil("the clients ended") { clients[0].finished && clients[1].finished }
        let late = RecordingClient()
        feed.subscribe(late, lastEventID: nil)
        waitUntil("a late client ended at once") { late.finished }
        XCTAssertTrue(late.bytes.isEmpty)
        XCTAssertEqual(feed.snapshot.clients, 0)
    }
}

/// Records what the feed sends; `refuses` makes it refuse, as a client too far behind does.
private final class RecordingClient: FeedClient, @unchecked Sendable {
    private let lock = NSLock()
    private var received: [UInt8] = []
    private var sent: [[UInt8]] = []
    private var ended = false
    private var refusing = false

    var refuses: Bool {
        get { lock.withLock { refusing } }
        set { lock.withLock { refusing = newValue } }
    }

    func send(_ bytes: [UInt8]) -> Bool {
        lock.withLock {
            guard !refusing, !ended else { return false }
            received += bytes
            sent.append(bytes)
            return true
        }
    }

    func finish() { lock.withLock { ended = true } }
    func onClose(_ action: @escaping @Sendable () -> Void) {}

    var bytes: [UInt8] { lock.withLock { received } }
    /// Each piece as it was sent (the sender's buffers).
    var pieces: [[UInt8]] { lock.withLock { sent } }
    var text: String { String(decoding: bytes, as: UTF8.self) }
    var finished: Bool { lock.withLock { ended } }
    var events: [SSEEvent] {
        var parser = SSEParser()
        return parser.feed(bytes).compactMap { item in
            if case .event(let event) = item { return event }
            return nil
        }
    }
}

extension ServedFeed {
    /// The tests' documents are written as values.
    func update(document: JSONValue, patch: JSONPatch?, bodyBytes: Int) {
        update(document: JSONTree(document), patch: patch, bodyBytes: bodyBytes)
    }
}
