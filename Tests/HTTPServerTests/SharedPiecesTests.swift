import XCTest
@testable import HTTPServer

/// What a streamed response and a request's target cost and mean, without sockets.
final class SharedPiecesTests: XCTestCase {
    /// A piece sent while nothing waits is kept as the sender's buffer: a document sent to
    /// thousands of clients that do not read is held once, not once per client.
    func testAPieceSentIntoAnEmptyBacklogIsTheSendersBufferNotACopy() {
        let channel = StreamChannel(limit: 1 << 10, wake: { _ in true })
        let piece = [UInt8](repeating: 7, count: 1 << 20)
        XCTAssertTrue(channel.send(piece), "a piece larger than the limit passes when nothing waits")
        let taken = channel.take()
        XCTAssertEqual(taken, piece)
        XCTAssertEqual(
            taken.withUnsafeBufferPointer { $0.baseAddress }, piece.withUnsafeBufferPointer { $0.baseAddress },
            "the same storage")
        channel.wrote(taken.count)
        // Behind another piece it joins the backlog (and must fit in it).
        XCTAssertTrue(channel.send([1, 2, 3]))
        XCTAssertTrue(channel.send([4]))
        XCTAssertEqual(channel.take(), [1, 2, 3, 4])
    }

    /// Only an absolute-form target has an authority to skip; `://` in a path is part of it.
    func testASchemeInsideAPathIsNotAnAuthority() {
        func segments(_ target: String) -> [String]? {
            HTTPServerRequest(method: "GET", path: "", target: target, peer: .tcp("test")).pathSegments
        }
        XCTAssertEqual(segments("http://evil.example/v1/health?x=1"), ["v1", "health"])
        XCTAssertEqual(segments("/v1/health"), ["v1", "health"])
        XCTAssertEqual(segments("/x://y/v1/health"), ["x:", "", "y", "v1", "health"])
        XCTAssertEqual(segments("/v1/streams/a://b/sse"), ["v1", "streams", "a:", "", "b", "sse"])
    }
}
