import StreamCore

/// What the server answers: poll endpoints, event streams and the fault modes.
extension ServerLoop {
    func respond(_ connection: Connection, status: String, contentType: String?, body: [UInt8], headers: [String] = [], gzip: Bool = false) {
        connection.mode = .responding
        let payload = gzip ? Gzip.encode(body) : body
        var head = "HTTP/1.1 \(status)\r\nConnection: close\r\nCache-Control: no-cache\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        if gzip { head += "Content-Encoding: gzip\r\n" }
        for header in headers { head += header + "\r\n" }
        head += "Content-Length: \(payload.count)\r\n\r\n"
        sendRaw(connection, Array(head.utf8) + payload)
    }

    /// JSON that costs far more in memory than its size, gzip-compressed (about a thousand to
    /// one) when the client offers it.
    private func respondHostile(_ shape: HostileJSON, size: Int, _ request: HTTPRequest, _ connection: Connection) {
        guard request.header("accept-encoding")?.contains("gzip") ?? false else {
            return respond(connection, status: "200 OK", contentType: "application/json", body: shape.body(size: size))
        }
        respond(connection, status: "200 OK", contentType: "application/json", body: shape.gzipBody(size: size),
                headers: ["Content-Encoding: gzip"])
    }

    func route(_ request: HTTPRequest, body: [UInt8], _ connection: Connection) {
        let fault = request.query["fault"]
        let parts = request.path.split(separator: "/").map(String.init)
        requestsByPath[request.path, default: 0] += 1
        if request.method == "POST" && request.path == "/hook" {
            if fault == "500" {
                return respond(connection, status: "500 Internal Server Error", contentType: "text/plain", body: Array("hook failed\n".utf8))
            }
            hooks.append((request.header("content-type"), body))
            return respond(connection, status: "200 OK", contentType: "text/plain", body: Array("ok\n".utf8))
        }
        if routeProbe(request, connection) { return }
        if routeS3Probe(request, body: body, connection) { return }
        guard request.method == "GET" else {
            return respond(connection, status: "405 Method Not Allowed", contentType: "text/plain", body: Array("only GET\n".utf8))
        }
        if request.path == "/redirect-loop" {
            return respond(connection, status: "302 Found", contentType: "text/plain", body: [], headers: ["Location: /redirect-loop"])
        }
        if request.path.hasPrefix("/redirect/") {
            // /redirect/poll/quotes answers 301 to /poll/quotes (query kept).
            let target = String(request.path.dropFirst("/redirect".count)) + (request.query.isEmpty ? "" : "?" + request.query.map { "\($0.key)=\($0.value)" }.joined(separator: "&"))
            return respond(connection, status: "301 Moved Permanently", contentType: "text/plain", body: [], headers: ["Location: \(target)"])
        }
        if request.path == "/firehose", let firehose = configuration.firehose {
            connection.mode = .responding  // closes once everything is written
            let encoding = configuration.firehoseEncoding.map { "Content-Encoding: \($0)\r\n" } ?? ""
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                + "\(encoding)Connection: close\r\n\r\n"
            sendRaw(connection, Array(head.utf8) + firehose)
            return
        }
        if request.path == "/echo-credentials" {
            return echoCredentials(request, connection)
        }
        if parts.count == 2, parts[0] == "hostile", let shape = HostileJSON(rawValue: parts[1]) {
            let size = request.query["bytes"].flatMap { Int($0) } ?? (63 << 20)
            return respondHostile(shape, size: size, request, connection)
        }
        if request.path == "/health" {
            return respond(connection, status: "200 OK", contentType: "text/plain", body: Array("ok\n".utf8))
        }
        guard parts.count == 2, let api = api(parts[1]), parts[0] == "poll" || parts[0] == "sse" else {
            return respond(connection, status: "404 Not Found", contentType: "text/plain", body: Array("no such endpoint: \(request.path)\n".utf8))
        }
        switch fault {
        case "500":
            return respond(connection, status: "500 Internal Server Error", contentType: "text/plain", body: Array("simulated failure\n".utf8))
        case "flaky" where inFlakyOutage:
            return respond(connection, status: "503 Service Unavailable", contentType: "text/plain", body: Array("simulated outage\n".utf8))
        case "escape":
            // A hostile server: escape sequences in the error body (colour, window title, clear screen).
            return respond(connection, status: "500 Internal Server Error", contentType: "text/plain", body: Array("\u{1B}[31mred\u{1B}]0;pwned\u{07}\u{1B}[2J gone\n".utf8))
        case "204":
            return respond(connection, status: "204 No Content", contentType: nil, body: [])
        case "hold" where parts[0] == "poll":
            connection.mode = .held(api: api.name)
            return
        default:
            break
        }
        let acceptsGzip = request.header("accept-encoding")?.contains("gzip") ?? false
        if parts[0] == "poll" {
            let etag = "\"v\(api.version)\""
            if request.header("if-none-match") == etag {
                return respond(connection, status: "304 Not Modified", contentType: nil, body: [], headers: ["ETag: \(etag)"])
            }
            let body = fault == "non-json" ? Array("not json, version \(api.version)\n".utf8) : JSONWriter.data(api.document)
            return respond(connection, status: "200 OK", contentType: "application/json", body: body, headers: ["ETag: \(etag)"], gzip: acceptsGzip)
        }
        startStream(api: api, fault: fault, request: request, gzip: acceptsGzip, connection)
    }

    /// Answers every held poll with its API's document as it is now.
    func releaseHeld() {
        for connection in Array(connections.values) {
            guard case .held(let name) = connection.mode, let api = api(name) else { continue }
            respond(connection, status: "200 OK", contentType: "application/json", body: JSONWriter.data(api.document))
        }
    }

    /// A careless API refusing a request: 401, quoting back what it was sent (the target with
    /// its query, the request's headers other than the usual ones, and `Authorization` again
    /// in a response header).
    private func echoCredentials(_ request: HTTPRequest, _ connection: Connection) {
        let usual: Set<String> = [
            "host", "accept", "accept-encoding", "cache-control", "user-agent", "connection", "last-event-id",
        ]
        let quoted = request.headers.filter { !usual.contains($0.name) }.map { "\($0.name): \($0.value)" }
        let body = "unauthorized; you sent " + quoted.joined(separator: "; ") + " for GET \(request.target)\n"
        let echo = request.header("authorization").map { ["X-Echo-Authorization: \($0)"] } ?? []
        respond(connection, status: "401 Unauthorized", contentType: "text/plain", body: Array(body.utf8),
                headers: echo)
    }

    private func startStream(api: SimulatedAPI, fault: String?, request: HTTPRequest, gzip: Bool, _ connection: Connection) {
        connection.mode = .streaming(api: api.name, fault: fault)
        let contentType = fault == "content-type" ? "application/json" : "text/event-stream"
        var head = "HTTP/1.1 200 OK\r\nContent-Type: \(contentType)\r\nCache-Control: no-cache\r\nConnection: close\r\n"
        if gzip { head += "Content-Encoding: gzip\r\n" }
        sendRaw(connection, Array((head + "\r\n").utf8) + (gzip ? Gzip.Stream.header : []))
        if gzip { connection.gzip = Gzip.Stream() }
        var opening = "retry: \(configuration.retryMilliseconds)\n\n"
        if fault == "stall" {
            send(connection, Array(opening.utf8))
            return
        }
        if fault == "empty" {
            // Connects, then closes politely before any event.
            send(connection, Array(opening.utf8))
            connection.mode = .responding
            flush(connection)
            return
        }
        // Resume from Last-Event-ID with the missed patches when they are all known.
        if let lastID = request.header("last-event-id").flatMap({ Int($0) }), let missed = api.patches(after: lastID) {
            send(connection, Array(opening.utf8))
            for (version, patch) in missed { pushPatch(version: version, patch: patch, fault: fault, to: connection) }
            return
        }
        if fault == "non-json" {
            opening += "data: plain text, version \(api.version)\n\n"
        } else {
            opening += "event: data\nid: \(api.version)\ndata: \(JSONWriter.string(api.document))\n\n"
        }
        if fault == "oversize" {
            let size = request.query["size"].flatMap { Int($0) } ?? (17 << 20)
            opening += "event: patch\nid: \(api.version)\ndata: [" + String(repeating: " ", count: max(0, size - 2)) + "]\n\n"
        }
        if fault == "drip" {
            connection.dripPerTick = max(1, request.query["bytes"].flatMap { Int($0) } ?? 1)
            connection.drip = Array(opening.utf8)
        } else {
            send(connection, Array(opening.utf8))
        }
    }

    /// `fault=flaky` works for 20 s, then has a 10 s outage (streams dropped, 503 to new
    /// requests), every 40 s from the server's start: the demo's stream that fails now and then.
    var inFlakyOutage: Bool {
        let seconds = (time.now() - startedAt).nanoseconds / 1_000_000_000
        return seconds % 40 >= 20 && seconds % 40 < 30
    }

    func pushPatch(version: Int, patch: JSONPatch, fault: String?, to connection: Connection) {
        connection.patchesSent += 1
        switch fault {
        case "stall":
            return
        case "flaky" where inFlakyOutage:
            close(connection)
        case "non-json":
            send(connection, Array("data: plain text, version \(version)\n\n".utf8))
        case "malformed-patch" where connection.patchesSent == 1:
            send(connection, Array("event: patch\nid: \(version)\ndata: [{\"op\":\"remove\",\"path\":\"/does-not-exist\"}]\n\n".utf8))
        case "cycle":
            // Two whole patches a connection, then a clean close (a proxy that recycles its
            // connections): healthy, however often it happens.
            send(connection, Array("event: patch\nid: \(version)\ndata: \(JSONWriter.string(patch.json))\n\n".utf8))
            if connection.patchesSent >= 2 {
                connection.mode = .responding
                flush(connection)
            }
        case "drop":
            // Half an event, then the connection is gone.
            let event = Array("event: patch\nid: \(version)\ndata: \(JSONWriter.string(patch.json))\n\n".utf8)
            send(connection, Array(event[0..<(event.count / 2)]))
            close(connection)
        default:
            let event = "event: patch\nid: \(version)\ndata: \(JSONWriter.string(patch.json))\n\n"
            if connection.drip.isEmpty {
                send(connection, Array(event.utf8))
            } else {
                connection.drip.append(contentsOf: event.utf8)
            }
        }
    }
}
