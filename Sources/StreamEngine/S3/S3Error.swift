import Foundation
import StreamCore

/// An S3 request that failed, in words that name the bucket and the object:
/// "S3 bucket 'b': PUT q/2026/x.jsonl.gz: SignatureDoesNotMatch (The request signature …)".
/// Never shows credentials: S3's message is scrubbed of them, sanitized and bounded.
package struct S3Error: Error, Equatable, CustomStringConvertible {
    package enum Operation: String, Sendable {
        case put = "PUT"
        case get = "GET"
        case list = "LIST"
    }

    package enum Kind: Equatable, Sendable {
        /// The request did not complete (no connection, reset, timeout…): libcurl's words, made readable.
        case network(String)
        /// S3 answered with an error status; `code` and `message` from its `<Error>` body, if any.
        case http(status: Int, code: String?, message: String?)
        /// The `ETag` of an upload is not the MD5 of the body sent.
        case etagMismatch(expected: String, received: String?)
        /// A response larger than the caller's limit.
        case responseTooLarge(limit: Int)
        /// A success whose body is not what S3 sends.
        case malformedResponse(String)
    }

    package var bucket: String
    package var operation: Operation
    /// The object's key, or for a listing its prefix.
    package var key: String
    package var kind: Kind

    package init(bucket: String, operation: Operation, key: String, kind: Kind) {
        self.bucket = bucket
        self.operation = operation
        self.key = key
        self.kind = kind
    }

    /// Whether trying again later may help (the network, S3 busy or failing), rather than a
    /// setting to fix (credentials, permissions, a missing bucket).
    package var isTransient: Bool {
        switch kind {
        case .network, .etagMismatch: return true
        case .http(let status, let code, _):
            // BadDigest: the body was damaged on the way; sent again, it may arrive whole.
            return status >= 500 || status == 429 || code == "SlowDown" || code == "RequestTimeout"
                || code == "BadDigest"
        case .responseTooLarge, .malformedResponse: return false
        }
    }

    package var description: String {
        let what = operation == .list ? "LIST \(key.isEmpty ? "(whole bucket)" : key)" : "\(operation.rawValue) \(key)"
        return "S3 bucket '\(Sanitizer.line(bucket))': \(Sanitizer.line(what)): \(reason)"
    }

    var reason: String {
        switch kind {
        case .network(let message):
            return message
        case .http(_, "BadDigest", let message):
            return "BadDigest (\(message ?? "HTTP 400")): the body S3 received is not the one sent "
                + "(damaged on the way); nothing was stored"
        case .http(_, let code?, let message?):
            return "\(code) (\(message))"
        case .http(let status, let code?, nil):
            return "\(code) (HTTP \(status))"
        case .http(let status, nil, _):
            return "HTTP \(status)"
        case .etagMismatch(let expected, let received):
            return "the stored object's ETag \(received.map { "'\($0)'" } ?? "(none)") is not the MD5 of the body "
                + "sent (\(expected)): the upload may be corrupt"
        case .responseTooLarge(let limit):
            return "the response is larger than the limit of \(HumanUnits.bytes(limit))"
        case .malformedResponse(let what):
            return "malformed response: \(what)"
        }
    }

    /// The most of S3's text kept in a message.
    static let maxTextLength = 300

    /// S3's `<Code>` and `<Message>` from an error body (nil when it has none), sanitized,
    /// bounded and scrubbed of `secrets`.
    static func parseErrorBody(_ body: [UInt8], secrets: [String]) -> (code: String?, message: String?) {
        let xml = String(decoding: body.prefix(64 << 10), as: UTF8.self)
        guard let error = S3XML.elements("Error", in: xml[...]).first else { return (nil, nil) }
        func clean(_ text: String?) -> String? {
            guard var text, !text.isEmpty else { return nil }
            // (Real ones are 16 characters and more; a short test value would scrub words.)
            for secret in secrets where secret.count >= 8 {
                text = text.replacingOccurrences(of: secret, with: "[redacted]")
            }
            text = Sanitizer.line(text)
            return text.count > maxTextLength ? String(text.prefix(maxTextLength)) + "…" : text
        }
        return (clean(S3XML.text("Code", in: error)), clean(S3XML.text("Message", in: error)))
    }
}
