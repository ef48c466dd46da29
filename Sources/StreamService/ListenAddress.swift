/// A TCP address to serve the API on (`--listen HOST:PORT`): `127.0.0.1:7878`, `[::1]:7878`,
/// `localhost:7878`, or `0.0.0.0:7878` for every interface (the token is required on all).
package struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    package var host: String
    package var port: UInt16

    package init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Reads `HOST:PORT`; nil with the reason in `problem` otherwise.
    package static func parse(_ text: String) -> Result<ListenAddress, ServiceError> {
        let fail = { (reason: String) in
            Result<ListenAddress, ServiceError>.failure(ServiceError(400, "bad_listen", "'\(text)' \(reason)"))
        }
        guard let colon = text.lastIndex(of: ":") else { return fail("is not HOST:PORT (e.g. 127.0.0.1:7878)") }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return fail("has no host: give one, such as 127.0.0.1:7878") }
        guard let port = UInt16(text[text.index(after: colon)...]) else {
            return fail("has no port number between 0 and 65535 after its last ':'")
        }
        return .success(ListenAddress(host: host, port: port))
    }

    /// Whether only this machine can reach it (127.0.0.0/8, ::1, localhost).
    package var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
