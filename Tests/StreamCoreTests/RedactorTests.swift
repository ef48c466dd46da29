import XCTest
@testable import StreamCore

final class RedactorTests: XCTestCase {
    func testHeaders() {
        XCTAssertEqual(Redactor.header(name: "Authorization", value: "Bearer abc.def"), "Bearer REDACTED")
        XCTAssertEqual(Redactor.header(name: "authorization", value: "abc"), "REDACTED")
        XCTAssertEqual(Redactor.header(name: "Cookie", value: "sid=1; theme=dark"), "REDACTED")
        XCTAssertEqual(Redactor.header(name: "X-Api-Key", value: "k"), "REDACTED")
        XCTAssertEqual(Redactor.header(name: "X-Auth-Token", value: "t"), "REDACTED")
        XCTAssertEqual(Redactor.header(name: "Accept", value: "text/event-stream"), "text/event-stream")
    }

    func testURLs() {
        XCTAssertEqual(Redactor.url("https://api.example.com/q?symbol=ACME&token=abc&api_key=k#frag"),
                       "https://api.example.com/q?symbol=ACME&token=REDACTED&api_key=REDACTED#frag")
        XCTAssertEqual(Redactor.url("https://user:pa%40ss@host:8443/x?a=1"), "https://user:REDACTED@host:8443/x?a=1")
        XCTAssertEqual(Redactor.url("https://user@host/x"), "https://user@host/x")
        XCTAssertEqual(Redactor.url("http://h/x?api%5Fkey=1&X-Amz-Signature=s&flag&page=2"),
                       "http://h/x?api%5Fkey=REDACTED&X-Amz-Signature=REDACTED&flag&page=2")
        XCTAssertEqual(Redactor.url("http://h/path"), "http://h/path")
        XCTAssertEqual(Redactor.url("http://h/?"), "http://h/?")
    }
}
