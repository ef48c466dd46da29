import XCTest
@testable import HTTPServer

/// What a connection's output keeps once written: a small buffer, never its largest piece.
final class OutputQueueTests: XCTestCase {
    func testALargePieceIsLetGoOnceWritten() {
        var queue = OutputQueue()
        queue.append([UInt8](repeating: 65, count: 47_000))  // a served stream's snapshot
        XCTAssertEqual(queue.write { $0.count }, 47_000)
        XCTAssertTrue(queue.isEmpty)
        XCTAssertLessThanOrEqual(queue.capacity, OutputQueue.keptCapacity)
        XCTAssertLessThan(queue.capacity, 47_000)
    }

    func testASmallBufferIsKeptAndPartialWritesLeaveTheRest() {
        var queue = OutputQueue()
        queue.append(Array("event: patch\n".utf8))
        queue.append(Array("data: []\n\n".utf8))
        XCTAssertEqual(queue.write { _ in 6 }, 6)
        XCTAssertEqual(queue.count, 17)
        var rest: [UInt8] = []
        XCTAssertEqual(queue.write { rest = Array($0); return $0.count }, 17)
        XCTAssertEqual(String(decoding: rest, as: UTF8.self), " patch\ndata: []\n\n")
        XCTAssertTrue(queue.isEmpty)
        XCTAssertGreaterThan(queue.capacity, 0)
    }
}
