extension Redactor {
    /// Replaces a stream's own secrets wherever they turn up in what a server sent back: an
    /// error body that echoes the request (`401 … Authorization: Bearer s3cr3t`), a response
    /// header, an error message quoting either. Redacting by name cannot see those; the stream
    /// knows the values it sends (`StreamSpec.secrets`), so it looks for them, in the forms a
    /// server is likely to echo them in: as sent, JSON-escaped (`\/` for `/`), percent-encoded,
    /// and as the sanitizer shows them.
    public struct Scrubber: Sendable {
        /// Shorter values are not looked for: they would match ordinary text.
        public static let minimumBytes = 4

        /// Every form of every secret, longest first (a longer secret containing a shorter one
        /// is replaced whole).
        private let forms: [[UInt8]]

        public init(secrets: some Sequence<String>) {
            var unique = Set<[UInt8]>()
            for secret in secrets where secret.utf8.count >= Scrubber.minimumBytes {
                for form in Scrubber.forms(of: secret) { unique.insert(form) }
            }
            forms = unique.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
        }

        /// No secret to look for.
        public var isEmpty: Bool { forms.isEmpty }

        /// The length in bytes of the longest form: text cut `longest` bytes after a limit
        /// holds every secret that starts before it whole.
        public var longest: Int { forms.first?.count ?? 0 }

        /// `text` with every secret replaced by `REDACTED`.
        public func scrub(_ text: String) -> String {
            guard !forms.isEmpty else { return text }
            let bytes = Array(text.utf8)
            guard let scrubbed = scrubbed(bytes) else { return text }
            return String(decoding: scrubbed, as: UTF8.self)
        }

        /// The first `limit` bytes of `bytes` (cut at a character boundary) as text, after
        /// replacing the secrets in them: pass `limit + longest` bytes or more, so that a
        /// secret that starts before the limit is replaced whole rather than cut in two.
        public func excerpt(_ bytes: some Collection<UInt8>, limit: Int) -> String {
            var text = Array(bytes)
            if let scrubbed = scrubbed(text) { text = scrubbed }
            guard text.count > limit else { return String(decoding: text, as: UTF8.self) }
            var end = limit
            while end > 0 && UTF8.isContinuation(text[end]) { end -= 1 }
            return String(decoding: text[..<end], as: UTF8.self)
        }

        /// nil when no secret occurs (the common case: no copy).
        private func scrubbed(_ bytes: [UInt8]) -> [UInt8]? {
            var output: [UInt8] = []
            var copied = 0
            var index = 0
            scan: while index < bytes.count {
                for form in forms where form[0] == bytes[index] && bytes.count - index >= form.count {
                    if bytes[index..<(index + form.count)].elementsEqual(form) {
                        output.append(contentsOf: bytes[copied..<index])
                        output.append(contentsOf: Redactor.mask.utf8)
                        index += form.count
                        copied = index
                        continue scan
                    }
                }
                index += 1
            }
            guard copied > 0 else { return nil }
            output.append(contentsOf: bytes[copied...])
            return output
        }

        static func forms(of secret: String) -> [[UInt8]] {
            let raw = Array(secret.utf8)
            var jsonEscaped: [UInt8] = []
            var percentEncoded: [UInt8] = []
            let hex = Array("0123456789ABCDEF".utf8)
            for byte in raw {
                if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    jsonEscaped.append(UInt8(ascii: "\\"))
                }
                jsonEscaped.append(byte)
                if isUnreserved(byte) {
                    percentEncoded.append(byte)
                } else {
                    percentEncoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                }
            }
            return [raw, jsonEscaped, percentEncoded, Array(Sanitizer.line(secret).utf8)]
        }

        /// RFC 3986 unreserved characters: never percent-encoded.
        static func isUnreserved(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "~")
        }
    }
}
