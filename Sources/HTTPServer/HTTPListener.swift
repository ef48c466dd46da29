#if canImport(Glibc)
import Glibc
#endif

/// Where a server listens.
package enum HTTPListener: Sendable, Equatable, CustomStringConvertible {
    /// A TCP address: an IPv4 literal, an IPv6 literal (with or without brackets) or
    /// `localhost` (127.0.0.1); port 0 picks a free port (`HTTPServer.tcpPorts` tells which).
    case tcp(host: String, port: UInt16)
    /// A Unix socket file, made with mode 0600. With `allowedUID`, a peer of another uid
    /// (`SO_PEERCRED`) is answered 403.
    case unix(path: String, allowedUID: uid_t?)

    package var description: String {
        switch self {
        case .tcp(let host, let port):
            return host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path, _):
            return path
        }
    }
}
