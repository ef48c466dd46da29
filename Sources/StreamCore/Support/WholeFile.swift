#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole file with plain POSIX calls (retrying interrupted reads), with a size limit:
/// the one reader behind the registry, the archive and status.json.
public enum WholeFile {
    public enum Failure: Error, Sendable, Equatable {
        /// The file does not exist.
        case missing
        /// `open` or `read` failed with `errno` `code`.
        case failed(operation: String, code: Int32)
        /// The file holds more than the limit.
        case tooLarge(limit: Int)
    }

    public static func read(path: String, limit: Int = Int.max) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw errno == ENOENT ? .missing : .failed(operation: "open", code: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            #if canImport(Glibc)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            #else
            let count = chunk.withUnsafeMutableBytes { Darwin.read(fd, $0.baseAddress, $0.count) }
            #endif
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw .failed(operation: "read", code: errno)
            }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > limit { throw .tooLarge(limit: limit) }
        }
    }
}
