import StreamCore
import StreamEngine
import StreamService

/// An attached monitor's commands, as requests to the engine: each returns the API's message
/// when it failed (nil: done), as the keys and the form show it.
extension RemoteLink {
    func start(id: String) -> String? { action("start", id) }
    func stop(id: String) -> String? { action("stop", id) }

    func restart(id: String) {
        // The protocol returns nothing here: a failure is said as an alert.
        let client = client
        let path = "/v1/streams/\(ServiceClient.segment(id))/restart"
        background.async { [weak self] in
            guard let problem = RemoteLink.send(client, "POST", path) else { return }
            self?.alert(stream: id, "not restarted: \(problem)")
        }
    }

    func add(_ spec: StreamSpec) -> String? {
        RemoteLink.send(client, "POST", "/v1/streams", body: spec.json)
    }

    func update(_ spec: StreamSpec) -> String? {
        RemoteLink.send(client, "PUT", "/v1/streams/\(ServiceClient.segment(spec.id))", body: spec.json)
    }

    func remove(id: String) -> String? {
        RemoteLink.send(client, "DELETE", "/v1/streams/\(ServiceClient.segment(id))")
    }

    /// The registered settings of a stream, from the registry file the engine runs when it is
    /// known here (an attach on this machine); nil otherwise: the API does not serve them.
    /// The stream's settings from the API (secrets masked; an edit sending them back keeps
    /// them), else from the registry file when it is on this machine.
    func spec(id: String) -> StreamSpec? {
        if let reply = try? client.request(
            "GET", "/v1/streams/\(ServiceClient.segment(id))/settings", timeout: RemoteLink.commandTimeout),
           reply.status == 200, let json = reply.json, let spec = try? StreamSpec(json: json) {
            return spec
        }
        guard let registryPath else { return nil }
        return (try? RegistryFile(path: registryPath).load())?.spec(id: id)
    }

    func newID(for name: String) -> String {
        var taken = streamIDs
        if let registryPath, let registry = try? RegistryFile(path: registryPath).load() {
            taken.formUnion(registry.streams.map(\.id))
        }
        let base = StreamSpec.slug(name)
        var candidate = base
        var suffix = 2
        while taken.contains(candidate) {
            candidate = "\(base)-\(suffix)"
            suffix += 1
        }
        return candidate
    }

    /// `POST /v1/streams/{id}/start` or `/stop`: a problem saving the choice in the registry
    /// comes back as the answer's `warning`.
    private func action(_ verb: String, _ id: String) -> String? {
        do {
            let reply = try client.request(
                "POST", "/v1/streams/\(ServiceClient.segment(id))/\(verb)", timeout: RemoteLink.commandTimeout)
            if let error = reply.error { return error.message }
            return reply.json?["warning"]?.stringValue
        } catch {
            return error.message
        }
    }

    /// One request; the API's message when it failed.
    static func send(_ client: ServiceClient, _ method: String, _ path: String, body: JSONValue? = nil) -> String? {
        do {
            let reply = try client.request(method, path, body: body, timeout: RemoteLink.commandTimeout)
            return reply.error?.message
        } catch {
            return error.message
        }
    }
}
