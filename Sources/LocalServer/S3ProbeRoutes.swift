import StreamCore

/// A stand-in for S3's PUT where the real server cannot show it (moto stores a `Content-MD5`
/// without checking it): `PUT /s3-probe/<mode>/…` (bucket `s3-probe` on a path-style endpoint)
/// checks the `Content-MD5` sent against the body received, as S3 does (400 BadDigest when
/// they differ), and answers with the ETag S3 would give. No signature is checked. Modes:
/// - `plain`: the body's MD5 as the ETag (an object stored unencrypted or with SSE-S3);
/// - `kms`: 32 hex digits that are not its MD5, and `x-amz-server-side-encryption: aws:kms`;
/// - `multipart`: a multipart upload's ETag (`…-2`);
/// - `wrong`: 32 hex digits that are not its MD5, unencrypted (an object that is not the body);
/// - `corrupt`: the body arrives damaged (a bit flipped); `corrupt-once`: on the first PUT of
///   its path only.
extension ServerLoop {
    /// Answers a PUT under `/s3-probe/`; false for any other request.
    func routeS3Probe(_ request: HTTPRequest, body: [UInt8], _ connection: Connection) -> Bool {
        let parts = request.path.split(separator: "/", maxSplits: 2).map(String.init)
        guard request.method == "PUT", parts.count == 3, parts[0] == "s3-probe" else { return false }
        let mode = parts[1]
        var received = body
        let damaged = mode == "corrupt" || (mode == "corrupt-once" && requestsByPath[request.path] == 1)
        if damaged, !received.isEmpty { received[received.count / 2] ^= 0x01 }
        let md5 = MD5.hash(received)
        if let sent = request.header("content-md5"), sent != base64String(md5) {
            let error = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>BadDigest</Code><Message>"
                + "The Content-MD5 you specified did not match what was received.</Message></Error>"
            respond(connection, status: "400 Bad Request", contentType: "application/xml", body: Array(error.utf8))
            return true
        }
        var headers: [String]
        switch mode {
        case "kms":
            let other = hexString(MD5.hash(Array("kms".utf8) + received))
            headers = ["ETag: \"\(other)\"", "x-amz-server-side-encryption: aws:kms"]
        case "multipart":
            headers = ["ETag: \"\(hexString(MD5.hash(md5)))-2\""]
        case "wrong":
            headers = ["ETag: \"\(hexString(MD5.hash(Array("wrong".utf8) + received)))\""]
        default:
            headers = ["ETag: \"\(hexString(md5))\""]
        }
        respond(connection, status: "200 OK", contentType: nil, body: [], headers: headers)
        return true
    }
}
