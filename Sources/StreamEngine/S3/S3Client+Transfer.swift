import StreamCore

/// One signed request on the loop, its reply gathered (bounded), S3's errors read.
extension S3Client {
    struct Reply: Sendable {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]
    }

    func request(url: String, payloadSHA256: String) -> HTTPTransfer.Request {
        var request = HTTPTransfer.Request(url: url)
        request.awsSigV4 = AWSSigning(
            credentials: credentials, region: location.region, payloadSHA256: payloadSHA256)
        // Objects come as stored: a .gz stays gzip, whatever its Content-Encoding.
        request.acceptEncoding = false
        request.maxRedirects = 0
        request.connectTimeout = connectTimeout
        request.timeout = timeout
        return request
    }

    /// Runs `request`; a 2xx is a `Reply`, anything else an `S3Error`. A success's body
    /// beyond `limit` is `responseTooLarge`; an error's beyond `maxErrorBody` is dropped.
    func send(
        _ request: HTTPTransfer.Request, operation: S3Error.Operation, key: String, limit: Int,
        completion: @escaping @Sendable (Result<Reply, S3Error>) -> Void
    ) {
        let transfer = HTTPTransfer(request)
        let bucket = location.bucket
        let secrets = credentials.secrets
        var body: [UInt8] = []
        var status = 0
        var tooLarge = false
        transfer.onResponse = { response in status = response.status }
        transfer.onData = { bytes in
            // Engine thread. An error's body is kept only for its code and message.
            let bound = (200..<300).contains(status) ? limit : S3Client.maxErrorBody
            guard body.count + bytes.count <= bound else {
                if (200..<300).contains(status) {
                    tooLarge = true
                    return .abort
                }
                body.append(contentsOf: bytes.prefix(max(0, bound - body.count)))
                return .accept
            }
            body.append(contentsOf: bytes)
            return .accept
        }
        transfer.onComplete = { outcome, response, _ in
            func fail(_ kind: S3Error.Kind) {
                completion(.failure(S3Error(bucket: bucket, operation: operation, key: key, kind: kind)))
            }
            if tooLarge { return fail(.responseTooLarge(limit: limit)) }
            switch outcome {
            case .failed(let message):
                return fail(.network(message))
            case .completed:
                let status = response?.status ?? 0
                guard (200..<300).contains(status) else {
                    let (code, message) = S3Error.parseErrorBody(body, secrets: secrets)
                    return fail(.http(status: status, code: code, message: message))
                }
                completion(.success(Reply(status: status, headers: transfer.responseHeaders, body: body)))
            }
        }
        loop.start(transfer)
    }

    /// What an upload's `ETag` header (quoted, as S3 sends it) says of the object stored,
    /// against the body's MD5 (`md5`, hex). S3's ETag is the MD5 of the body only for an object
    /// stored in one PUT as plaintext or with SSE-S3 (`x-amz-server-side-encryption: AES256`).
    /// Under SSE-KMS (`aws:kms`, `aws:kms:dsse`) it is still 32 hex digits, but no MD5; a
    /// multipart one ends in `-N`. So an ETag is compared only when it has an MD5's form and
    /// the object is stored unencrypted or with SSE-S3; any other is accepted, since S3
    /// checked the `Content-MD5` sent with the body.
    package static func etagVerdict(_ etag: String?, serverSideEncryption: String?, md5: String) -> ETagVerdict {
        guard let digest = digest(ofETag: etag) else { return .notAnMD5 }
        let encryption = serverSideEncryption?.trimmingCharacters ?? ""
        guard encryption.isEmpty || encryption.uppercased() == "AES256" else { return .notAnMD5 }
        return digest == md5.lowercased() ? .matches : .differs
    }

    /// The 32 hex digits of an ETag that has an MD5's form (quotes and a weak `W/` stripped),
    /// lowercased; nil for any other.
    static func digest(ofETag etag: String?) -> String? {
        guard var etag = etag?.trimmingCharacters else { return nil }
        if etag.hasPrefix("W/") { etag.removeFirst(2) }
        if etag.count >= 2 && etag.hasPrefix("\"") && etag.hasSuffix("\"") {
            etag = String(etag.dropFirst().dropLast())
        }
        let isHex = etag.utf8.allSatisfy {
            (0x30...0x39).contains($0) || (0x61...0x66).contains($0) || (0x41...0x46).contains($0)
        }
        return etag.utf8.count == 32 && isHex ? etag.lowercased() : nil
    }
}

/// What an upload's ETag says of the object S3 stored (see `S3Client.etagVerdict`).
package enum ETagVerdict: Equatable, Sendable {
    /// The ETag is the MD5 of the body sent.
    case matches
    /// The ETag is the MD5 of another body: the object stored is not the one sent.
    case differs
    /// The ETag is no MD5 (multipart, SSE-KMS, none): S3's check of `Content-MD5` vouches.
    case notAnMD5
}

/// One page of a ListObjectsV2 result.
struct ListPage: Equatable {
    var objects: [S3Client.Object]
    /// Set when the listing goes on.
    var nextToken: String?

    /// Nil when the body is not a `ListBucketResult`.
    static func parse(_ body: [UInt8]) -> ListPage? {
        let xml = String(decoding: body, as: UTF8.self)
        guard let result = S3XML.elements("ListBucketResult", in: xml[...]).first else { return nil }
        var objects: [S3Client.Object] = []
        for contents in S3XML.elements("Contents", in: result) {
            guard let key = S3XML.text("Key", in: contents),
                  let size = S3XML.text("Size", in: contents).flatMap({ Int($0) })
            else { return nil }
            objects.append(.init(key: key, size: size))
        }
        let truncated = S3XML.text("IsTruncated", in: result) == "true"
        let token = S3XML.text("NextContinuationToken", in: result)
        if truncated && (token ?? "").isEmpty { return nil }
        return ListPage(objects: objects, nextToken: truncated ? token : nil)
    }
}
