import StreamCore

/// How libcurl signs a request with AWS Signature Version 4 (`CURLOPT_AWS_SIGV4`).
///
/// libcurl 7.88 signs `host`, `x-amz-date` and every header the request sets itself (a blank
/// header, meant to remove one, is signed too: never set one), uses the URL's path and query
/// exactly as given (it neither sorts nor re-encodes the query: give it canonical), and does
/// not add `x-amz-content-sha256`: the transfer sends `payloadSHA256` as that header, signed.
/// The session token goes as `x-amz-security-token`, signed too.
///
/// A signed request follows no redirect (the credentials would go with it): a 3xx is its answer.
package struct AWSSigning: Sendable, CustomStringConvertible {
    package var credentials: AWSCredentials
    package var region: String
    package var service: String
    /// The SHA-256 of the body, lowercase hex.
    package var payloadSHA256: String

    package init(credentials: AWSCredentials, region: String, service: String = "s3", payloadSHA256: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.payloadSHA256 = payloadSHA256
    }

    /// For a request without a body.
    package static let emptyPayloadSHA256 = hexString(SHA256.hash([UInt8]()))

    /// `CURLOPT_AWS_SIGV4`'s provider string.
    package var provider: String { "aws:amz:\(region):\(service)" }

    /// The headers the signature covers beyond libcurl's own.
    var headers: [(name: String, value: String)] {
        let token = credentials.sessionToken.map { [(name: "x-amz-security-token", value: $0)] } ?? []
        return [("x-amz-content-sha256", payloadSHA256)] + token
    }

    package var description: String { "SigV4 \(provider) with \(credentials)" }
}
