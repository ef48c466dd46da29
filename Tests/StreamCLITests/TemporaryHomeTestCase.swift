import Foundation
import XCTest
@testable import StreamCLI

/// A test case whose commands run in-process with a fresh home directory ($HOME, and
/// $XDG_CONFIG_HOME below it), removed afterwards.
class TemporaryHomeTestCase: XCTestCase {
    var home: String!

    override func setUpWithError() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-home-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: home)
    }

    /// Runs `streamtop ARGUMENTS` in this process; the exit status and both outputs.
    func run(_ arguments: [String]) -> (status: Int32, out: String, err: String) {
        let out = MemorySink()
        let err = MemorySink()
        let status = Streamtop.main(arguments, context: CommandContext(output: out, errors: err, environment: ["HOME": home, "XDG_CONFIG_HOME": home + "/config"]))
        return (status, out.text, err.text)
    }
}
