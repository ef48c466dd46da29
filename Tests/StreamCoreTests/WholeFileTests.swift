import Foundation
import XCTest
@testable import StreamCore

/// WholeFile: files larger than one read, a missing file, the size limit.
final class WholeFileTests: XCTestCase {
    func testReadsMissingAndTooLarge() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-whole-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try WholeFile.read(path: path)) { XCTAssertEqual($0 as? WholeFile.Failure, .missing) }
        var random = SplitMix64(seed: 5)
        let bytes = (0..<200_001).map { _ in UInt8(truncatingIfNeeded: random.next()) }  // three reads and a bit
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try WholeFile.read(path: path), bytes)
        XCTAssertThrowsError(try WholeFile.read(path: path, limit: 100_000)) { XCTAssertEqual($0 as? WholeFile.Failure, .tooLarge(limit: 100_000)) }
        XCTAssertThrowsError(try WholeFile.read(path: "/")) { error in
            guard case .failed(operation: "read", code: EISDIR) = error as? WholeFile.Failure else { return XCTFail("\(error)") }
        }
    }
}
