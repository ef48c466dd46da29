import Foundation
import Synchronization

/// Reads a pipe on a thread of its own until it ends, so a test can wait for what arrived
/// (`waitUntil { collector.text.contains(…) }`) without ever blocking on a read.
final class PipeCollector: Sendable {
    private let received = Mutex<[UInt8]>([])
    private let ended = Atomic<Bool>(false)

    init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                received.withLock { $0 += Array(data) }
            }
            ended.store(true, ordering: .releasing)
        }
    }

    var text: String { String(decoding: received.withLock { $0 }, as: UTF8.self) }
    /// Whether the writing end was closed (the process ended).
    var isEnded: Bool { ended.load(ordering: .acquiring) }
}
