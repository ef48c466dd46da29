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

    /// Runs `streamtop ARGUMENTS` in this process, with `environment` added to its own; the exit
    /// status and both outputs.
    func run(_ arguments: [String], environment: [String: String] = [:]) -> (status: Int32, out: String, err: String) {
        let out = MemorySink()
        let err = MemorySink()
        let base: [String: String] = ["HOME": home, "XDG_CONFIG_HOME": home + "/config"]
        let context = CommandContext(
            output: out, errors: err, environment: base.merging(environment) { $1 })
        let status = Streamtop.main(arguments, context: context)
        return (status, out.text, err.text)
    }
}
