#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamCore
import Synchronization

/// Keeps a running engine in step with its registry file: `check()` (once a second, say)
/// notices when the file was replaced or rewritten and hands the new registry to
/// `Engine.follow`. A script's `streamtop add` then shows up in a running monitor or
/// `run --headless` without a restart.
public final class RegistryFollower: Sendable {
    public enum Outcome: Sendable, Equatable {
        case followed(Engine.Followed)
        /// The file changed but is not a valid registry; the engine carries on with what it
        /// has. Reported once per distinct problem.
        case invalid(RegistryError)
    }

    public let file: RegistryFile
    private let engine: Engine
    /// The version of the file last followed, and the last problem reported. Checks take
    /// turns on this lock.
    private let state: Mutex<(seen: Fingerprint?, lastProblem: RegistryError?)>

    /// What tells one version of the file from another: each save renames a new file into
    /// place (a new inode); an edit in place changes the size or the modification time.
    struct Fingerprint: Equatable, Sendable {
        var inode: UInt64
        var size: Int64
        var modified: Int64
    }

    /// `engine` runs the streams of `file` as loaded now; changes from here on are followed.
    public init(file: RegistryFile, engine: Engine) {
        self.file = file
        self.engine = engine
        state = Mutex((RegistryFollower.fingerprint(of: file.path), nil))
    }

    /// Follows the file if it changed since the last check (`force`: whether or not it seems
    /// to have, as SIGHUP asks); nil when it did not, or when following changed nothing and
    /// there is nothing to report.
    public func check(force: Bool = false) -> Outcome? {
        state.withLock { state -> Outcome? in
            // A missing file is not an empty registry: a person moving it away, or a disk
            // that hiccups, must not stop every stream. Following resumes when it is back.
            guard let now = RegistryFollower.fingerprint(of: file.path), force || now != state.seen else { return nil }
            state.seen = now
            do throws(RegistryError) {
                let followed = engine.follow(try file.load())
                // After a problem, say the file is good again even when nothing changed, so
                // the problem's message does not stay as the last word.
                let recovered = state.lastProblem != nil
                state.lastProblem = nil
                return followed.isEmpty && !recovered ? nil : .followed(followed)
            } catch {
                guard error != state.lastProblem else { return nil }
                state.lastProblem = error
                return .invalid(error)
            }
        }
    }

    static func fingerprint(of path: String) -> Fingerprint? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        let modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        return Fingerprint(inode: UInt64(status.st_ino), size: Int64(status.st_size), modified: modified)
    }
}

extension RegistryFollower.Outcome {
    /// One line for a person: `registry changed: added a, b; removed c` or the problem.
    public var message: String {
        switch self {
        case .followed(let followed):
            // A script may add hundreds at once: name a few, count the rest.
            func list(_ verb: String, _ ids: [String]) -> String? {
                guard !ids.isEmpty else { return nil }
                let named = ids.prefix(5).joined(separator: ", ")
                return ids.count > 5 ? "\(verb) \(named) and \(ids.count - 5) more" : "\(verb) \(named)"
            }
            let parts = [list("added", followed.added), list("removed", followed.removed), list("edited", followed.edited)]
            if followed.isEmpty { return "registry valid again; no stream changed" }
            return "registry changed: " + parts.compactMap { $0 }.joined(separator: "; ")
        case .invalid(let error):
            // The file may hold anything: what its error quotes is made safe to print.
            return "registry not followed: \(Sanitizer.line(error.description)); carrying on with the streams already running"
        }
    }

    public var isProblem: Bool {
        if case .invalid = self { return true }
        return false
    }
}
