import Dispatch
import StreamCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Runs a notification command the way a long-running monitor must: without a shell; with
/// standard input from /dev/null and its output read through a pipe, never on the terminal,
/// where it would scribble over the full-screen monitor, and never kept beyond its last
/// `keptBytes` (a command that prints without end fills neither memory nor a disk); without
/// the engine's sockets and files (descriptors above 2 are closed in the child, so a slow
/// command cannot keep a stream's connection open); in a process group of its own, killed
/// whole, children too, when it outlives `timeout`. When it fails, the end of what it printed
/// is quoted: that is usually the reason.
enum NotificationCommand {
    /// The most of the command's output quoted in a failure.
    static let quotedBytes = 300
    /// The most of its output kept while it runs (its end; the rest is read and dropped).
    static let keptBytes = 4096

    /// Runs `command` (its program looked up in `PATH`) and waits; nil when it exited 0, else
    /// what went wrong, with the end of its output.
    /// The timeout is a deadline of `time`'s, as every deadline of the engine.
    static func run(
        _ command: [String], environment: [String], timeout: Duration, time: any Scheduler = SystemScheduler()
    ) -> String? {
        guard let program = command.first else { return "is empty" }
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else { return "could not start: \(String(cString: strerror(errno)))" }
        let (reading, writing) = (pipeEnds[0], pipeEnds[1])
        // Only the child's dup2 copies outlive the spawn (it closes everything above 2 anyway).
        _ = fcntl(reading, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writing, F_SETFD, FD_CLOEXEC)
        defer { close(reading) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writing, 1)
        posix_spawn_file_actions_adddup2(&actions, writing, 2)
        closeDescriptorsAbove2(&actions)
        // A process group of its own (its id is the child's pid), killed whole on timeout.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let arguments = command.map { strdup($0) } + [nil]
        let environment = environment.map { strdup($0) } + [nil]
        defer {
            for argument in arguments { free(argument) }
            for entry in environment { free(entry) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, program, &actions, &attributes, arguments, environment)
        close(writing)
        guard spawned == 0 else { return "could not start: \(String(cString: strerror(spawned)))" }
        // The kill comes from the scheduler; it never reaches a reaped child (see `Watch`).
        let watch = Watch()
        let child = pid
        let killer = time.schedule(after: timeout, on: Watch.queue) { watch.kill(child) }
        let output = collect(from: reading, pid: pid, watch: watch)
        killer.cancel()
        let timedOut = watch.end()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7F == 0
        let code = (status >> 8) & 0xFF
        if exited && code == 0 && !timedOut { return nil }
        let what = timedOut
            ? "did not finish within \(describe(timeout)) and was killed"
            : exited ? "exited with status \(code)" : "was killed by signal \(status & 0x7F)"
        let printed = lastLine(output)
        return printed.isEmpty ? what : "\(what): \(printed)"
    }

    static func describe(_ duration: Duration) -> String {
        duration >= .seconds(1) ? "\(Int(duration.seconds.rounded())) s" : "\(duration.nanoseconds / 1_000_000) ms"
    }

    /// Whether the command's time ran out, and whether it has ended: the kill and the reaping
    /// take turns on a lock, so a kill can never reach another process that reused the id.
    private final class Watch: Sendable {
        static let queue = DispatchQueue(label: "streamtop.notify.timeouts")
        private let state = Mutex((ended: false, killed: false))

        /// Kills the command's whole process group, unless it has ended.
        func kill(_ pid: pid_t) {
            state.withLock { state in
                guard !state.ended else { return }
                state.killed = true
                _ = Glibc.kill(-pid, SIGKILL)
            }
        }

        var killed: Bool { state.withLock { $0.killed } }

        /// The command has ended (it may be reaped now); returns whether it had been killed.
        func end() -> Bool {
            state.withLock { state in
                state.ended = true
                return state.killed
            }
        }
    }

    /// Reads the command's output, keeping its last `keptBytes`, until the command has ended;
    /// returns the output. The child is waited for without being reaped: it stays a zombie
    /// until the caller reaps it, so its process group can still be killed as a whole.
    private static func collect(from fd: Int32, pid: pid_t, watch: Watch) -> [UInt8] {
        var kept: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        var open = true
        func ended() -> Bool {
            var info = siginfo_t()
            guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return false }
            return info._sifields._sigchld.si_pid != 0
        }
        while true {
            if open {
                var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&entry, 1, 100) > 0 {
                    let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if count > 0 {
                        kept.append(contentsOf: buffer[0..<count])
                        if kept.count > keptBytes { kept.removeFirst(kept.count - keptBytes) }
                    } else if count == 0 || errno != EINTR {
                        open = false  // every writer is gone
                    }
                }
            } else {
                usleep(10_000)
            }
            // Its own end, not its output's: a child left in the background may keep the pipe.
            if ended() { break }
        }
        // What it wrote just before it ended (a bounded amount: a child left behind may write on).
        var drained = 0
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while open, drained < 1 << 20, poll(&entry, 1, 0) > 0 {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            drained += count
            kept.append(contentsOf: buffer[0..<count])
            if kept.count > keptBytes { kept.removeFirst(kept.count - keptBytes) }
        }
        if watch.killed { kill(-pid, SIGKILL) }  // whatever of its group was left behind
        return kept
    }

    /// The last line or so of what the command printed, made safe to show.
    private static func lastLine(_ output: [UInt8]) -> String {
        let text = String(decoding: output.suffix(quotedBytes), as: UTF8.self)
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
