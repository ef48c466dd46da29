/// Finds where a request head ends in a connection's input as it grows, one read at a time,
/// without searching the same bytes twice, and applies the length limits on the way: the
/// request line (414) before the head has ended, the whole head (431).
struct HeadScanner {
    enum Outcome: Equatable {
        case needMore
        /// The head is the first `headLength` bytes, its blank line included.
        case complete(headLength: Int)
    }

    private var scanned = 0
    private var requestLineSeen = false

    mutating func scan(_ input: [UInt8], limits: HTTPServer.Limits) throws(HTTPFailure) -> Outcome {
        if !requestLineSeen {
            guard let lineFeed = input[scanned...].firstIndex(of: 10) else {
                // Without its line feed yet, the line is at least this long (less a CR at the end).
                if input.count > limits.maxRequestLine + 1 { throw Self.uriTooLong(limits) }
                scanned = input.count
                return .needMore
            }
            let lineLength = lineFeed > 0 && input[lineFeed - 1] == 13 ? lineFeed - 1 : lineFeed
            if lineLength > limits.maxRequestLine { throw Self.uriTooLong(limits) }
            requestLineSeen = true
        }
        var index = max(0, scanned - 3)
        while index + 3 < input.count {
            if input[index + 3] != 10 {
                // No window holding this byte can end the head, unless it is a CR (a window's
                // first or third byte).
                index += input[index + 3] == 13 ? 1 : 4
                continue
            }
            if input[index] == 13, input[index + 1] == 10, input[index + 2] == 13 {
                let headLength = index + 4
                if headLength > limits.maxHead { throw Self.headTooLarge(limits) }
                return .complete(headLength: headLength)
            }
            index += 1
        }
        if input.count > limits.maxHead { throw Self.headTooLarge(limits) }
        scanned = input.count
        return .needMore
    }

    private static func uriTooLong(_ limits: HTTPServer.Limits) -> HTTPFailure {
        HTTPFailure(414, "the request line is longer than \(limits.maxRequestLine) bytes")
    }

    private static func headTooLarge(_ limits: HTTPServer.Limits) -> HTTPFailure {
        HTTPFailure(431, "the request head is larger than \(limits.maxHead) bytes")
    }
}
