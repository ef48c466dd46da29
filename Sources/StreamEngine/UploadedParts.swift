#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The archive parts of one stream that reached S3: `<archive>/<stream>/uploaded`, one part
/// name a line, appended by the uploader once the store confirmed the part. It says which
/// parts still wait (after a restart, or a kill in the middle of an upload), and it keeps a
/// new part from taking the number, and so the S3 key, of one uploaded and removed locally.
/// A torn last line names no part and is ignored.
package enum UploadedParts {
    package static let fileName = "uploaded"

    /// The names listed for the stream archived in `directory`.
    static func names(in directory: String) -> Set<String> {
        guard let bytes = try? readWholeFile("\(directory)/\(fileName)") else { return [] }
        return Set(bytes.split(separator: 0x0A).compactMap { line in
            let name = String(decoding: line, as: UTF8.self)
            return ArchivePart(name: name) == nil ? nil : name
        })
    }

    /// The parts listed, parsed.
    static func parts(in directory: String) -> [ArchivePart] {
        names(in: directory).compactMap { ArchivePart(name: $0) }
    }

    /// Adds `name` to the list (one `write(2)` of a whole line).
    static func add(_ name: String, in directory: String) throws(FileError) {
        let file = try AppendOnlyFile(path: "\(directory)/\(fileName)")
        let line = Array((name + "\n").utf8)
        try line.withUnsafeBufferPointer { (bytes) throws(FileError) in try file.append(bytes) }
    }

    /// Rewrites the list with only `kept` (names of parts old enough to be gone are dropped,
    /// so the list does not grow for ever), atomically.
    static func rewrite(_ kept: Set<String>, in directory: String) throws {
        let text = kept.sorted().map { $0 + "\n" }.joined()
        try StatusFile.write(Array(text.utf8), to: "\(directory)/\(fileName)")
    }
}
