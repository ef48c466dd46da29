#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import StreamCore
import StreamEngine

/// The archive as `run --s3` uploaded it: `PREFIX/<stream>/YYYY/MM/DD/<stream>-<start>-<n>.jsonl.gz`,
/// listed once and read back one segment at a time with the same signing (see `S3Client`), so a
/// report works on any machine with the bucket's credentials. Keys that are not segments are
/// left alone.
final class S3ArchiveSource: ArchiveSource {
    private let client: S3Client
    private let loop: CurlLoop
    private var listing: [String: [(part: ArchivePart, key: String)]]?

    /// The most one segment may take, compressed (a part is at most 64 MiB before).
    static let maxSegmentBytes = 256 << 20

    init(location: S3Location, credentials: AWSCredentials) throws {
        loop = try CurlLoop()
        client = S3Client(location: location, credentials: credentials, loop: loop)
    }

    deinit { loop.shutdown() }

    var location: String { client.location.description }

    func streams() throws -> [String] {
        try segments().keys.sorted()
    }

    func parts(of stream: String) throws -> [ArchivePartReference] {
        try (segments()[stream] ?? []).map { ArchivePartReference(name: $0.key, date: $0.part.date) }
    }

    func read(_ part: ArchivePartReference, of stream: String) throws -> JSONLinesReader.Result {
        let bytes = try client.getAndWait(key: part.name, limit: S3ArchiveSource.maxSegmentBytes)
        // Decompressed as a local part is, from a private temporary file.
        let path = NSTemporaryDirectory() + "streamtop-segment-\(getpid())-\(UUID().uuidString).jsonl.gz"
        defer { unlink(path) }
        let made = FileManager.default.createFile(
            atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
        guard made else { throw FileError(path: path, operation: "create", code: errno) }
        var result = try JSONLinesReader.readFile(path: path)
        result.warnings = result.warnings.map { $0.replacingOccurrences(of: path, with: "s3 \(part.name)") }
        return result
    }

    /// Every segment under the prefix, by stream, oldest first. Listed by the prefix without
    /// its last `/` and filtered here: some S3-compatible stores mis-sign a listing whose prefix
    /// holds a `/`.
    private func segments() throws -> [String: [(part: ArchivePart, key: String)]] {
        if let listing { return listing }
        let prefix = client.location.prefix
        let listed = try client.listAndWait(prefix: prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix)
        var found: [String: [(part: ArchivePart, key: String)]] = [:]
        for object in listed where object.key.hasPrefix(prefix) {
            let rest = object.key.dropFirst(prefix.count)
            guard let slash = rest.firstIndex(of: "/"), let part = ArchivePart(objectKey: object.key) else { continue }
            found[String(rest[..<slash]), default: []].append((part, object.key))
        }
        for stream in found.keys { found[stream]?.sort { ($0.part, $0.key) < ($1.part, $1.key) } }
        listing = found
        return found
    }
}
