#if canImport(Glibc)
import Glibc
#endif
import StreamCore
import StreamEngine

/// This process's resources, as Prometheus's `process_*` metrics report them, read from /proc
/// (Linux). A value that cannot be read is nil, and its metric is left out.
package struct ProcessStats: Sendable, Equatable {
    /// `process_resident_memory_bytes`: resident pages (/proc/self/statm) times the page size.
    package var residentBytes: Int?
    /// `process_cpu_seconds_total`: user and system time (/proc/self/stat).
    package var cpuSeconds: Double?
    /// `process_open_fds`: entries of /proc/self/fd, less the one listing them.
    package var openFDs: Int?
    /// `process_max_fds`: the soft limit on open files (getrlimit).
    package var maxFDs: Int?
    /// `process_start_time_seconds`: since the epoch (boot time from /proc/stat plus the start
    /// in ticks from /proc/self/stat).
    package var startTime: Double?

    package init(
        residentBytes: Int? = nil, cpuSeconds: Double? = nil, openFDs: Int? = nil, maxFDs: Int? = nil,
        startTime: Double? = nil
    ) {
        self.residentBytes = residentBytes
        self.cpuSeconds = cpuSeconds
        self.openFDs = openFDs
        self.maxFDs = maxFDs
        self.startTime = startTime
    }

    /// Reads them now (a few small reads: meant for each scrape).
    package static func current() -> ProcessStats {
        var stats = ProcessStats.parse(
            stat: text("/proc/self/stat"), statm: text("/proc/self/statm"), systemStat: text("/proc/stat"),
            ticksPerSecond: sysconf(Int32(_SC_CLK_TCK)), pageSize: sysconf(Int32(_SC_PAGESIZE)))
        stats.openFDs = openDescriptors()
        var limit = rlimit()
        if getrlimit(OpenFileLimit.resource, &limit) == 0 {
            stats.maxFDs = Int(clamping: limit.rlim_cur)  // RLIM_INFINITY (all ones): Int.max
        }
        return stats
    }

    /// The figures in the texts of /proc/self/stat, /proc/self/statm and /proc/stat.
    static func parse(stat: String?, statm: String?, systemStat: String?, ticksPerSecond: Int, pageSize: Int)
        -> ProcessStats {
        var stats = ProcessStats()
        if let pages = statm?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }), pageSize > 0 {
            stats.residentBytes = pages * pageSize
        }
        // The command name, in parentheses, may hold spaces and parentheses: fields are
        // counted after the last ")", from field 3 (the state).
        guard let stat, let close = stat.lastIndex(of: ")"), ticksPerSecond > 0 else { return stats }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        func field(_ number: Int) -> Double? { fields.count > number - 3 ? Double(fields[number - 3]) : nil }
        if let user = field(14), let system = field(15) { stats.cpuSeconds = (user + system) / Double(ticksPerSecond) }
        let boot = systemStat?.split(separator: "\n").first { $0.hasPrefix("btime ") }
            .flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Double($0) }
        if let boot, let start = field(22) { stats.startTime = boot + start / Double(ticksPerSecond) }
        return stats
    }

    private static func text(_ path: String) -> String? {
        (try? WholeFile.read(path: path, limit: 1 << 20)).map { String(decoding: $0, as: UTF8.self) }
    }

    private static func openDescriptors() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { $0[0] == 0x2E }
            if !isDot { count += 1 }
        }
        return count - 1
    }
}
