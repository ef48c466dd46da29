import Foundation
import StreamService

/// Where `run --attach` goes: a control socket (or the state directory holding one), or
/// `http://HOST:PORT` (an instance's `--listen`, through a tunnel) with its token from
/// `--token-file PATH` or `STREAMTOP_TOKEN`.
enum AttachTarget {
    static func endpoint(
        _ text: String, tokenFile: String?, environment: [String: String]
    ) throws(UsageError) -> ServiceClient.Endpoint {
        let lowered = text.lowercased()
        if lowered.hasPrefix("http://") {
            return .tcp(baseURL: text, token: try token(file: tokenFile, environment: environment))
        }
        if lowered.hasPrefix("https://") {
            throw UsageError("--attach: streamtop serves no TLS; tunnel to it (ssh -L 7878:127.0.0.1:7878 HOST) "
                             + "and attach to http://127.0.0.1:7878")
        }
        if let scheme = text.range(of: "://"), !text[..<scheme.lowerBound].contains("/") {
            throw UsageError("--attach takes a socket path or http://HOST:PORT, not '\(text)'")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory), isDirectory.boolValue {
            return .unix(path: ControlService.socketPath(stateDirectory: text))
        }
        return .unix(path: text)
    }

    /// `--token-file PATH`, else `STREAMTOP_TOKEN`; nil when neither is given.
    static func token(file: String?, environment: [String: String]) throws(UsageError) -> String? {
        if let file {
            do {
                guard let token = try ServiceToken.read(path: file) else {
                    throw UsageError("--token-file: \(file) does not exist")
                }
                return token.value
            } catch let error as UsageError {
                throw error
            } catch {
                throw UsageError("--token-file: \(error)")
            }
        }
        return environment["STREAMTOP_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
