extension HTTPServer {
    /// What the server holds now, and what it has done since it started.
    package struct Statistics: Sendable, Equatable {
        /// Open connections, in any phase.
        package var connections = 0
        /// Connections with part of a request in hand (its timeout running).
        package var partialRequests = 0
        /// Requests with the handler, not yet answered.
        package var awaitingAnswers = 0
        package var streams = 0
        /// Every byte the server holds for clients: unparsed input, unwritten output, streams'
        /// backlogs.
        package var bufferedBytes = 0
        /// Accepting is paused (out of descriptors).
        package var acceptPaused = false

        /// Connections accepted since the start (including those refused over the limit).
        package var accepted = 0
        /// Connections closed at once because `maxConnections` were open.
        package var refusedOverLimit = 0
        /// Complete requests handed to the handler.
        package var requests = 0
        /// Times accepting paused.
        package var acceptPauses = 0
        /// Times the loop woke (for a loop that must not spin).
        package var loopTurns = 0

        package init() {}
    }
}

extension ServerLoop {
    func statistics() -> HTTPServer.Statistics {
        checkLoopThread()
        var statistics = totals
        statistics.connections = connections.count
        statistics.acceptPaused = acceptPaused
        for connection in connections.values {
            statistics.bufferedBytes += connection.input.count + connection.output.count
            switch connection.phase {
            case .reading:
                if connection.head != nil || !connection.input.isEmpty { statistics.partialRequests += 1 }
            case .awaitingAnswer:
                statistics.awaitingAnswers += 1
            case .streaming(let channel):
                statistics.streams += 1
                statistics.bufferedBytes += channel.pendingCount
            case .writing, .draining:
                break
            }
        }
        return statistics
    }
}
