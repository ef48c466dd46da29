import StreamCore

/// The register/edit form: one text value per field, the focused field, and the last
/// validation problem (shown under the field it belongs to).
public struct StreamForm: Sendable, Equatable {
    public enum Field: Int, CaseIterable, Sendable {
        case url, name, mode, interval, headers, group

        public var label: String {
            switch self {
            case .url: return "URL"
            case .name: return "Name"
            case .mode: return "Mode"
            case .interval: return "Interval (s)"
            case .headers: return "Headers"
            case .group: return "Group"
            }
        }

        public var hint: String {
            switch self {
            case .url: return "http:// or https://"
            case .name: return "empty: the URL's host and path"
            case .mode: return "Space: sse (stream) or poll"
            case .interval: return "seconds between polls (poll mode)"
            case .headers: return "Name: value; Other: value"
            case .group: return "same group = same API, to compare"
            }
        }
    }

    /// The stream being edited (nil: a new one).
    public var editingID: String?
    public var values: [Field: String]
    public var focus: Field = .url
    public var problem: (field: Field?, message: String)?

    public static func == (lhs: StreamForm, rhs: StreamForm) -> Bool {
        lhs.editingID == rhs.editingID && lhs.values == rhs.values && lhs.focus == rhs.focus
            && lhs.problem?.field == rhs.problem?.field && lhs.problem?.message == rhs.problem?.message
    }

    /// An empty form for a new stream.
    public static func new() -> StreamForm {
        StreamForm(editingID: nil, values: [.url: "", .name: "", .mode: "sse", .interval: "\(StreamSpec.defaultInterval)", .headers: "", .group: ""])
    }

    /// A form filled with `spec`'s settings. Credentials are shown redacted, as everywhere;
    /// a header left as shown keeps its value when the form is saved.
    public static func editing(_ spec: StreamSpec) -> StreamForm {
        let headers = spec.headers.map { "\($0.name): \(Redactor.header(name: $0.name, value: $0.value))" }
        return StreamForm(editingID: spec.id, values: [
            .url: spec.url, .name: spec.name, .mode: spec.mode.rawValue, .interval: "\(spec.interval)",
            .headers: headers.joined(separator: "; "), .group: spec.group ?? "",
        ])
    }

    /// The headers typed: `Name: value; Other: value`. A part that does not start with a header
    /// name and a colon continues the previous value (`Cookie: a=1; b=2` is one header). A value
    /// left redacted as `editing` showed it is the registered one.
    /// Returns the headers, or what is wrong with them.
    static func headers(
        _ text: String, base: StreamSpec?
    ) -> (headers: [(name: String, value: String)], problem: String?) {
        var headers: [(name: String, value: String)] = []
        for part in text.split(separator: ";", omittingEmptySubsequences: false) {
            let name = part.firstIndex(of: ":").map { String(part[..<$0]).trimmingCharacters } ?? ""
            if let colon = part.firstIndex(of: ":"), StreamSpec.isToken(name) {
                headers.append((name, String(part[part.index(after: colon)...]).trimmingCharacters))
            } else if !headers.isEmpty {
                headers[headers.count - 1].value += ";" + part
            } else if !part.trimmingCharacters(in: " ").isEmpty {
                return ([], "headers: '\(part.trimmingCharacters(in: " "))' needs 'Name: value'")
            }
        }
        for index in headers.indices {
            headers[index].value = headers[index].value.trimmingCharacters
            let (name, value) = headers[index]
            if let registered = base?.headers.first(where: { $0.name.lowercased() == name.lowercased() }),
               value != registered.value, value == Redactor.header(name: registered.name, value: registered.value) {
                headers[index].value = registered.value
            }
        }
        return (headers, nil)
    }

    public mutating func type(_ character: Character) {
        if focus == .mode { return toggleMode() }
        // Printable characters only: the form never holds control characters.
        guard character.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else { return }
        values[focus, default: ""].append(character)
        problem = nil
    }

    public mutating func backspace() {
        guard focus != .mode, !(values[focus] ?? "").isEmpty else { return }
        values[focus]!.removeLast()
        problem = nil
    }

    public mutating func toggleMode() {
        values[.mode] = values[.mode] == "poll" ? "sse" : "poll"
    }

    public mutating func next() { focus = Field(rawValue: (focus.rawValue + 1) % Field.allCases.count)! }
    public mutating func previous() { focus = Field(rawValue: (focus.rawValue + Field.allCases.count - 1) % Field.allCases.count)! }

    /// The spec the form describes, or the first problem (its field focused).
    /// `base`: the spec being edited (keeps what the form does not show: notify, stall…).
    public mutating func spec(base: StreamSpec?, newID: (String) -> String) -> StreamSpec? {
        let url = (values[.url] ?? "").trimmingCharacters
        var name = (values[.name] ?? "").trimmingCharacters
        if name.isEmpty { name = StreamForm.defaultName(for: url) }
        guard let interval = Int((values[.interval] ?? "").trimmingCharacters) else {
            return fail(.interval, "interval: must be a whole number of seconds")
        }
        let (headers, problem) = StreamForm.headers(values[.headers] ?? "", base: base)
        if let problem { return fail(.headers, problem) }
        let group = (values[.group] ?? "").trimmingCharacters
        var spec = base ?? StreamSpec(id: newID(name), name: name, url: url)
        spec.name = name
        spec.url = url
        spec.mode = values[.mode] == "poll" ? .poll : .sse
        spec.interval = interval
        spec.headers = headers
        spec.group = group.isEmpty ? nil : group
        if base == nil { spec.autostart = true }
        do {
            try spec.validate()
        } catch {
            let field: Field? = error.field.hasPrefix("headers") ? .headers : Field.allCases.first { "\($0)" == error.field }
            return fail(field, error.description)
        }
        return spec
    }

    private mutating func fail(_ field: Field?, _ message: String) -> StreamSpec? {
        problem = (field, message)
        if let field { focus = field }
        return nil
    }

    /// `api.example.com/quotes` for `https://api.example.com/quotes?token=…`.
    static func defaultName(for url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let query = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<query] }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        return rest.isEmpty ? "stream" : String(rest)
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: Character) -> String {
        var text = Substring(self)
        while text.first == set { text = text.dropFirst() }
        while text.last == set { text = text.dropLast() }
        return String(text)
    }
}
