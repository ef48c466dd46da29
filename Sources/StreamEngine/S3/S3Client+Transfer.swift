import StreamCore

/// One signed request on the loop, its reply gathered (bounded), S3's errors read.
extension S3Client {
    struct Reply {
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

    /// Whether an upload's `ETag` header (quoted, as S3 sends it) is the body's MD5.
    package static func etag(_ etag: String?, matchesMD5 md5: String) -> Bool {
        guard var etag else { return false }
        etag = etag.trimmingCharacters
        if etag.hasPrefix("W/") { etag.removeFirst(2) }
        if etag.count >= 2 && etag.hasPrefix("\"") && etag.hasSuffix("\"") {
            etag = String(etag.dropFirst().dropLast())
        }
        return etag.lowercased() == md5.lowercased()
    }
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
