import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The servers and browsers a test starts (moto, Chromium): each a child in a process group of
/// its own (its id is the child's pid), started without a shell and killed whole, its own
/// children too, by `kill`, and at exit should a test crash before it cleans up.
package enum ProcessGroup {
    /// Starts `arguments` (the program looked up in `PATH`) with the descriptors `actions` give
    /// it, in this process's environment changed by `environment`; returns its pid.
    package static func spawn(
        _ arguments: [String], environment changes: [String: String] = [:], actions: inout posix_spawn_file_actions_t
    ) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let words: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let environment: [UnsafeMutablePointer<CChar>?] =
            ProcessInfo.processInfo.environment.merging(changes) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in words { free(pointer) }
            for pointer in environment { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, &attributes, words, environment)
        guard spawned == 0 else { throw SpawnFailure(program: arguments[0], code: spawned) }
        alive.withLock { _ = $0.insert(pid) }
        return pid
    }

    /// Kills the process group of `pid` and reaps `pid`.
    package static func kill(_ pid: pid_t) {
        Glibc.kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        alive.withLock { _ = $0.remove(pid) }
    }

    /// Every group started and not yet killed: killed at exit.
    static let alive: Mutex<Set<pid_t>> = {
        atexit {
            for pid in ProcessGroup.alive.withLock({ $0 }) { Glibc.kill(-pid, SIGKILL) }
        }
        return Mutex([])
    }()

    package struct SpawnFailure: Error, CustomStringConvertible {
        package var program: String
        package var code: Int32
        package var description: String { "cannot start \(program): \(String(cString: strerror(code)))" }
    }
}
