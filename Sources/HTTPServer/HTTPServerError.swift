#if canImport(Glibc)
import Glibc
#endif

/// Why a server could not start: what a caller prints, naming the address at fault.
package enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another socket is bound to the TCP address (`127.0.0.1:8080`).
    case addressInUse(address: String)
    /// The system refused the address or path (a port below 1024, a directory without access).
    case permissionDenied(address: String)
    /// A live server answers on the Unix socket path.
    case anotherServer(path: String)
    /// The Unix socket path does not fit `sun_path` (`limit` bytes at most).
    case pathTooLong(path: String, limit: Int)
    /// A file that is not a socket is in the way of the Unix socket path.
    case notASocket(path: String)
    /// The TCP host is neither an IP literal nor `localhost`.
    case invalidAddress(host: String)
    /// Any other system call that failed, with its errno.
    case system(operation: String, address: String, code: Int32)

    package var description: String {
        switch self {
        case .addressInUse(let address):
            return "cannot listen on \(address): the address is already in use"
        case .permissionDenied(let address):
            return "cannot listen on \(address): permission denied"
        case .anotherServer(let path):
            return "another process serves \(path)"
        case .pathTooLong(let path, let limit):
            return "cannot listen on \(path): a Unix socket path is at most \(limit) bytes long, "
                + "this one is \(path.utf8.count)"
        case .notASocket(let path):
            return "cannot listen on \(path): the file exists and is not a socket"
        case .invalidAddress(let host):
            return "cannot listen on \(host): not an IP address (use an IPv4 or IPv6 literal, or localhost)"
        case .system(let operation, let address, let code):
            return "cannot \(operation) \(address): \(String(cString: strerror(code)))"
        }
    }
}
