import StreamCore
import StreamEngine

/// A source whose parts can be read line by line, a chunk at a time, so that a report holds
/// a chunk of a part in memory rather than all its records (the local archive, and S3's
/// objects once downloaded): report and replay read every source through the same lines.
protocol ArchiveLineSource: ArchiveSource {
    /// The name warnings about a part's lines give it (as `read`'s do).
    func name(of part: ArchivePartReference, of stream: String) -> String
    /// Hands each line of a part to `body` with its number; returns the warning for a torn
    /// last line. An error is found when reached, after the lines before it were handed on.
    func forEachLine(
        _ part: ArchivePartReference, of stream: String, _ body: (UnsafeBufferPointer<UInt8>, Int) -> Void
    ) throws -> String?
}

extension ArchiveLineSource {
    /// The part's records, read line by line; a torn last line or a line that is not JSON is
    /// a warning.
    func read(_ part: ArchivePartReference, of stream: String) throws -> JSONLinesReader.Result {
        let name = name(of: part, of: stream)
        var result = JSONLinesReader.Result()
        let torn = try forEachLine(part, of: stream) { line, number in
            JSONLinesReader.add(line, number: number, name: name, to: &result)
        }
        if let torn { result.warnings.append(torn) }
        return result
    }
}

extension LocalArchiveSource: ArchiveLineSource {
    func name(of part: ArchivePartReference, of stream: String) -> String {
        "\(root)/\(stream)/\(part.name)"
    }

    func forEachLine(
        _ part: ArchivePartReference, of stream: String, _ body: (UnsafeBufferPointer<UInt8>, Int) -> Void
    ) throws -> String? {
        try JSONLinesReader.forEachLine(path: name(of: part, of: stream), body)
    }
}
