#if canImport(Glibc)
import Glibc
#endif
import StreamCore
import StreamEngine
import StreamService

/// The streamtop running the streams of a state directory, reached through its control API
/// (the Unix socket `<state>/streamtop.sock`): what `start`, `stop`, `logs`, `document`,
/// `status`, `add` and `remove` go through when one runs, so that it applies a change at once.
struct RunningEngine {
    let client: ServiceClient
    let health: ServiceClient.Health
    let stateDirectory: String

    /// The engine serving `stateDirectory` on the registry `registryPath` (nil: whichever); nil
    /// when none answers there, or when it follows another registry (`--config`): the command
    /// then works on the file it was given, as with no engine running.
    /// Throws when a streamtop holds the state directory but does not answer (hung, stopped,
    /// or too busy): working on the files then would tell the person something false.
    static func find(stateDirectory: String, registryPath: String? = nil) throws(ServiceError) -> RunningEngine? {
        var found = ServiceClient.running(stateDirectory: stateDirectory)
        // A streamtop that has just started holds the lock a moment before its socket is bound.
        var waits = 0
        while found == nil, waits < 20, StateDirectoryLock.isHeld(stateDirectory: stateDirectory),
              access(ControlService.socketPath(stateDirectory: stateDirectory), F_OK) != 0 {
            usleep(100_000)
            waits += 1
            found = ServiceClient.running(stateDirectory: stateDirectory)
        }
        guard let (client, health) = found else {
            guard StateDirectoryLock.isHeld(stateDirectory: stateDirectory) else { return nil }
            let who = StateDirectoryLock.holder(stateDirectory: stateDirectory).map { "streamtop (pid \($0))" }
                ?? "a streamtop"
            throw ServiceError(
                503, "unresponsive",
                "\(who) runs the streams of \(Sanitizer.line(stateDirectory)) but does not answer on "
                    + "\(ControlService.socketPath(stateDirectory: stateDirectory))")
        }
        if let registryPath, let served = health.registry, !sameFile(registryPath, served) { return nil }
        return RunningEngine(client: client, health: health, stateDirectory: stateDirectory)
    }

    /// `find` for a command given `--config` (or not): the registry it works on.
    static func find(
        stateDirectory: String, config: String?, _ context: CommandContext
    ) throws(ServiceError) -> RunningEngine? {
        let registry = Paths.registry(override: config, environment: context.environment)
        return try find(stateDirectory: stateDirectory, registryPath: registry)
    }

    /// Whether two paths name one file (or, when neither exists, are the same text).
    private static func sameFile(_ a: String, _ b: String) -> Bool {
        var first = stat()
        var second = stat()
        guard stat(a, &first) == 0, stat(b, &second) == 0 else { return a == b }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
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
