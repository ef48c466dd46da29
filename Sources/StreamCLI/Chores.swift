import Dispatch
import StreamCore
import StreamEngine

/// What runs once a second beside the monitor or a headless run, on a queue of its own: takes
/// in registry changes other processes made, and keeps status.json current. What a person
/// should hear of it is published as an alert (the monitor's status line; a headless run's
/// stdout or stderr), a problem once and its end once.
final class Chores {
    private let queue = DispatchQueue(label: "streamtop.chores")
    private let timer: DispatchSourceTimer

    init(engine: Engine, follower: RegistryFollower) {
        let wall = SystemWallClock()
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + 1, repeating: 1)
        // Only this timer's queue touches it.
        nonisolated(unsafe) var statusFailing = false
        timer.setEventHandler {
            if let outcome = follower.check() {
                engine.store.publishAlert(stream: "", message: outcome.message, recovered: !outcome.isProblem)
            }
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
    }

    /// SIGHUP: reads the registry again now, whether or not it seems to have changed, says
    /// what that changed (or that nothing did), and reopens every log and archive file.
    func reload(engine: Engine, follower: RegistryFollower) {
        queue.async {
            engine.reopenFiles()
            let outcome = follower.check(force: true)
            let message = outcome?.message ?? "registry read again (SIGHUP): nothing changed"
            engine.store.publishAlert(stream: "", message: message, recovered: !(outcome?.isProblem ?? false))
        }
    }

    /// Stops the timer and waits for a round in progress: the final status.json, written
    /// after this, must not race with one written here.
    func stop() {
        timer.cancel()
        queue.sync {}
    }
}
