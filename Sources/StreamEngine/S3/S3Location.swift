import StreamCore

/// Where the archive goes in S3: a bucket, a key prefix, a region, and for S3-compatible
/// stores (MinIO, Ceph, moto…) their endpoint.
///
/// URLs: with an endpoint, path style (`ENDPOINT/BUCKET/KEY`); on AWS, virtual-hosted style
/// (`https://BUCKET.s3.REGION.amazonaws.com/KEY`), or path style on the regional host for a
/// bucket with dots (which a wildcard certificate does not cover).
package struct S3Location: Sendable, Equatable, CustomStringConvertible {
    package var bucket: String
    /// "" or a prefix ending in "/" (`s3://b/q` and `s3://b/q/` both give "q/").
    package var prefix: String
    package var region: String
    /// The endpoint without a trailing slash, for an S3-compatible store; nil for AWS.
    package var endpoint: String?

    /// `url` is `s3://BUCKET` or `s3://BUCKET/PREFIX`. The region is `region`, else
    /// `AWS_REGION`, else `AWS_DEFAULT_REGION`, else us-east-1.
    package init(
        _ url: String, endpoint: String? = nil, region: String? = nil, environment: [String: String] = [:]
    ) throws(S3LocationError) {
        guard url.lowercased().hasPrefix("s3://") else { throw .notS3(url) }
        let rest = url.dropFirst(5)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let bucket = String(rest[..<slash])
        guard !bucket.isEmpty else { throw .missingBucket(url) }
        guard S3Location.isValidBucket(bucket) else { throw .invalidBucket(bucket) }
        var prefix = String(rest[slash...].drop { $0 == "/" })
        if !prefix.isEmpty && !prefix.hasSuffix("/") { prefix += "/" }
        let chosenRegion = [region, environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"]]
            .compactMap { $0 }.first { !$0.isEmpty } ?? "us-east-1"
        guard chosenRegion.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw .invalidRegion(chosenRegion)
        }
        if let endpoint {
            let lowered = endpoint.lowercased()
            guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"), !endpoint.contains("?"),
                  !endpoint.contains("#"), endpoint.split(separator: "/").count >= 2
            else { throw .invalidEndpoint(endpoint) }
            var trimmed = endpoint
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            self.endpoint = trimmed
        }
        self.bucket = bucket
        self.prefix = prefix
        self.region = chosenRegion
    }

    package var description: String { "s3://\(bucket)/\(prefix)" }

    /// S3's rules for bucket names: 3 to 63 lowercase letters, digits, dots and hyphens,
    /// starting and ending with a letter or digit.
    static func isValidBucket(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
        guard alphanumeric(bytes.first!), alphanumeric(bytes.last!) else { return false }
        return bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
            && !name.contains("..")
    }

    /// The bucket's URL, ending in "/" (a ListObjectsV2 request adds its query).
    package var bucketURL: String {
        if let endpoint { return "\(endpoint)/\(bucket)/" }
        if bucket.contains(".") { return "https://s3.\(region).amazonaws.com/\(bucket)/" }
        return "https://\(bucket).s3.\(region).amazonaws.com/"
    }

    /// An object's URL, its key percent-encoded as S3 signs it.
    package func objectURL(key: String) -> String { bucketURL + S3Location.encode(key, keepSlash: true) }

    /// A bucket request's URL with its query in SigV4's canonical form (sorted, every name and
    /// value encoded), which libcurl 7.88 signs as given.
    package func bucketURL(query: [(name: String, value: String)]) -> String {
        bucketURL + "?" + S3Location.canonicalQuery(query)
    }

    package static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        query.map { (encode($0.name, keepSlash: false), encode($0.value, keepSlash: false)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// SigV4's URI encoding: every byte but the unreserved ones (A–Z a–z 0–9 - . _ ~) as %XX
    /// (uppercase), and "/" kept in a key's path.
    package static func encode(_ text: String, keepSlash: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepSlash:
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A `--s3` URL or its options, not understood.
package enum S3LocationError: Error, Equatable, CustomStringConvertible {
    case notS3(String)
    case missingBucket(String)
    case invalidBucket(String)
    case invalidEndpoint(String)
    case invalidRegion(String)

    package var description: String {
        switch self {
        case .notS3(let url):
            return "'\(Sanitizer.line(url))' is not an S3 URL: give s3://BUCKET or s3://BUCKET/PREFIX"
        case .missingBucket(let url):
            return "'\(Sanitizer.line(url))' names no bucket: give s3://BUCKET or s3://BUCKET/PREFIX"
        case .invalidBucket(let name):
            return "'\(Sanitizer.line(name))' is not a valid S3 bucket name "
                + "(3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit)"
        case .invalidEndpoint(let endpoint):
            return "'\(Sanitizer.line(endpoint))' is not an S3 endpoint: give an http:// or https:// URL"
        case .invalidRegion(let region):
            return "'\(Sanitizer.line(region))' is not an AWS region (like us-east-1)"
        }
    }
}
