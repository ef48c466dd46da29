/// One registered stream: what to fetch, how, and what to do when it breaks.
///
/// Stored in the registry file as a JSON object; `init(json:)` validates every field and
/// names the one that is wrong.
public struct StreamSpec: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        /// A `text/event-stream` connection held open and reconnected.
        case sse
        /// A GET every `interval`.
        case poll
    }

    /// Stable identifier, safe as a file name: lowercase letters, digits and `-`.
    public var id: String
    public var name: String
    public var url: String
    public var mode: Mode
    /// Seconds between polls (poll mode; at least 1).
    public var interval: Int
    /// Request headers, in order.
    public var headers: [(name: String, value: String)]
    /// Streams of the same API share a group, so their bytes can be compared.
    public var group: String?
    public var notify: NotifySpec?
    /// Whether the stream runs: it is started again when streamtop starts.
    public var autostart: Bool
    /// Seconds without a byte before the connection is considered stalled.
    public var stall: Int
    /// Whether to offer `Accept-Encoding` (gzip, deflate…). On by default; off saves the
    /// 39 KiB of inflate state and window each compressed connection keeps for its whole life,
    /// which matters for thousands of streams of small events that barely compress anyway.
    public var compress: Bool
    /// Members of the stream's object this streamtop does not know (written by a newer one, or
    /// by hand), kept as they were so that saving the registry does not drop them. They take
    /// no part in `==`: they change nothing this streamtop does.
    public var unknownFields = JSONObject()
    /// The certificates (PEM) of the authorities to trust for this stream instead of the
    /// system's (a private CA): an absolute path. Verification stays on.
    public var caFile: String?
    /// The longest wait before reconnecting that a server's `retry:` may ask for, in seconds:
    /// `retry: 99999999999` must not silence a stream for years.
    public var maxRetry: Int
    /// Whether the service publishes this poll stream to clients as Server-Sent Events (one
    /// snapshot, then a JSON Patch per change): the Streamdata-style proxy of a polled API.
    public var serve: Bool

    public static let defaultInterval = 60
    public static let defaultStall = 90
    public static let defaultMaxRetry = 600

    public init(
        id: String, name: String, url: String, mode: Mode = .sse, interval: Int = StreamSpec.defaultInterval,
        headers: [(name: String, value: String)] = [], group: String? = nil, notify: NotifySpec? = nil,
        autostart: Bool = false, stall: Int = StreamSpec.defaultStall, compress: Bool = true, caFile: String? = nil,
        maxRetry: Int = StreamSpec.defaultMaxRetry, serve: Bool = false
    ) {
        self.id = id
        self.name = name
        self.url = url
        self.mode = mode
        self.interval = interval
        self.headers = headers
        self.group = group
        self.notify = notify
        self.autostart = autostart
        self.stall = stall
        self.compress = compress
        self.caFile = caFile
        self.maxRetry = maxRetry
        self.serve = serve
    }

    /// Strings compare by Unicode scalars, as JSON strings do (the registry is JSON): an edit
    /// that changes only a string's normalization still changes the bytes sent or run.
    public static func == (lhs: StreamSpec, rhs: StreamSpec) -> Bool {
        func exact(_ strings: [String]) -> [JSONKey] { strings.map(JSONKey.init) }
        return lhs.id == rhs.id && lhs.name.scalarsEqual(rhs.name) && lhs.url.scalarsEqual(rhs.url)
            && lhs.mode == rhs.mode && lhs.interval == rhs.interval
            && exact(lhs.headers.map(\.name)) == exact(rhs.headers.map(\.name))
            && exact(lhs.headers.map(\.value)) == exact(rhs.headers.map(\.value))
            && lhs.group.map(JSONKey.init) == rhs.group.map(JSONKey.init)
            && lhs.notify == rhs.notify && lhs.autostart == rhs.autostart && lhs.stall == rhs.stall
            && lhs.compress == rhs.compress && lhs.caFile.map(JSONKey.init) == rhs.caFile.map(JSONKey.init)
            && lhs.maxRetry == rhs.maxRetry && lhs.serve == rhs.serve
    }

    /// Checks the values a person typed (the UI form and `add` use this too); each problem is
    /// reported with the field it belongs to.
    public func validate() throws(SpecError) {
        guard StreamSpec.isValidID(id) else {
            throw SpecError(field: "id", reason: "must be 1–64 lowercase letters, digits or '-', starting with a letter or digit")
        }
        guard !name.trimmingWhitespace.isEmpty, name.count <= 200 else { throw SpecError(field: "name", reason: "must not be empty (at most 200 characters)") }
        if let problem = StreamSpec.urlProblem(url) { throw SpecError(field: "url", reason: problem) }
        guard interval >= 1, interval <= 86_400 else { throw SpecError(field: "interval", reason: "must be between 1 and 86400 seconds") }
        guard stall >= 1, stall <= 86_400 else { throw SpecError(field: "stall", reason: "must be between 1 and 86400 seconds") }
        guard maxRetry >= 1, maxRetry <= 86_400 else {
            throw SpecError(field: "maxRetry", reason: "must be between 1 and 86400 seconds")
        }
        for (index, header) in headers.enumerated() {
            guard StreamSpec.isToken(header.name) else {
                throw SpecError(field: "headers[\(index)]", reason: "\"\(Sanitizer.line(header.name))\" is not a valid header name")
            }
            guard !header.value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                throw SpecError(field: "headers[\(index)]", reason: "a header value must not contain line breaks or NUL")
            }
        }
        if let group, group.trimmingWhitespace.isEmpty { throw SpecError(field: "group", reason: "must not be empty when given") }
        if let caFile {
            guard caFile.hasPrefix("/") else { throw SpecError(field: "caFile", reason: "must be an absolute path") }
            guard !caFile.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw SpecError(field: "caFile", reason: "must not contain control characters")
            }
        }
        if serve && mode != .poll {
            throw SpecError(field: "serve", reason: "only poll streams can be served")
        }
        try notify?.validate()
    }

    static func isValidID(_ id: String) -> Bool {
        guard let first = id.utf8.first, id.utf8.count <= 64, first != UInt8(ascii: "-") else { return false }
        return id.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "-") }
    }

    /// RFC 9110 token characters.
    package static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// Nil for an absolute http(s) URL with a host; otherwise what is wrong with it.
    static func urlProblem(_ url: String) -> String? {
        let lower = url.lowercased()
        let rest: Substring
        if lower.hasPrefix("http://") {
            rest = url.dropFirst(7)
        } else if lower.hasPrefix("https://") {
            rest = url.dropFirst(8)
        } else {
            return "must start with http:// or https://"
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@").last.map(String.init) ?? ""
        if host.isEmpty || host.hasPrefix(":") { return "must name a host" }
        if url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) { return "must not contain spaces or control characters" }
        return nil
    }
}

/// A field of a stream spec that is wrong, and why.
public struct SpecError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var reason: String

    public var description: String { "\(field): \(reason)" }
}

extension String {
    var trimmingWhitespace: Substring {
        let trimmedStart = drop { $0 == " " || $0 == "\t" }
        return trimmedStart.dropLast(trimmedStart.reversed().prefix { $0 == " " || $0 == "\t" }.count)
    }
}
