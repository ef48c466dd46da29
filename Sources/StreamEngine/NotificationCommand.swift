import Dispatch
import StreamCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Runs a notification command the way a long-running monitor must: without a shell; with
/// standard input from /dev/null and its output in an unlinked temporary file, never on the
/// terminal, where it would scribble over the full-screen monitor; without the engine's
/// sockets and files (descriptors above 2 are closed in the child, so a slow command cannot
/// keep a stream's connection open); and killed when it outlives `timeout`. When it fails,
/// the end of what it printed is quoted: that is usually the reason.
enum NotificationCommand {
    /// The most of the command's output quoted in a failure.
    static let quotedBytes = 300

    /// Runs `command` (its program looked up in `PATH`) and waits; nil when it exited 0, else
    /// what went wrong, with the end of its output.
    static func run(_ command: [String], environment: [String], timeout: Duration) -> String? {
        guard let program = command.first else { return "is empty" }
        let output = temporaryOutputFile()
        defer { if output >= 0 { close(output) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if output >= 0 {
            posix_spawn_file_actions_adddup2(&actions, output, 1)
            posix_spawn_file_actions_adddup2(&actions, output, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        closeDescriptorsAbove2(&actions)
        let arguments = command.map { strdup($0) } + [nil]
        let environment = environment.map { strdup($0) } + [nil]
        defer {
            for argument in arguments { free(argument) }
            for entry in environment { free(entry) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, program, &actions, nil, arguments, environment)
        guard spawned == 0 else { return "could not start: \(String(cString: strerror(spawned)))" }
        let timedOut = waitKillingAfter(timeout, pid: pid)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7F == 0
        let code = (status >> 8) & 0xFF
        if exited && code == 0 && !timedOut { return nil }
        let what = timedOut
            ? "did not finish within \(describe(timeout)) and was killed"
            : exited ? "exited with status \(code)" : "was killed by signal \(status & 0x7F)"
        let printed = output >= 0 ? lastOutput(output) : ""
        return printed.isEmpty ? what : "\(what): \(printed)"
    }

    static func describe(_ duration: Duration) -> String {
        duration >= .seconds(1) ? "\(Int(duration.seconds.rounded())) s" : "\(duration.nanoseconds / 1_000_000) ms"
    }

    /// Waits for `pid` to end without reaping it, killing it once `timeout` has passed;
    /// returns whether it had to be killed. The child stays a zombie until the caller reaps
    /// it, so the kill can never reach another process that reused its id.
    private static func waitKillingAfter(_ timeout: Duration, pid: pid_t) -> Bool {
        final class Watch: Sendable {
            /// Whether the child has ended, and whether it was killed.
            let state = Mutex((ended: false, killed: false))
        }
        let watch = Watch()
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(timeout.nanoseconds))) {
            watch.state.withLock { state in
                guard !state.ended else { return }
                state.killed = true
                kill(pid, SIGKILL)
            }
        }
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
        return watch.state.withLock { state in
            state.ended = true
            return state.killed
        }
    }

    /// An unlinked file for the command's output: nothing to clean up, however it ends.
    private static func temporaryOutputFile() -> Int32 {
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(directory)/streamtop-notify-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return -1 }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)  // only the child's dup2 copies outlive the spawn
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return fd
    }

    /// The last line or so of what the command printed, made safe to show.
    private static func lastOutput(_ fd: Int32) -> String {
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_size > 0 else { return "" }
        let size = Int(status.st_size)
        let count = min(size, quotedBytes)
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(size - count)) }
        guard read > 0 else { return "" }
        let text = String(decoding: bytes.prefix(read), as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }
        return Sanitizer.line(lines.last.map(String.init) ?? "")
    }

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34 and later), looked up at run
    /// time because the Glibc module does not export it; without it the engine's descriptors
    /// are inherited, as they were before.
    private static func closeDescriptorsAbove2(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
    }
}
