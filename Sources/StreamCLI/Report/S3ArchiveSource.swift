import StreamCore
import StreamEngine

/// The archive as `run --s3` uploaded it: `PREFIX/<stream>/YYYY/MM/DD/<stream>-<start>-<n>.jsonl.gz`,
/// listed once and read back one segment at a time with the same signing (see `S3Client`), so a
/// report works on any machine with the bucket's credentials. Keys that are not segments are
/// left alone. A segment is downloaded whole and decompressed in memory a chunk at a time
/// into the same line reader as a local part's: memory holds one compressed segment.
final class S3ArchiveSource: ArchiveLineSource {
    private let client: S3Client
    private let loop: CurlLoop
    private var listing: [String: [(part: ArchivePart, key: String)]]?

    /// The most one segment may take, compressed: what the uploader sends at most.
    static let maxSegmentBytes = ArchiveUploader.maxSegmentBytes

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

    func name(of part: ArchivePartReference, of stream: String) -> String {
        "s3 \(part.name)"
    }

    func forEachLine(
        _ part: ArchivePartReference, of stream: String, _ body: (UnsafeBufferPointer<UInt8>, Int) -> Void
    ) throws -> String? {
        let bytes = try client.getAndWait(key: part.name, limit: S3ArchiveSource.maxSegmentBytes)
        return try JSONLinesReader.forEachLine(gzip: bytes, name: name(of: part, of: stream), body)
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
