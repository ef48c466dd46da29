import StreamCore

/// Names one connection across threads: its descriptor, and a serial that tells it apart from
/// a later connection given the same descriptor.
struct ConnectionKey: Hashable, Sendable {
    var fd: Int32
    var serial: UInt64
}

/// One client connection's state. Owned by the server's loop thread: only `ServerLoop`
/// touches it, on that thread (it is not `Sendable`, so no other thread can reach it).
final class ServerConnection {
    enum Phase {
        /// Reading a request: its head, then its body.
        case reading
        /// A request went to the handler; its answer has not come.
        case awaitingAnswer
        /// Writing a whole response; then the next request, or the end.
        case writing(keepAlive: Bool)
        /// Writing a streamed response until it finishes or the client goes.
        case streaming(StreamChannel)
        /// Answered and shut for writing: reading and dropping what the client still sends,
        /// until it closes or the linger time is up.
        case draining
    }

    /// What a connection's deadline is for.
    enum DeadlineKind {
        case idle
        case request
        case writeStall
        case linger
    }

    let key: ConnectionKey
    let peer: HTTPPeer
    /// A Unix peer of another uid: its request is answered 403.
    let refused: Bool
    var phase: Phase = .reading
    /// Bytes read and not yet parsed.
    var input: [UInt8] = []
    var output = OutputQueue()
    var scanner = HeadScanner()
    /// The head of the request being read, once it has arrived.
    var head: RequestHead?
    var body: BodyReader?
    /// The request being answered was HEAD.
    var answeringHead = false
    /// Whether the request being answered lets the connection serve another.
    var keepAlive = true
    /// Closed and forgotten by the loop.
    var closed = false
    /// The output holds body bytes taken from `streamChannel` (counted there until written).
    var outputIsStream = false
    /// The client sent its FIN (a read returned 0).
    var inputEnded = false
    /// The client shut its side (EPOLLRDHUP) while no read was wanted.
    var peerHungUp = false
    /// The epoll events registered for the descriptor.
    var registeredEvents: UInt32
    /// When the connection's current wait ends (checked by the loop's sweep), and why.
    var deadline: Moment?
    var deadlineKind: DeadlineKind?
    /// When a write last made progress (for the write-stall deadline).
    var lastProgress: Moment
    /// Bytes dropped while draining.
    var drained = 0

    init(key: ConnectionKey, peer: HTTPPeer, refused: Bool, events: UInt32, now: Moment) {
        self.key = key
        self.peer = peer
        self.refused = refused
        registeredEvents = events
        lastProgress = now
    }

    /// Ready for the next request on a kept-alive connection.
    func resetForNextRequest() {
        phase = .reading
        scanner = HeadScanner()
        head = nil
        body = nil
        answeringHead = false
    }

    var streamChannel: StreamChannel? {
        if case .streaming(let channel) = phase { return channel }
        return nil
    }
}
