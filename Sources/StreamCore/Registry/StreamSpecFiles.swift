#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension StreamSpec {
    /// A CA bundle larger than this is not one (the system's holds ~150 CAs in ~220 KB).
    public static let maxCAFileBytes = 4 << 20

    /// Checks the files the spec names, as `add` does before saving it: `caFile` must be a
    /// readable file of PEM certificates. Not part of `validate()`, so that a registry stays
    /// readable when a file it names goes away later (that stream then fails, saying why).
    public func checkFiles() throws(SpecError) {
        guard let caFile else { return }
        let shown = Sanitizer.line(caFile)
        let bytes: [UInt8]
        do {
            bytes = try WholeFile.read(path: caFile, limit: StreamSpec.maxCAFileBytes)
        } catch {
            switch error {
            case .missing:
                throw SpecError(field: "caFile", reason: "\(shown) does not exist")
            case .failed(_, let code):
                throw SpecError(field: "caFile", reason: "cannot read \(shown): \(String(cString: strerror(code)))")
            case .tooLarge(let limit):
                let reason = "\(shown) is larger than \(limit >> 20) MiB: not a file of CA certificates"
                throw SpecError(field: "caFile", reason: reason)
            }
        }
        guard String(decoding: bytes, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            let reason = "\(shown) holds no PEM certificate (no -----BEGIN CERTIFICATE----- line)"
            throw SpecError(field: "caFile", reason: reason)
        }
    }
}
