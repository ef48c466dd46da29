import Dispatch
import Foundation
import StreamCore
import StreamEngine
import StreamUI

/// What `run` and `demo` share around the monitor: where themes are found, and the chores
/// done once a second beside it.
enum MonitorCommandSupport {
    static func themes(_ context: CommandContext) -> ThemeCatalog {
        ThemeCatalog.standard(
            environment: context.environment,
            executablePath: Bundle.main.executablePath ?? CommandLine.arguments[0],
            currentDirectory: FileManager.default.currentDirectoryPath)
    }

    /// Raises the open-file limit as far as allowed; what to tell a person when it is still
    /// too low for `streams` streams.
    static func raiseOpenFileLimit(streams: Int) -> String? {
        OpenFileLimit.warning(streams: streams, limit: OpenFileLimit.raise())
    }

    /// Once a second, on a queue of its own: takes in registry changes other processes made
    /// (said in the status line, like an alert, in an error's colour for a problem), and keeps
    /// status.json current. Cancel the timer when the monitor ends.
    static func startChores(engine: Engine, follower: RegistryFollower) -> DispatchSourceTimer {
        let wall = SystemWallClock()
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "streamtop.chores"))
        timer.schedule(deadline: .now() + 1, repeating: 1)
        // Only this timer's queue touches it.
        nonisolated(unsafe) var statusFailing = false
        timer.setEventHandler {
            if let outcome = follower.check() {
                engine.store.publishAlert(stream: "", message: outcome.message, recovered: !outcome.isProblem)
            }
            // A status.json that cannot be written is said once, and its end too.
            do {
                try engine.writeStatusIfMoved(at: wall.now())
                if statusFailing { engine.store.publishAlert(stream: "", message: "status.json is written again", recovered: true) }
                statusFailing = false
            } catch {
                if !statusFailing { engine.store.publishAlert(stream: "", message: Sanitizer.line("\(error)"), recovered: false) }
                statusFailing = true
            }
        }
        timer.resume()
        return timer
    }
}
