#if canImport(Glibc)
import Glibc
#endif
import HTTPServer
import StreamCore
import StreamEngine

/// What each route answers.
extension ControlService {
    func answer(
        _ route: ServiceRoute, _ request: HTTPServerRequest, _ responder: any HTTPResponder
    ) throws(ServiceError) {
        switch route {
        case .health:
            responder.respond(ControlService.json(health()))
        case .metrics:
            responder.respond(metrics())
        case .events:
            let stream = responder.stream(status: 200, headers: ControlService.eventStreamHeaders)
            events.subscribe(stream, lastEventID: request.header("last-event-id"))
        case .streams where request.method == "POST":
            let spec = try newSpec(from: request)
            do { try engine.add(spec) } catch { throw ControlService.refusal(error) }
            responder.respond(ControlService.json(text: try status(of: spec.id), status: 201))
        case .streams:
            let (version, snapshots) = engine.store.latest()
            var text = body.data(version: version, snapshots: snapshots, disk: engine.store.disk)
            text.append(0x0A)  // in the room `data` left for it
            responder.respond(HTTPServerResponse(
                status: 200, headers: [("Content-Type", "application/json")], body: text))
        case .stream(let id):
            try answerStream(id: id, request, responder)
        case .action(let id, let action):
            try requireStream(id)
            let problem: RegistryError?
            switch action {
            case .start: problem = engine.start(id: id)
            case .stop: problem = engine.stop(id: id)
            case .restart:
                engine.restart(id: id)
                problem = nil
            }
            let answer = try status(of: id)
            guard let problem, case .object(var object) = try? JSONParser.parse(answer.bytes) else {
                return responder.respond(ControlService.json(text: answer))
            }
            object["warning"] = .string("not saved in the registry: \(problem)")
            responder.respond(ControlService.json(.object(object)))
        case .logs(let id):
            try answerLogs(id: id, request, responder)
        case .document(let id):
            try requireStream(id)
            guard let document = engine.document(id: id) else {
                throw ServiceError(404, "no_document", "stream \"\(id)\" has no JSON document yet")
            }
            responder.respond(ControlService.json(document))
        case .settings(let id):
            guard let spec = engine.specs.first(where: { $0.id == id }) else { throw ControlService.unknown(id) }
            responder.respond(ControlService.json(spec.redacted.json))
        case .history(let id):
            guard let history = engine.history(id: id) else { throw ControlService.unknown(id) }
            responder.respond(ControlService.json(StatusBody.history(history)))
        case .served(let id, let resource):
            guard let feed = engine.servedFeed(id: id) else {
                try requireStream(id)
                throw ServiceError(
                    404, "not_served",
                    "stream \"\(id)\" is not served; a poll stream is, with \"serve\": true in its settings")
            }
            serve(feed, resource, request, responder, headers: [])
        }
    }

    static let eventStreamHeaders = [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")]

    private func answerStream(
        id: String, _ request: HTTPServerRequest, _ responder: any HTTPResponder
    ) throws(ServiceError) {
        switch request.method {
        case "PUT":
            var spec = try ControlService.spec(from: request, id: id)
            spec.id = id
            // Secrets sent back as `/settings` showed them (masked) keep their registered values.
            if let registered = engine.specs.first(where: { $0.id == id }) {
                spec = spec.keepingSecrets(of: registered)
            }
            do { try engine.update(spec) } catch { throw ControlService.refusal(error) }
            responder.respond(ControlService.json(text: try status(of: id)))
        case "DELETE":
            do { try engine.remove(id: id) } catch { throw ControlService.refusal(error) }
            responder.respond(HTTPServerResponse(status: 204))
        default:
            // As published, like /v1/streams: waiting for the stream's queue (shared with
            // thousands of others) would put a reader behind their events.
            guard let snapshot = engine.store.snapshot(id: id) else { throw ControlService.unknown(id) }
            responder.respond(ControlService.json(text: body.text(snapshot)))
        }
    }

    private func answerLogs(
        id: String, _ request: HTTPServerRequest, _ responder: any HTTPResponder
    ) throws(ServiceError) {
        try requireStream(id)
        let follow = try ControlService.flag(request, "follow")
        let limit = try ControlService.count(request, "limit", default: follow ? 0 : 100, most: 1000)
        let entries = limit == 0 ? [] : engine.recentLog(id: id, limit: limit)
        guard follow else {
            return responder.respond(HTTPServerResponse(
                status: 200, headers: [("Content-Type", "application/x-ndjson")], body: entries.flatMap(\.line)))
        }
        let stream = responder.stream(status: 200, headers: ControlService.eventStreamHeaders)
        var first: [UInt8] = Array("retry: 2000\n\n".utf8)
        for entry in entries { first += EventsFeed.frame(event: "log", id: nil, data: entry.line.dropLast()) }
        guard stream.send(first) else { return }
        let path = "\(options.stateDirectory)/logs/\(id).jsonl"
        LogFollower(path: path, stream: stream, time: time).start()
    }

    // MARK: Pieces

    private func health() -> JSONValue {
        let (streams, running) = engine.store.counts()
        return [
            "status": "ok", "pid": .number(JSONNumber(Int(getpid()))), "version": .string(options.version),
            "startedAt": .string(startedAt.iso8601),
            "uptimeSeconds": .number(
                JSONNumber(((time.now() - startMoment).seconds * 1000).rounded() / 1000) ?? JSONNumber(0)),
            "streams": .number(JSONNumber(streams)),
            "running": .number(JSONNumber(running)),
            "shard": .string(options.shard), "stateDirectory": .string(options.stateDirectory),
            "registry": options.registryPath.map { .string($0) } ?? .null,
        ]
    }

    private func metrics() -> HTTPServerResponse {
        let snapshots = engine.store.latest().snapshots
        let text = MetricsExposition.render(
            snapshots: snapshots, groupSavings: Engine.groupSavings(snapshots), shard: options.shard,
            process: .current(), wall: wall.now(), now: time.now(), upload: engine.store.disk?.upload)
        return HTTPServerResponse(
            status: 200, headers: [("Content-Type", MetricsExposition.contentType)], body: Array(text.utf8))
    }

    func status(of id: String) throws(ServiceError) -> StatusText {
        guard let snapshot = engine.settledSnapshot(id: id) else { throw ControlService.unknown(id) }
        return body.text(snapshot)
    }

    private func requireStream(_ id: String) throws(ServiceError) {
        guard engine.has(id: id) else { throw ControlService.unknown(id) }
    }

    static func unknown(_ id: String) -> ServiceError {
        ServiceError(404, "no_such_stream", "no stream \"\(id)\" is registered")
    }

    static func refusal(_ error: EngineChangeError) -> ServiceError {
        switch error {
        case .taken: return ServiceError(409, "id_taken", error.description)
        case .notRegistered(let id): return unknown(id)
        case .invalid: return ServiceError(400, "invalid_stream", error.description)
        case .registry: return ServiceError(500, "registry", error.description)
        }
    }

    /// A new stream from a POST body; without an `id`, one made from its name.
    private func newSpec(from request: HTTPServerRequest) throws(ServiceError) -> StreamSpec {
        var object = try ControlService.object(from: request)
        if object["id"] == nil, case .string(let name)? = object["name"] {
            object["id"] = .string(((try? Registry(streams: engine.specs)) ?? Registry()).newID(for: name))
        }
        return try ControlService.spec(.object(object))
    }

    static func spec(from request: HTTPServerRequest, id: String) throws(ServiceError) -> StreamSpec {
        var object = try object(from: request)
        if case .string(let other)? = object["id"], other != id {
            throw ServiceError(400, "invalid_stream", "id: \"\(other)\" does not match the path's \"\(id)\"")
        }
        object["id"] = .string(id)
        return try spec(.object(object))
    }

    private static func spec(_ json: JSONValue) throws(ServiceError) -> StreamSpec {
        do {
            return try StreamSpec(json: json)
        } catch {
            throw ServiceError(400, "invalid_stream", error.description)
        }
    }

    /// The JSON object in a request's body.
    private static func object(from request: HTTPServerRequest) throws(ServiceError) -> JSONObject {
        if let type = request.header("content-type"),
           type.split(separator: ";").first?.trimmingCharacters.lowercased() != "application/json" {
            throw ServiceError(
                415, "unsupported_media_type", "the body must be JSON (Content-Type: application/json), not \(type)")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(request.body)
        } catch {
            throw ServiceError(400, "invalid_json", "the body is not JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw ServiceError(400, "invalid_stream", "stream: must be an object, not \(value.typeNameWithArticle)")
        }
        return object
    }

    private static func flag(_ request: HTTPServerRequest, _ name: String) throws(ServiceError) -> Bool {
        switch request.query[name] {
        case nil, "false", "0": return false
        case "", "true", "1": return true
        case let other?: throw ServiceError(400, "bad_query", "\(name) must be true or false, not '\(other)'")
        }
    }

    private static func count(
        _ request: HTTPServerRequest, _ name: String, default value: Int, most: Int
    ) throws(ServiceError) -> Int {
        guard let text = request.query[name] else { return value }
        guard let number = Int(text), number >= 0 else {
            throw ServiceError(400, "bad_query", "\(name) must be a whole number from 0 to \(most), not '\(text)'")
        }
        return min(number, most)
    }
}
