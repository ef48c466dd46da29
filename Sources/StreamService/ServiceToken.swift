#if canImport(Glibc)
import Glibc
#endif
import StreamCore
import StreamEngine

/// The bearer token that TCP clients of the control API must send: `<state>/token`, 0600,
/// 32 random bytes as hex, made on first use and kept across restarts.
package struct ServiceToken: Sendable {
    package let value: String

    package init(value: String) {
        self.value = value
    }

    /// Reads `path`, or makes it (0600, `O_EXCL`: two processes never write two tokens).
    package static func loadOrCreate(path: String) throws(FileError) -> ServiceToken {
        if let existing = try read(path: path) { return existing }
        // The system generator: getrandom(2), cryptographically secure.
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let text = bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST, let existing = try read(path: path) { return existing }
            throw FileError(path: path, operation: "create", code: errno)
        }
        let line = Array((text + "\n").utf8)
        let written = write(fd, line, line.count)
        let code = errno
        close(fd)
        guard written == line.count else { throw FileError(path: path, operation: "write", code: code) }
        return ServiceToken(value: text)
    }

    /// The token in `path` (nil when there is no such file).
    package static func read(path: String) throws(FileError) -> ServiceToken? {
        let bytes: [UInt8]
        do {
            bytes = try WholeFile.read(path: path, limit: 4096)
        } catch {
            if case .missing = error { return nil }
            throw FileError(path: path, operation: "read", code: EIO)
        }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters
        guard !text.isEmpty else {
            throw FileError(path: path, operation: "read a token from (it is empty)", code: EINVAL)
        }
        return ServiceToken(value: text)
    }

    /// Whether `header` (an `Authorization` value) carries this token, compared in constant time.
    package func accepts(authorization header: String?) -> Bool {
        guard let header, header.lowercased().hasPrefix("bearer ") else { return false }
        let offered = Array(header.dropFirst("bearer ".count).trimmingCharacters.utf8)
        let expected = Array(value.utf8)
        var difference = UInt8(truncatingIfNeeded: offered.count ^ expected.count)
        for index in 0..<expected.count {
            difference |= expected[index] ^ (index < offered.count ? offered[index] : 0)
        }
        return difference == 0
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
