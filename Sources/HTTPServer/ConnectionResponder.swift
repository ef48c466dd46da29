import Synchronization

/// Answers one request, once, from any thread, by handing the answer to the loop. A second
/// answer is ignored; a responder dropped without answering answers 500, so a handler that
/// forgets (or throws past its answer) never leaves a client waiting.
final class ConnectionResponder: HTTPResponder {
    private let loop: ServerLoop
    private let key: ConnectionKey
    private let answered = Atomic(false)

    init(loop: ServerLoop, key: ConnectionKey) {
        self.loop = loop
        self.key = key
    }

    deinit {
        guard claim() else { return }
        loop.submit { [key] in $0.completeUnanswered(key) }
    }

    func respond(_ response: HTTPServerResponse) {
        guard claim() else { return }
        loop.submit { [key] in $0.complete(key, response) }
    }

    func stream(status: Int, headers: [(name: String, value: String)]) -> any HTTPResponseStream {
        let key = self.key
        let loop = self.loop
        let channel = StreamChannel(limit: loop.limits.maxStreamBacklog) { wake in
            loop.submit { $0.streamWake(key, wake) }
        }
        if !claim() || !loop.submit({ $0.beginStream(key, status: status, headers: headers, channel: channel) }) {
            channel.close()  // answered already, or the server has stopped
        }
        return ResponseStream(channel)
    }

    /// True for the first answer only.
    private func claim() -> Bool {
        answered.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }
}
