extension HTTPServer {
    /// What one client may cost the server. Every bound answers with its status (or closes)
    /// instead of growing memory or holding a connection forever.
    package struct Limits: Sendable, Equatable {
        /// The request line, without its CRLF (longer: 414).
        package var maxRequestLine = 8 << 10
        /// The whole head, request line and header lines with their CRLFs (larger: 431).
        package var maxHead = 16 << 10
        /// Header lines in one head (more: 431).
        package var maxHeaderLines = 100
        /// A request body, as declared or as decoded from chunks (larger: 413).
        package var maxBody = 1 << 20
        /// From a request's first byte to its last (slower: 408).
        package var requestTimeout: Duration = .seconds(10)
        /// A keep-alive connection without a request in progress closes after this; so does
        /// one whose client reads none of a response for as long.
        package var idleTimeout: Duration = .seconds(60)
        /// Open connections (more are closed as soon as they are accepted).
        package var maxConnections = 1_024
        /// Of those, how many TCP clients can never take: kept for the Unix socket's (this
        /// user's) clients.
        package var reservedForUnix = 64
        /// A streamed response's bytes queued and not yet taken by the client (past it the
        /// connection is dropped). One piece larger than this passes when nothing else waits
        /// (the first snapshot of a large status).
        package var maxStreamBacklog = 4 << 20
        /// The kernel's send buffer of each TCP connection (nil: the kernel's own, which grows to
        /// megabytes): with thousands of streamed clients, what a client that stops reading can
        /// hold in the kernel besides its backlog here.
        package var socketSendBuffer: Int?
        /// Streamed responses served at once (more are answered 503): with each one's backlog,
        /// the most that clients who stop reading can make the server hold (256 MiB).
        package var maxStreams = 64
        /// How long accepting pauses when the process is out of file descriptors.
        package var acceptBackoff: Duration = .milliseconds(100)
        /// After an answer that closes the connection, how long the rest of what the client
        /// sends is read and discarded, so the answer is not lost to a reset.
        package var lingerTimeout: Duration = .seconds(5)
        /// How often deadlines are checked: a timeout fires up to this much late.
        package var timerResolution: Duration = .seconds(1)

        package init() {}
    }
}
