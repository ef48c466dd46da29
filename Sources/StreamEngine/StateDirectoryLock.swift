#if canImport(Glibc)
import Glibc
#endif

/// Only one engine runs the streams of a state directory at a time: a second would open every
/// stream again, write every log and archive line twice and take turns overwriting status.json
/// (an operator opening the monitor beside a `run --headless` service would do exactly that).
/// Held with `flock` on `<state>/streamtop.lock`, which also names the holder's pid, for as long
/// as this object lives; the kernel lets go when the process ends, however it ends.
public final class StateDirectoryLock {
    /// Why the lock could not be taken.
    public enum Failure: Error, CustomStringConvertible {
        /// Another process holds it (its pid, when the lock file names one).
        case held(directory: String, pid: Int32?)
        case file(FileError)

        public var description: String {
            switch self {
            case .held(let directory, let pid):
                let who = pid.map { "another streamtop (pid \($0))" } ?? "another streamtop"
                return "\(who) is already running the streams of \(directory); stop it first, or give this one its own --state-dir ('streamtop status' shows the running streams)"
            case .file(let error):
                return error.description
            }
        }
    }

    public let path: String
    private let fd: Int32

    public init(stateDirectory: String) throws(Failure) {
        do { try makeDirectories(stateDirectory) } catch { throw .file(error) }
        path = "\(stateDirectory)/streamtop.lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .file(FileError(path: path, operation: "open", code: errno)) }
        // A few tries over 100 ms: `streamtop status` takes the lock shared for an instant to
        // see whether anything runs, which must not turn a start away.
        var result: Int32 = -1
        for attempt in 0..<5 {
            if attempt > 0 { usleep(25_000) }
            repeat { result = flock(fd, LOCK_EX | LOCK_NB) } while result != 0 && errno == EINTR
            if result == 0 { break }
        }
        guard result == 0 else {
            let holder = StateDirectoryLock.pid(in: fd)
            close(fd)
            throw .held(directory: stateDirectory, pid: holder)
        }
        // Name the holder, for the message a second process gives.
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit { close(fd) }  // closing releases the lock

    /// Whether a streamtop is running the streams of `stateDirectory` now (holds its lock).
    public static func isHeld(stateDirectory: String) -> Bool {
        let fd = open("\(stateDirectory)/streamtop.lock", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }  // releases the shared lock, if taken
        var result: Int32
        repeat { result = flock(fd, LOCK_SH | LOCK_NB) } while result != 0 && errno == EINTR
        return result != 0 && errno == EWOULDBLOCK
    }

    /// The pid the lock file of `stateDirectory` names (the holder's, while it is held).
    public static func holder(stateDirectory: String) -> Int32? {
        let fd = open("\(stateDirectory)/streamtop.lock", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return pid(in: fd)
    }

    private static func pid(in fd: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: bytes.prefix(count), as: UTF8.self).trimmingWhitespace)
    }
}

private extension String {
    var trimmingWhitespace: String {
        String(self.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
