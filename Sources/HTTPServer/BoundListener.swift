#if canImport(Glibc)
import Glibc
#endif

/// A listening socket, bound when the server is made so that its errors reach the caller.
struct BoundListener: Sendable {
    /// The socket file a Unix listener made, known by its inode so that the server removes
    /// only its own file (never one a later server put in its place).
    struct SocketFile: Sendable {
        var path: String
        var device: UInt64
        var inode: UInt64
    }

    let fd: Int32
    let listener: HTTPListener
    /// The bound port of a TCP listener.
    let port: UInt16?
    let socketFile: SocketFile?
    /// Unix only: the one uid served.
    let allowedUID: uid_t?

    var isUnix: Bool { socketFile != nil }

    static func bind(_ listener: HTTPListener) throws(HTTPServerError) -> BoundListener {
        switch listener {
        case .tcp(let host, let port): return try bindTCP(host: host, port: port, listener: listener)
        case .unix(let path, let allowedUID): return try bindUnix(path: path, allowedUID: allowedUID)
        }
    }

    /// Closes the socket and removes its file (if it is still the one it made).
    func close() {
        _ = Glibc.close(fd)
        guard let socketFile else { return }
        var info = stat()
        if lstat(socketFile.path, &info) == 0, UInt64(info.st_dev) == socketFile.device,
            UInt64(info.st_ino) == socketFile.inode
        {
            unlink(socketFile.path)
        }
    }

    // MARK: TCP

    private static func bindTCP(
        host: String, port: UInt16, listener: HTTPListener
    ) throws(HTTPServerError) -> BoundListener {
        let name = listener.description
        guard let address = SocketAddress.ip(host: host, port: port) else { throw .invalidAddress(host: name) }
        var storage = address.storage
        let length = address.length
        let fd = socket(Int32(storage.ss_family), socketType, 0)
        guard fd >= 0 else { throw .system(operation: "create a socket for", address: name, code: errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, SOMAXCONN) == 0 else {
            let code = errno
            _ = Glibc.close(fd)
            switch code {
            case EADDRINUSE: throw .addressInUse(address: name)
            case EACCES, EPERM: throw .permissionDenied(address: name)
            default: throw .system(operation: "listen on", address: name, code: code)
            }
        }
        return BoundListener(
            fd: fd, listener: listener, port: SocketAddress.boundPort(fd), socketFile: nil, allowedUID: nil)
    }

    // MARK: Unix

    private static func bindUnix(path: String, allowedUID: uid_t?) throws(HTTPServerError) -> BoundListener {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        // A path too long for sockaddr_un is bound through its directory's descriptor.
        let usable = try ShortSocketPath(path)
        let bytes = Array(usable.path.utf8)
        guard !path.isEmpty, !bytes.contains(0) else {
            throw .system(operation: "listen on", address: "'\(path)'", code: EINVAL)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        try replaceStaleSocket(path: path, address: address)

        let fd = socket(AF_UNIX, socketType, 0)
        guard fd >= 0 else { throw .system(operation: "create a socket for", address: path, code: errno) }
        // Linux makes the file with the socket's own mode (less the umask): 0600 from the start,
        // so there is no moment when another user could connect.
        fchmod(fd, 0o600)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else {
            let code = errno
            _ = Glibc.close(fd)
            switch code {
            case EADDRINUSE: throw .anotherServer(path: path)
            case EACCES, EPERM: throw .permissionDenied(address: path)
            default: throw .system(operation: "listen on", address: path, code: code)
            }
        }
        withExtendedLifetime(usable) {}
        chmod(path, 0o600)
        var info = stat()
        guard listen(fd, SOMAXCONN) == 0, lstat(path, &info) == 0 else {
            let code = errno
            _ = Glibc.close(fd)
            unlink(path)
            throw .system(operation: "listen on", address: path, code: code)
        }
        let file = SocketFile(path: path, device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        return BoundListener(fd: fd, listener: .unix(path: path, allowedUID: allowedUID), port: nil,
            socketFile: file, allowedUID: allowedUID)
    }

    /// A socket file nobody answers on (a server that died without removing it) is removed; a
    /// live one is another server's.
    private static func replaceStaleSocket(path: String, address: sockaddr_un) throws(HTTPServerError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path: path) }
        // Non-blocking: a live server whose queue is full answers EAGAIN rather than blocking.
        let probe = socket(AF_UNIX, socketType, 0)
        guard probe >= 0 else { throw .system(operation: "create a socket for", address: path, code: errno) }
        defer { _ = Glibc.close(probe) }
        var address = address
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if connected == 0 { throw .anotherServer(path: path) }
        switch errno {
        case ECONNREFUSED:
            guard unlink(path) == 0 || errno == ENOENT else {
                throw .system(operation: "remove the stale socket", address: path, code: errno)
            }
        case ENOENT:
            return
        case EAGAIN, EINPROGRESS:
            throw .anotherServer(path: path)
        case EACCES, EPERM:
            throw .permissionDenied(address: path)
        case let code:
            throw .system(operation: "connect to", address: path, code: code)
        }
    }

    private static let socketType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        | Int32(SOCK_CLOEXEC.rawValue)
}
