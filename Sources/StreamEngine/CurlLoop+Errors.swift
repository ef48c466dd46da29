import CCurl
import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// Why the engine ended a transfer itself, in words for people.
enum TransferFailure: Equatable {
    /// The first URL is not http or https.
    case schemeRefused(String)
    /// A redirect named a scheme other than http or https.
    case redirectRefused(scheme: String)
    case tooManyRedirects(limit: Int)
    /// One response header line over libcurl's limit.
    case headerLineTooLarge(limit: Int)
    /// A response's headers over `HTTPTransfer.maxResponseHeaderBytes` in all.
    case headersTooLarge(limit: Int)

    var message: String {
        switch self {
        case .schemeRefused(let scheme):
            return "\(TransferFailure.shown(scheme)):// refused: only http and https URLs are fetched"
        case .redirectRefused(let scheme):
            return "redirect to \(TransferFailure.shown(scheme)):// refused: only http and https are followed"
        case .tooManyRedirects(let limit):
            return "too many redirects (more than the limit of \(limit))"
        case .headerLineTooLarge(let limit):
            return "response header too large (a line over \(limit >> 10) KiB)"
        case .headersTooLarge(let limit):
            return "response headers too large (over \(limit >> 10) KiB in all)"
        }
    }

    /// A scheme from the network, made safe and short for a message.
    static func shown(_ scheme: String) -> String {
        Sanitizer.line(scheme.count > 24 ? String(scheme.prefix(24)) + "…" : scheme)
    }
}

/// libcurl's failures in words a person acts on. Every message about a failed transfer comes
/// from here.
extension CurlLoop {
    /// A failed transfer's message: libcurl's code, with what the engine knows about the
    /// transfer (the URL of the hop that failed).
    static func describe(_ code: CURLcode, transfer: HTTPTransfer, systemError: Int32) -> String {
        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL:
            return TransferFailure.schemeRefused(scheme(of: transfer.url)).message
        // libcurl refuses a header line over its limit with "Out of memory" (CURLE_TOO_LARGE,
        // 100, from libcurl 8.6 on); before any of the body, that is what it means.
        case CURLE_OUT_OF_MEMORY where transfer.response == nil, CURLcode(100) where transfer.response == nil:
            return TransferFailure.headerLineTooLarge(limit: Int(CURL_MAX_HTTP_HEADER)).message
        case CURLE_SSL_CACERT_BADFILE:
            guard let caFile = transfer.caFile else { break }
            return "cannot read CA certificates from \(Sanitizer.line(caFile.path)) (\(caFile.setting))"
        case CURLE_PEER_FAILED_VERIFICATION:
            // A chain that does not end at a trusted CA (rather than, say, another host's name
            // or an expired certificate) is what a private CA looks like.
            var verifyResult = 0
            if let easy = transfer.easy { ccurl_easy_getinfo_long(easy, CURLINFO_SSL_VERIFYRESULT, &verifyResult) }
            let untrusted = CurlLoop.untrustedIssuerResults.contains(verifyResult)
            let hint = untrusted ? " (for a private CA, give its certificate with --ca-file or SSL_CERT_FILE)" : ""
            return "TLS certificate rejected: " + detail(transfer, or: code) + hint
        case CURLE_SSL_CONNECT_ERROR:
            return "TLS handshake failed: " + detail(transfer, or: code)
        default:
            break
        }
        return describe(code, systemError: systemError)
    }

    /// OpenSSL's verify results (`X509_V_ERR_*`, stable numbers) for a chain that does not
    /// lead to a trusted CA: issuer unknown (2, 20), self-signed (18, 19), leaf unverifiable (21).
    static let untrustedIssuerResults: Set<Int> = [2, 18, 19, 20, 21]

    /// libcurl's own words for the failure (from the TLS library, for TLS failures), else its
    /// generic text for the code.
    static func detail(_ transfer: HTTPTransfer, or code: CURLcode) -> String {
        guard let buffer = transfer.errorBuffer, buffer.pointee != 0 else { return describe(code) }
        return Sanitizer.line(String(cString: buffer))
    }

    /// libcurl's failure in words a person acts on. "Could not connect" covers several causes,
    /// told apart by the system's error: a refusal, an unreachable host, and running out of
    /// open files (many streams under a low `ulimit -n`), which is no fault of the server.
    static func describe(_ code: CURLcode, systemError: Int32) -> String {
        switch (code, systemError) {
        case (CURLE_COULDNT_CONNECT, EMFILE), (CURLE_COULDNT_CONNECT, ENFILE):
            return "cannot open a connection: too many open files (raise the open-file limit, ulimit -n)"
        case (CURLE_COULDNT_CONNECT, ENETUNREACH): return "network unreachable"
        case (CURLE_COULDNT_CONNECT, EHOSTUNREACH): return "host unreachable"
        case (CURLE_COULDNT_CONNECT, ETIMEDOUT): return "connection timed out"
        case (CURLE_RECV_ERROR, ECONNRESET), (CURLE_SEND_ERROR, ECONNRESET): return "the server reset the connection"
        default: return describe(code)
        }
    }

    /// Whether this process has run out of file descriptors (it cannot open /dev/null).
    static func outOfFileDescriptors() -> Bool {
        let probe = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard probe < 0 else {
            close(probe)
            return false
        }
        return errno == EMFILE || errno == ENFILE
    }

    static func describe(_ code: CURLcode) -> String {
        switch code {
        case CURLE_COULDNT_CONNECT: return "connection refused"
        case CURLE_OPERATION_TIMEDOUT: return "timed out"
        case CURLE_COULDNT_RESOLVE_HOST: return "cannot resolve the host name"
        case CURLE_COULDNT_RESOLVE_PROXY: return "cannot resolve the proxy's host name"
        case CURLE_URL_MALFORMAT: return "malformed URL"
        case CURLE_GOT_NOTHING: return "the server closed the connection without answering"
        case CURLE_PARTIAL_FILE: return "the server closed the connection before the end of the body"
        case CURLE_WEIRD_SERVER_REPLY: return "the server's answer is not HTTP"
        case CURLE_BAD_CONTENT_ENCODING: return "the body cannot be decoded (broken Content-Encoding)"
        case CURLE_RECV_ERROR: return "the connection failed while receiving"
        case CURLE_SEND_ERROR: return "the connection failed while sending"
        case CURLE_SSL_CONNECT_ERROR: return "TLS handshake failed"
        case CURLE_PEER_FAILED_VERIFICATION: return "TLS certificate rejected"
        case CURLE_SSL_CACERT_BADFILE: return "cannot read the system's CA certificates"
        default: return String(cString: curl_easy_strerror(code))
        }
    }
}

