/// Reads one request body from a connection's input as it arrives: a declared length, or
/// chunked coding (chunk sizes, extensions ignored, trailers read and dropped), within
/// `maxBody` (413) and with chunk-size and trailer lines bounded like a head.
struct BodyReader {
    enum Progress {
        case needMore
        case complete([UInt8])
    }

    private enum State {
        case length(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailer
        case done
    }

    private var state: State
    private var body: [UInt8] = []
    private var line: [UInt8] = []
    private var trailerBytes = 0
    private let limits: HTTPServer.Limits

    /// A reader for `framing`; a length past `maxBody` is refused here, before any of it is read.
    init(framing: BodyFraming, limits: HTTPServer.Limits) throws(HTTPFailure) {
        self.limits = limits
        switch framing {
        case .none: state = .done
        case .length(let length):
            guard length <= limits.maxBody else { throw Self.tooLarge(limits) }
            state = length == 0 ? .done : .length(remaining: length)
            body.reserveCapacity(length)
        case .chunked: state = .chunkSize
        }
    }

    /// Takes what it needs from the front of `input` (removing it there).
    mutating func read(from input: inout [UInt8]) throws(HTTPFailure) -> Progress {
        var index = 0
        defer { input.removeFirst(index) }
        while true {
            switch state {
            case .done:
                let complete = body
                body = []
                return .complete(complete)
            case .length(let remaining):
                let count = min(remaining, input.count - index)
                body.append(contentsOf: input[index..<(index + count)])
                index += count
                if count < remaining {
                    state = .length(remaining: remaining - count)
                    return .needMore
                }
                state = .done
            case .chunkData(let remaining):
                let count = min(remaining, input.count - index)
                body.append(contentsOf: input[index..<(index + count)])
                index += count
                if count < remaining {
                    state = .chunkData(remaining: remaining - count)
                    return .needMore
                }
                state = .chunkDataEnd
            case .chunkSize, .chunkDataEnd, .trailer:
                guard let lineEnd = input[index...].firstIndex(of: 10) else {
                    line.append(contentsOf: input[index...])
                    index = input.count
                    if line.count > limits.maxRequestLine { throw HTTPFailure(400, "a chunk-size line is too long") }
                    return .needMore
                }
                line.append(contentsOf: input[index...lineEnd])
                index = lineEnd + 1
                try endOfLine()
            }
        }
    }

    /// A whole line (with its LF) is in `line`: what it says in the current state.
    private mutating func endOfLine() throws(HTTPFailure) {
        defer { line.removeAll(keepingCapacity: true) }
        guard line.count >= 2, line[line.count - 2] == 13 else {
            throw HTTPFailure(400, "a line of the chunked body does not end in CRLF")
        }
        let content = line[0..<(line.count - 2)]
        switch state {
        case .chunkDataEnd:
            guard content.isEmpty else { throw HTTPFailure(400, "a chunk is longer than its size says") }
            state = .chunkSize
        case .chunkSize:
            let size = try Self.chunkSize(content, limits: limits)
            guard size <= limits.maxBody - body.count else { throw Self.tooLarge(limits) }
            state = size == 0 ? .trailer : .chunkData(remaining: size)
        case .trailer:
            if content.isEmpty {
                state = .done
                return
            }
            trailerBytes += line.count
            if trailerBytes > limits.maxHead {
                throw HTTPFailure(431, "the request's trailer is larger than \(limits.maxHead) bytes")
            }
        default:
            break
        }
    }

    /// The hexadecimal size at the start of a chunk-size line (extensions after `;` ignored).
    private static func chunkSize(_ content: ArraySlice<UInt8>, limits: HTTPServer.Limits) throws(HTTPFailure) -> Int {
        let digits = content.prefix { TargetDecoding.hexValue($0) != nil }
        let rest = content[digits.endIndex...].drop { $0 == 32 || $0 == 9 }
        guard !digits.isEmpty, rest.isEmpty || rest.first == UInt8(ascii: ";") else {
            throw HTTPFailure(400, "a chunk size is not a hexadecimal number")
        }
        let significant = digits.drop { $0 == UInt8(ascii: "0") }
        guard significant.count <= 15 else { throw tooLarge(limits) }
        return significant.reduce(0) { $0 << 4 | Int(TargetDecoding.hexValue($1)!) }
    }

    private static func tooLarge(_ limits: HTTPServer.Limits) -> HTTPFailure {
        HTTPFailure(413, "the request body is larger than \(limits.maxBody) bytes")
    }
}
