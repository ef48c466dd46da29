import Dispatch
import StreamCore
import Synchronization

/// S3 (or an S3-compatible store) over the engine's libcurl loop: PUT, GET and ListObjectsV2,
/// signed by libcurl (SigV4). Requests never block a stream: they are transfers on the loop
/// like any other, and their completions run on the loop's thread (return quickly). The
/// `…AndWait` forms block the calling thread, for the command line; never call them on the loop.
///
/// Keys are whole keys (`location.prefix` included, see `S3Location.prefix`).
package final class S3Client: Sendable {
    package let location: S3Location
    package let credentials: AWSCredentials
    let loop: CurlLoop
    let connectTimeout: Duration
    /// Each request's time limit, start to end.
    let timeout: Duration

    package struct Stored: Sendable, Equatable {
        /// The MD5 of the body (lowercase hex), which S3 checked against what it received.
        package var md5: String
        package var bytes: Int
    }

    package struct Object: Sendable, Equatable {
        package var key: String
        package var size: Int

        package init(key: String, size: Int) {
            self.key = key
            self.size = size
        }
    }

    /// The most of an error's body read (S3's are a few hundred bytes).
    static let maxErrorBody = 64 << 10
    /// The most of one ListObjectsV2 page read (1000 keys of up to 1 KiB each, and markup).
    static let maxListPage = 8 << 20

    package init(
        location: S3Location, credentials: AWSCredentials, loop: CurlLoop,
        connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(300)
    ) {
        self.location = location
        self.credentials = credentials
        self.loop = loop
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    // MARK: Requests

    /// Uploads `body` as `key` in one PUT with its `Content-MD5`, so that S3 refuses a body
    /// damaged on the way (400 BadDigest) rather than store it; the returned ETag is checked
    /// too where it is an MD5 (see `etagVerdict`). The digests are computed here, on the
    /// caller's thread, not on the loop.
    package func put(
        key: String, body: [UInt8], contentType: String = "application/octet-stream",
        completion: @escaping @Sendable (Result<Stored, S3Error>) -> Void
    ) {
        let md5 = MD5.hash(body)
        let request = putRequest(key: key, body: body, contentType: contentType, md5: md5)
        let hex = hexString(md5)
        send(request, operation: .put, key: key, limit: S3Client.maxErrorBody) { [location] result in
            completion(result.flatMap { reply in
                let etag = reply.headers.last { $0.name == "etag" }?.value
                let encryption = reply.headers.last { $0.name == "x-amz-server-side-encryption" }?.value
                switch S3Client.etagVerdict(etag, serverSideEncryption: encryption, md5: hex) {
                case .matches, .notAnMD5:
                    return .success(Stored(md5: hex, bytes: body.count))
                case .differs:
                    let kind = S3Error.Kind.etagMismatch(expected: hex, received: etag.map { Sanitizer.line($0) })
                    return .failure(S3Error(bucket: location.bucket, operation: .put, key: key, kind: kind))
                }
            })
        }
    }

    /// The signed PUT of `body`, whose MD5 is `md5`: `Content-MD5` and `Content-Type` set (and
    /// signed, as every header the request sets).
    func putRequest(key: String, body: [UInt8], contentType: String, md5: [UInt8]) -> HTTPTransfer.Request {
        var request = self.request(url: location.objectURL(key: key), payloadSHA256: hexString(SHA256.hash(body)))
        request.method = "PUT"
        request.postBody = body
        request.headers.append(("Content-MD5", base64String(md5)))
        // Else libcurl says application/x-www-form-urlencoded (unsigned, but stored with the object).
        request.headers.append(("Content-Type", contentType))
        return request
    }

    /// Downloads `key`, at most `limit` bytes (a larger object is `responseTooLarge`).
    package func get(key: String, limit: Int, completion: @escaping @Sendable (Result<[UInt8], S3Error>) -> Void) {
        let request = self.request(url: location.objectURL(key: key), payloadSHA256: AWSSigning.emptyPayloadSHA256)
        send(request, operation: .get, key: key, limit: limit) { result in completion(result.map(\.body)) }
    }

    /// Every object whose key starts with `prefix`, in key order, page after page
    /// (ListObjectsV2, `maxKeys` a page, following continuation tokens).
    package func list(
        prefix: String, maxKeys: Int = 1000, completion: @escaping @Sendable (Result<[Object], S3Error>) -> Void
    ) {
        listPage(prefix: prefix, maxKeys: maxKeys, token: nil, gathered: [], completion: completion)
    }

    private func listPage(
        prefix: String, maxKeys: Int, token: String?, gathered: [Object],
        completion: @escaping @Sendable (Result<[Object], S3Error>) -> Void
    ) {
        var query = [("list-type", "2"), ("max-keys", String(maxKeys)), ("prefix", prefix)]
        if let token { query.append(("continuation-token", token)) }
        let url = location.bucketURL(query: query.map { (name: $0.0, value: $0.1) })
        let request = self.request(url: url, payloadSHA256: AWSSigning.emptyPayloadSHA256)
        send(request, operation: .list, key: prefix, limit: S3Client.maxListPage) { [self] result in
            func fail(_ kind: S3Error.Kind) {
                completion(.failure(S3Error(bucket: location.bucket, operation: .list, key: prefix, kind: kind)))
            }
            let page: ListPage
            switch result {
            case .failure(let error):
                return completion(.failure(error))
            case .success(let reply):
                guard let parsed = ListPage.parse(reply.body) else {
                    return fail(.malformedResponse("not a ListObjectsV2 result"))
                }
                page = parsed
            }
            let all = gathered + page.objects
            guard let next = page.nextToken else { return completion(.success(all)) }
            guard next != token else { return fail(.malformedResponse("the same continuation token twice")) }
            listPage(prefix: prefix, maxKeys: maxKeys, token: next, gathered: all, completion: completion)
        }
    }

    // MARK: Waiting forms, for the command line

    @discardableResult
    package func putAndWait(key: String, body: [UInt8], contentType: String = "application/octet-stream")
        throws(S3Error) -> Stored {
        try wait { put(key: key, body: body, contentType: contentType, completion: $0) }
    }

    package func getAndWait(key: String, limit: Int) throws(S3Error) -> [UInt8] {
        try wait { get(key: key, limit: limit, completion: $0) }
    }

    package func listAndWait(prefix: String, maxKeys: Int = 1000) throws(S3Error) -> [Object] {
        try wait { list(prefix: prefix, maxKeys: maxKeys, completion: $0) }
    }

    private func wait<Value: Sendable>(
        _ start: (@escaping @Sendable (Result<Value, S3Error>) -> Void) -> Void
    ) throws(S3Error) -> Value {
        precondition(!loop.isLoopThread, "waiting for S3 on the engine's loop would wait forever")
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Value, S3Error>?>(nil)
        start { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try outcome.withLock { $0! }.get()
    }
}
