#if canImport(Glibc)
import Glibc
#endif

/// A Unix socket's path as `bind` and `connect` can take it: `sockaddr_un` holds 107 bytes,
/// and a state directory can be deeper than that. A longer path is reached through a
/// descriptor of its directory, `/proc/self/fd/N/streamtop.sock` (Linux), held open for as
/// long as this value lives. Files are made and removed by their full path as usual.
package final class ShortSocketPath: Sendable {
    /// The path to put in a `sockaddr_un`.
    package let path: String
    private let directoryFD: Int32

    /// The bytes a `sockaddr_un` path may hold (its terminating NUL aside).
    package static let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// Fails when even the short form does not fit (a file name of ~90 bytes), or when the
    /// directory cannot be opened (it does not exist).
    package init(_ full: String) throws(HTTPServerError) {
        guard full.utf8.count > ShortSocketPath.capacity else {
            path = full
            directoryFD = -1
            return
        }
        let tooLong = HTTPServerError.pathTooLong(path: full, limit: ShortSocketPath.capacity)
        guard let slash = full.lastIndex(of: "/") else { throw tooLong }
        let directory = slash == full.startIndex ? "/" : String(full[..<slash])
        let name = full[full.index(after: slash)...]
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(operation: "open the directory of", address: full, code: errno) }
        let short = "/proc/self/fd/\(fd)/\(name)"
        guard short.utf8.count <= ShortSocketPath.capacity else {
            close(fd)
            throw tooLong
        }
        path = short
        directoryFD = fd
    }

    deinit {
        if directoryFD >= 0 { close(directoryFD) }
    }
}
