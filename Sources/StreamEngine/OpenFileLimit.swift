#if canImport(Glibc)
import Glibc
#endif

/// The process's limit on open files, which many streams need raised. A running stream holds
/// a socket, its log file and its archive file; a login shell's soft limit is often 1,024,
/// which 300 streams exhaust, and then connections fail as if refused and nothing can be
/// written. The hard limit is usually far higher (systemd gives 524,288), so `run` and `demo`
/// raise the soft limit to it, and say so when even that is too low.
public enum OpenFileLimit {
    /// Files a running stream holds open: its connection, its log and its archive.
    public static let perStream = 3
    /// Files the process holds besides its streams: standard streams, epoll, libcurl's wakeup
    /// pipe, status.json and the registry while they are written, logs read back, notifiers.
    public static let besidesStreams = 64

    /// The open files `streams` running streams need.
    public static func needed(streams: Int) -> Int {
        besidesStreams + perStream * streams
    }

    /// The soft limit in force.
    public static var current: Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return Int.max }
        return Int(clamping: limit.rlim_cur)  // RLIM_INFINITY (all ones) clamps to Int.max
    }

    /// Raises the soft limit as far as the hard limit allows (at most `cap`, far beyond any
    /// registry, so that a huge or unlimited hard limit does not make every later `fork`
    /// close millions of descriptors); returns the soft limit then in force.
    @discardableResult
    public static func raise(cap: Int = 1 << 20) -> Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return current }
        let wanted = min(limit.rlim_max, rlim_t(cap))
        if limit.rlim_cur < wanted {
            limit.rlim_cur = wanted
            _ = setrlimit(resource, &limit)
        }
        return current
    }

    /// What to tell a person when `streams` need more open files than `limit` allows; nil
    /// when it is enough.
    public static func warning(streams: Int, limit: Int) -> String? {
        let needed = needed(streams: streams)
        guard needed > limit else { return nil }
        return "the open-file limit (\(limit)) is too low for \(streams) streams, which need about \(needed): "
            + "raise it (ulimit -n, or LimitNOFILE= in a systemd unit) or run fewer streams"
    }

    package static var resource: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }
}
