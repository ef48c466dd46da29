/// S3 as the archive's object store: a segment goes as one PUT of its gzip bytes under
/// `PREFIX/<stream>/YYYY/MM/DD/<stream>-<UTC start>-<n>.jsonl.gz`, with its Content-MD5.
extension S3Client: ArchiveObjectStore {
    package var destination: String { location.description }

    package func key(stream: String, part: String) -> String? {
        guard let part = ArchivePart(name: part), part.compressed else { return nil }
        return part.objectKey(prefix: location.prefix, stream: stream)
    }

    package func store(key: String, body: [UInt8], completion: @escaping @Sendable (String?) -> Void) {
        put(key: key, body: body, contentType: "application/gzip") { result in
            switch result {
            case .success: completion(nil)
            case .failure(let error): completion(error.description)
            }
        }
    }
}
