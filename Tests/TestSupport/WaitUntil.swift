import Foundation
import XCTest

/// Waits until `condition` holds, looking every 10 ms, and fails the test with `message` if it
/// never does. The timeout is a bound for a broken build, never a pace: a test waits for an
/// event, and a loaded machine only makes the wait longer. The one wait helper of every test
/// target.
@discardableResult
package func waitUntil(
    _ message: @autoclosure () -> String, timeout: TimeInterval = 30,
    file: StaticString = #filePath, line: UInt = #line, _ condition: () throws -> Bool
) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try condition() { return true }
        if Date() >= deadline {
            XCTFail("timed out after \(Int(timeout)) s waiting for: \(message())", file: file, line: line)
            return false
        }
        usleep(10_000)
    }
}
