import Dispatch
import Foundation
import Synchronization
@testable import StreamCLI

/// `streamtop run --headless ARGUMENTS` in this process, on a thread of its own, until `stop`
/// (what SIGINT does to the binary).
final class InProcessEngine: Sendable {
    private let stopping = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    private let result = Mutex<(status: Int32, out: String, err: String)?>(nil)

    init(_ arguments: [String], environment: [String: String]) {
        Thread.detachNewThread { [self] in
            let out = MemorySink()
            let err = MemorySink()
            let status = Streamtop.main(
                ["run", "--headless"] + arguments,
                context: CommandContext(
                    output: out, errors: err, environment: environment,
                    interrupted: { self.stopping.load(ordering: .relaxed) }))
            result.withLock { $0 = (status, out.text, err.text) }
            done.signal()
        }
    }

    /// What it said and returned, once it ended (by itself: a failure to start).
    var ended: (status: Int32, out: String, err: String)? { result.withLock { $0 } }

    /// Stops it and waits for it to end; its exit status and outputs.
    @discardableResult
    func stop() -> (status: Int32, out: String, err: String) {
        stopping.store(true, ordering: .relaxed)
        done.wait()
        done.signal()  // a second stop returns at once
        return result.withLock { $0! }
    }
}
