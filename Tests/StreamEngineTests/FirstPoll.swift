import Dispatch
import XCTest
@testable import StreamEngine

extension XCTestCase {
    /// The first poll a poller with `options` makes on `loop`, then stopped: one request as a
    /// registered poller makes it.
    func firstPoll(_ options: PollConnection.Options, loop: CurlLoop) -> PollConnection.Poll? {
        var options = options
        options.interval = .seconds(3600)
        let polled = expectation(description: "polled")
        final class Box: @unchecked Sendable { var poll: PollConnection.Poll? }  // written before `polled`
        let box = Box()
        let poller = PollConnection(options: options, loop: loop, queue: DispatchQueue(label: "first-poll")) { report in
            if case .poll(let poll) = report, box.poll == nil {
                box.poll = poll
                polled.fulfill()
            }
        }
        poller.start()
        wait(for: [polled], timeout: 30)
        poller.stop()
        return box.poll
    }
}
