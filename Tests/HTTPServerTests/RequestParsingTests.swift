import XCTest
@testable import HTTPServer

/// The head scanner, head parser and body reader on bytes, without sockets: every rule and
/// limit's status, and the incremental reading a socket's pieces need.
final class RequestParsingTests: XCTestCase {
    let limits = HTTPServer.Limits()

    /// Scans and parses `text` as one head; the failure's status, or the head.
    func parse(_ text: String, limits: HTTPServer.Limits? = nil) -> Result<RequestHead, HTTPFailure> {
        let bytes = Array(text.utf8)
        var scanner = HeadScanner()
        do throws(HTTPFailure) {
            guard case .complete(let length) = try scanner.scan(bytes, limits: limits ?? self.limits) else {
                return .failure(HTTPFailure(0, "incomplete"))
            }
            return .success(try HeadParser.parse(bytes[0..<(length - 4)], limits: limits ?? self.limits))
        } catch {
            return .failure(error)
        }
    }

    func status(_ text: String, limits: HTTPServer.Limits? = nil) -> Int {
        switch parse(text, limits: limits) {
        case .success: return 200
        case .failure(let failure): return failure.status
        }
    }

    func testAGoodHeadWithDecodedPathAndQuery() throws {
        let text = "GET /v1/streams/a%20b+c?x=1+2&y=%41&x=3&flag HTTP/1.1\r\nHost: h\r\nX-One:  v \r\n\r\n"
        let head = try parse(text).get()
        XCTAssertEqual(head.method, "GET")
        XCTAssertEqual(head.path, "/v1/streams/a b+c")
        XCTAssertEqual(head.target, "/v1/streams/a%20b+c?x=1+2&y=%41&x=3&flag")
        XCTAssertEqual(head.query, ["x": "3", "y": "A", "flag": ""])
        XCTAssertEqual(head.headers.map(\.name), ["host", "x-one"])
        XCTAssertEqual(head.headers[1].value, "v")
        XCTAssertEqual(head.framing, .none)
        XCTAssertTrue(head.keepAlive)
    }

    func testAbsoluteFormAndConnectionRules() throws {
        let absolute = try parse("GET http://example.com:8/a?b=c HTTP/1.1\r\nHost: x\r\n\r\n").get()
        XCTAssertEqual(absolute.path, "/a")
        XCTAssertEqual(absolute.query, ["b": "c"])
        XCTAssertFalse(try parse("GET / HTTP/1.0\r\n\r\n").get().keepAlive)
        XCTAssertFalse(try parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Close\r\n\r\n").get().keepAlive)
    }

    func testMalformedHeadsAre400() {
        let malformed = [
            "GET  / HTTP/1.1\r\nHost: x\r\n\r\n",  // two spaces
            "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",
            "G(T / HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /a\u{7F}b HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET / HTTX/1.1\r\nHost: x\r\n\r\n",
            "GET relative HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /%ff HTTP/1.1\r\nHost: x\r\n\r\n",  // not UTF-8
            "GET / HTTP/1.1\r\n\r\n",  // no Host
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nName : v\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nNo-colon\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\nA: bare-lf\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nA: nul\u{0}\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
        ]
        for text in malformed {
            XCTAssertEqual(status(text), 400, text.debugDescription)
        }
        XCTAssertEqual(status("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505)
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), 501)
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n"), 417)
    }

    func testLengthsAndCodings() throws {
        let same = try parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n").get()
        XCTAssertEqual(same.framing, .length(5))
        let huge = try parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n").get()
        XCTAssertEqual(huge.framing, .length(Int.max))
        let chunked = try parse(
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\nExpect: 100-Continue\r\n\r\n"
        ).get()
        XCTAssertEqual(chunked.framing, .chunked)
        XCTAssertTrue(chunked.expectsContinue)
        XCTAssertFalse(try parse("POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n").get().expectsContinue)
    }

    func testLimitsOnTheHead() {
        let line = "GET /" + String(repeating: "a", count: limits.maxRequestLine) + " HTTP/1.1\r\n"
        XCTAssertEqual(status(line + "Host: x\r\n\r\n"), 414)
        // Detected before the line ends: a client cannot make the server wait for it.
        var scanner = HeadScanner()
        XCTAssertThrowsError(try scanner.scan(Array(line.utf8.prefix(limits.maxRequestLine + 2)), limits: limits))
        let exactly = "GET /" + String(repeating: "a", count: limits.maxRequestLine - 14) + " HTTP/1.1"
        XCTAssertEqual(exactly.utf8.count, limits.maxRequestLine)
        XCTAssertEqual(status(exactly + "\r\nHost: x\r\n\r\n"), 200)

        let padding = "X-Pad: " + String(repeating: "p", count: 200) + "\r\n"
        let big = "GET / HTTP/1.1\r\nHost: x\r\n" + String(repeating: padding, count: 80)
        XCTAssertEqual(status(big + "\r\n"), 431)
        var partial = HeadScanner()
        XCTAssertThrowsError(try partial.scan(Array(big.utf8), limits: limits))  // before its end arrives

        let many = "GET / HTTP/1.1\r\nHost: x\r\n" + String(repeating: "A: b\r\n", count: limits.maxHeaderLines)
        XCTAssertEqual(status(many + "\r\n"), 431)
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: x\r\n" + String(repeating: "A: b\r\n", count: 99) + "\r\n"), 200)
    }

    func testTheScannerFindsTheEndAcrossPiecesWithoutRescanning() throws {
        let text = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\nrest".utf8)
        for split in 1..<(text.count - 4) {
            var scanner = HeadScanner()
            var input = Array(text[0..<split])
            var outcome = try scanner.scan(input, limits: limits)
            if outcome == .needMore {
                input = text
                outcome = try scanner.scan(input, limits: limits)
            }
            XCTAssertEqual(outcome, .complete(headLength: text.count - 4), "split at \(split)")
        }
    }

    // MARK: Bodies

    func read(
        _ framing: BodyFraming, pieces: [String], limits: HTTPServer.Limits? = nil
    ) -> Result<[UInt8], HTTPFailure> {
        do throws(HTTPFailure) {
            var reader = try BodyReader(framing: framing, limits: limits ?? self.limits)
            var input: [UInt8] = []
            for piece in pieces {
                input += Array(piece.utf8)
                if case .complete(let body) = try reader.read(from: &input) { return .success(body) }
            }
            return .failure(HTTPFailure(0, "incomplete"))
        } catch {
            return .failure(error)
        }
    }

    func testLengthBodiesArriveInPieces() throws {
        XCTAssertEqual(try read(.length(5), pieces: ["he", "l", "lo"]).get(), Array("hello".utf8))
        XCTAssertEqual(try read(.none, pieces: [""]).get(), [])
        var small = limits
        small.maxBody = 4
        XCTAssertThrowsError(try BodyReader(framing: .length(5), limits: small))
    }

    func testChunkedBodies() throws {
        let whole = "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n"
        XCTAssertEqual(try read(.chunked, pieces: [whole]).get(), Array("hello world".utf8))
        // Byte by byte, and what follows stays in the input.
        var reader = try BodyReader(framing: .chunked, limits: limits)
        var input: [UInt8] = []
        var body: [UInt8]?
        for byte in Array((whole + "NEXT").utf8) {
            input.append(byte)
            if body == nil, case .complete(let bytes) = try reader.read(from: &input) { body = bytes }
        }
        XCTAssertEqual(body, Array("hello world".utf8))
        XCTAssertEqual(input, Array("NEXT".utf8))

        XCTAssertEqual(try read(.chunked, pieces: ["A\r\n0123456789\r\n0\r\n\r\n"]).get().count, 10)
        for bad in ["x\r\n", "5\r\nhelloX\r\n", "5\nhello\r\n", "5\r\nhello\r\n0\r\nT: x\n\r\n"] {
            XCTAssertEqual(read(.chunked, pieces: [bad]).status, 400, bad.debugDescription)
        }
        var small = limits
        small.maxBody = 8
        XCTAssertEqual(read(.chunked, pieces: ["5\r\nhello\r\n5\r\n"], limits: small).status, 413)
        XCTAssertEqual(read(.chunked, pieces: ["ffffffffffffffffff\r\n"]).status, 413)
    }
}

extension Result<[UInt8], HTTPFailure> {
    var status: Int? {
        if case .failure(let failure) = self { return failure.status }
        return nil
    }
}
