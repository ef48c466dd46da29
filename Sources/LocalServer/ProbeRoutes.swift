import StreamCore

/// Endpoints that show what a client sends and how it copes with odd answers (the engine's
/// redirect and header tests): `/headers` answers with the request's headers as a JSON object
/// (names lowercased); `/redirect-to?location=URL[&status=N]` redirects anywhere, another port
/// or scheme included (`location` percent-decoded); `/big-header?bytes=N[&lines=K]` answers
/// 200 with K header lines (default 1) of N bytes each; `/hang-up` closes the connection
/// without answering.
extension ServerLoop {
    /// Answers a probe endpoint; false for any other path.
    func routeProbe(_ request: HTTPRequest, _ connection: Connection) -> Bool {
        switch request.path {
        case "/headers":
            var object = JSONObject()
            for header in request.headers { object[header.name] = .string(header.value) }
            let body = JSONWriter.data(.object(object))
            respond(connection, status: "200 OK", contentType: "application/json", body: body)
        case "/redirect-to":
            let location = (request.query["location"] ?? "/").removingPercentEscapesLoosely
            let status = request.query["status"].flatMap { Int($0) } ?? 302
            let headers = ["Location: \(location)"]
            respond(connection, status: "\(status) Redirect", contentType: "text/plain", body: [], headers: headers)
        case "/big-header":
            let size = max(1, request.query["bytes"].flatMap { Int($0) } ?? (200 << 10))
            let lines = max(1, request.query["lines"].flatMap { Int($0) } ?? 1)
            let filler = String(repeating: "a", count: size)
            let headers = (0..<lines).map { "X-Filler-\($0): \(filler)" }
            respond(connection, status: "200 OK", contentType: "text/plain", body: Array("ok\n".utf8), headers: headers)
        case "/hang-up":
            close(connection)
        default:
            return false
        }
        return true
    }
}
