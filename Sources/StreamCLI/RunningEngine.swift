import StreamCore
import StreamService

/// The streamtop running the streams of a state directory, reached through its control API
/// (the Unix socket `<state>/streamtop.sock`): what `start`, `stop`, `logs`, `document`,
/// `status`, `add` and `remove` go through when one runs, so that it applies a change at once.
struct RunningEngine {
    let client: ServiceClient
    let health: ServiceClient.Health
    let stateDirectory: String

    /// The engine serving `stateDirectory`; nil when none answers there.
    static func find(stateDirectory: String) -> RunningEngine? {
        guard let (client, health) = ServiceClient.running(stateDirectory: stateDirectory) else { return nil }
        return RunningEngine(client: client, health: health, stateDirectory: stateDirectory)
    }

    /// `/v1/streams/{id}` and below it.
    static func path(id: String, _ rest: String = "") -> String {
        "/v1/streams/" + ServiceClient.segment(id) + rest
    }

    /// What to tell a person about an API error concerning stream `id`: the words the command
    /// line used before for an unknown stream, the API's own message otherwise.
    static func message(_ error: ServiceError, id: String?) -> String {
        if error.code == "no_such_stream", let id { return unknownStream(id) }
        return Sanitizer.line(error.message)
    }

    /// "no stream 'x' is registered (see 'streamtop list')".
    static func unknownStream(_ id: String) -> String {
        "no stream '\(Sanitizer.line(id))' is registered (see 'streamtop list')"
    }

    /// "no streamtop is running the streams of DIR".
    static func noneRunning(_ stateDirectory: String) -> String {
        "no streamtop is running the streams of \(Sanitizer.line(stateDirectory))"
    }
}
