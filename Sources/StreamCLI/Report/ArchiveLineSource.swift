import StreamCore
import StreamEngine

/// A source whose parts can be read line by line, a chunk at a time, so that a report holds
/// a chunk of a part in memory rather than all its records.
protocol ArchiveLineSource: ArchiveSource {
    /// The name warnings about a part's lines give it (as `read`'s do).
    func name(of part: ArchivePartReference, of stream: String) -> String
    /// Hands each line of a part to `body` with its number; returns the warning for a torn
    /// last line. An error is found when reached, after the lines before it were handed on.
    func forEachLine(
        _ part: ArchivePartReference, of stream: String, _ body: (UnsafeBufferPointer<UInt8>, Int) -> Void
    ) throws(FileError) -> String?
}

extension LocalArchiveSource: ArchiveLineSource {
    func name(of part: ArchivePartReference, of stream: String) -> String {
        "\(root)/\(stream)/\(part.name)"
    }

    func forEachLine(
        _ part: ArchivePartReference, of stream: String, _ body: (UnsafeBufferPointer<UInt8>, Int) -> Void
    ) throws(FileError) -> String? {
        try JSONLinesReader.forEachLine(path: name(of: part, of: stream), body)
    }
}
