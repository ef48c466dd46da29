/// The certificates (PEM) of the authorities a transfer trusts instead of the system's, and
/// the setting that named them, for messages. Verification itself is never turned off.
struct CAFile: Sendable, Equatable {
    var path: String
    /// "the stream's caFile", "CURL_CA_BUNDLE" or "SSL_CERT_FILE".
    var setting: String

    /// From the environment, as curl's own tool reads it: `CURL_CA_BUNDLE`, else `SSL_CERT_FILE`.
    /// (libcurl reads neither: it was built with the system's bundle.)
    static func fromEnvironment(_ environment: [String: String]) -> CAFile? {
        for variable in ["CURL_CA_BUNDLE", "SSL_CERT_FILE"] {
            if let path = environment[variable], !path.isEmpty { return CAFile(path: path, setting: variable) }
        }
        return nil
    }

    /// The file a request uses: the stream's own, else the environment's.
    static func forRequest(_ caFile: String?, environment: CAFile?) -> CAFile? {
        caFile.map { CAFile(path: $0, setting: "the stream's caFile") } ?? environment
    }
}
