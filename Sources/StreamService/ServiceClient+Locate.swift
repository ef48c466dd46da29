#if canImport(Glibc)
import Glibc
#endif
import StreamCore

extension ServiceClient {
    /// What `/v1/health` says of a running service.
    package struct Health: Sendable, Equatable {
        package var pid: Int
        package var startedAt: String
        package var streams: Int
        package var version: String
        /// The registry file the engine follows (nil: it did not say).
        package var registry: String?
    }

    /// A client of the engine serving `stateDirectory`, and its health; nil when none answers
    /// on its socket (no socket file, or a stale one left by a crash).
    package static func running(stateDirectory: String) -> (ServiceClient, Health)? {
        let socket = ControlService.socketPath(stateDirectory: stateDirectory)
        guard access(socket, F_OK) == 0, let client = try? ServiceClient(endpoint: .unix(path: socket)),
              let health = try? client.health() else { return nil }
        return (client, health)
    }

    /// `GET /v1/health`.
    package func health() throws(ServiceError) -> Health {
        let reply = try request("GET", "/v1/health", timeout: .seconds(5))
        if let error = reply.error { throw error }
        guard let json = reply.json, case .number(let pid)? = json["pid"], let pidValue = pid.intValue else {
            throw ServiceError(502, "not_streamtop", "\(endpoint) did not answer as streamtop does")
        }
        return Health(
            pid: pidValue, startedAt: json["startedAt"]?.stringValue ?? "",
            streams: json["streams"].flatMap { value -> Int? in
                if case .number(let count) = value { return count.intValue }
                return nil
            } ?? 0,
            version: json["version"]?.stringValue ?? "", registry: json["registry"]?.stringValue)
    }
}
