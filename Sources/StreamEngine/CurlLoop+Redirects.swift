import CCurl
import StreamCore

/// Redirects are followed here, not by libcurl (`CURLOPT_FOLLOWLOCATION` stays off). libcurl
/// following on its own would send every custom header to wherever a server points it, and
/// drops only `Authorization` and `Cookie` on a change of host: an `X-Api-Key` would reach
/// any host a redirect names. Following here decides each hop before it is made: the target
/// must be http or https, and the headers a person registered go only to their own origin.
///
/// A hop: when a response's headers end with a 3xx and a Location, its body is discarded;
/// when it completes, libcurl's `CURLINFO_REDIRECT_URL` (the Location resolved against the
/// current URL) is checked, and the same easy handle is taken out of the multi handle,
/// pointed at the target and added again (options, callbacks and the connection cache carry
/// over). Nothing is sent to a target before it has been checked.
extension CurlLoop {
    /// The schemes fetched and followed. libcurl refuses any other too
    /// (`CURLOPT_PROTOCOLS_STR`, `CURLOPT_REDIR_PROTOCOLS_STR`), in case of a path not seen here.
    static let allowedSchemes: Set<String> = ["http", "https"]

    /// At the end of a response's headers (engine thread, in the header callback): a 3xx
    /// with a Location is a redirect, whose body is discarded.
    static func headersEnded(_ transfer: HTTPTransfer) {
        guard let easy = transfer.easy else { return }
        var status = 0
        ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        // A 304, or a 3xx without a Location, is an answer like any other; so is any 3xx to a
        // signed request (the credentials would go wherever it points).
        if transfer.request.awsSigV4 == nil && (300..<400).contains(status)
            && transfer.responseHeaders.contains(where: { $0.name == "location" }) {
            transfer.redirectStatus = status
        }
    }

    /// A redirect's response has completed: follows it, or ends the transfer saying why not
    /// (engine thread).
    func redirected(_ transfer: HTTPTransfer, easy: UnsafeMutableRawPointer) {
        // libcurl resolves the Location against the current URL once the response is done.
        var location: UnsafeMutablePointer<CChar>?
        ccurl_easy_getinfo_string(easy, CURLINFO_REDIRECT_URL, &location)
        guard let location, let status = transfer.redirectStatus else {
            return finish(transfer, outcome: .completed)
        }
        let target = String(cString: location)
        let scheme = CurlLoop.scheme(of: target)
        guard CurlLoop.allowedSchemes.contains(scheme) else {
            return finish(transfer, outcome: .failed(TransferFailure.redirectRefused(scheme: scheme).message))
        }
        let limit = transfer.request.maxRedirects
        guard transfer.redirects < limit else {
            return finish(transfer, outcome: .failed(TransferFailure.tooManyRedirects(limit: limit).message))
        }
        // A poll's time limit is for the whole request, every hop included.
        var timeLeft: Duration?
        if let timeout = transfer.request.timeout, let startedAt = transfer.startedAt {
            let left = timeout - (clock.now() - startedAt)
            guard left > .zero else {
                return finish(transfer, outcome: .failed(CurlLoop.describe(CURLE_OPERATION_TIMEDOUT)))
            }
            timeLeft = left
        }
        transfer.redirectStatus = nil
        transfer.redirects += 1
        transfer.earlierHopsWireBytes += CurlLoop.hopWireBytes(easy)
        curl_multi_remove_handle(multi, easy)
        let origin = CurlLoop.Origin(transfer.request.url)
        if !transfer.leftOrigin && (origin == nil || CurlLoop.Origin(target) != origin) {
            transfer.leftOrigin = true
            setHeaders(transfer, easy: easy)
        }
        // As browsers and libcurl do: a POST redirected by 301, 302 or 303 becomes a GET;
        // 307 and 308 repeat it.
        if transfer.isPost && (301...303).contains(status) {
            transfer.isPost = false
            ccurl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
        }
        if let timeLeft {
            ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, max(1, Int(timeLeft.nanoseconds / 1_000_000)))
        }
        transfer.url = target
        ccurl_easy_setopt_string(easy, CURLOPT_URL, target)
        curl_multi_add_handle(multi, easy)
    }

    /// Sets the request's headers for the current hop: the registered ones only on their origin.
    func setHeaders(_ transfer: HTTPTransfer, easy: UnsafeMutableRawPointer) {
        let old = transfer.headerList
        var list: UnsafeMutablePointer<curl_slist>?
        let headers = transfer.request.headers + (transfer.leftOrigin ? [] : transfer.request.sameOriginHeaders)
            + (transfer.request.awsSigV4?.headers ?? [])
        for header in headers { list = curl_slist_append(list, "\(header.name): \(header.value)") }
        ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list)
        transfer.headerList = list
        if let old { curl_slist_free_all(old) }
    }

    func freeHeaders(_ transfer: HTTPTransfer) {
        if let list = transfer.headerList { curl_slist_free_all(list) }
        transfer.headerList = nil
    }

    /// The current hop's bytes on the wire: headers, and the body as received.
    static func hopWireBytes(_ easy: UnsafeMutableRawPointer) -> Int64 {
        var headers = 0
        ccurl_easy_getinfo_long(easy, CURLINFO_HEADER_SIZE, &headers)
        var body: curl_off_t = 0
        ccurl_easy_getinfo_off_t(easy, CURLINFO_SIZE_DOWNLOAD_T, &body)
        return Int64(headers) + Int64(body)
    }

    /// The scheme of an absolute URL, lowercased ("" when there is none).
    static func scheme(of url: String) -> String {
        guard let colon = url.firstIndex(of: ":") else { return "" }
        return url[..<colon].lowercased()
    }

    /// Scheme, host and port (the default port when none is given), as libcurl parses them.
    struct Origin: Equatable {
        var scheme: String
        var host: String
        var port: String

        /// Nil for a URL libcurl cannot parse (treated as another origin).
        init?(_ url: String) {
            guard let handle = curl_url() else { return nil }
            defer { curl_url_cleanup(handle) }
            guard curl_url_set(handle, CURLUPART_URL, url, 0) == CURLUE_OK else { return nil }
            func part(_ what: CURLUPart, flags: UInt32 = 0) -> String? {
                var value: UnsafeMutablePointer<CChar>?
                guard curl_url_get(handle, what, &value, flags) == CURLUE_OK, let value else { return nil }
                defer { curl_free(value) }
                return String(cString: value)
            }
            guard let scheme = part(CURLUPART_SCHEME), let host = part(CURLUPART_HOST),
                  let port = part(CURLUPART_PORT, flags: UInt32(CURLU_DEFAULT_PORT))
            else { return nil }
            self.scheme = scheme.lowercased()
            self.host = host.lowercased()
            self.port = port
        }
    }
}
