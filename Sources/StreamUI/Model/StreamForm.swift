import StreamCore

/// The register/edit form: one text value per field with a cursor in it, the focused field,
/// whether credentials show, and the last validation problem (shown under its field).
public struct StreamForm: Sendable, Equatable {
    public enum Field: Int, CaseIterable, Sendable {
        case url, name, mode, interval, headers, group, serve

        public var label: String {
            switch self {
            case .url: return "URL"
            case .name: return "Name"
            case .mode: return "Mode"
            case .interval: return "Interval (s)"
            case .serve: return "Serve"
            case .headers: return "Headers"
            case .group: return "Group"
            }
        }

        /// A choice between two values (Space and ← → toggle it), not text.
        public var isChoice: Bool { self == .mode || self == .serve }

        public var hint: String {
            switch self {
            case .url: return "http:// or https://"
            case .name: return "empty: the URL's host and path"
            case .mode: return "Space: sse (stream) or poll"
            case .interval: return "seconds between polls (poll mode)"
            case .serve: return "Space: publish it as SSE + patches (poll)"
            case .headers: return "Name: value; Other: value"
            case .group: return "same group = same API, to compare"
            }
        }
    }

    /// The stream being edited (nil: a new one).
    public var editingID: String?
    /// The text of each field, as shown: credentials masked (`REDACTED`) unless
    /// `showsCredentials`.
    public var values: [Field: String]
    public var focus: Field = .url
    public var problem: (field: Field?, message: String)?
    /// Where the cursor is in each field, in characters from the start; a field without one
    /// has it at its end.
    public var cursors: [Field: Int] = [:]
    /// Whether the URL's and the headers' credentials show as they are, or masked as
    /// `Redactor` masks them everywhere (how an edit form opens). Ctrl-R toggles.
    public var showsCredentials = true
    /// What the masked values stand for: the settings the form was opened with, or what the
    /// form held when its credentials were hidden again.
    var secrets: StreamSpec?

    public static func == (lhs: StreamForm, rhs: StreamForm) -> Bool {
        lhs.editingID == rhs.editingID && lhs.values == rhs.values && lhs.focus == rhs.focus
            && lhs.problem?.field == rhs.problem?.field && lhs.problem?.message == rhs.problem?.message
            && lhs.cursors == rhs.cursors && lhs.showsCredentials == rhs.showsCredentials && lhs.secrets == rhs.secrets
    }

    /// An empty form for a new stream.
    public static func new() -> StreamForm {
        StreamForm(editingID: nil, values: [
            .url: "", .name: "", .mode: "sse", .interval: "\(StreamSpec.defaultInterval)", .serve: "no",
            .headers: "", .group: "",
        ])
    }

    /// A form filled with `spec`'s settings, its credentials masked as everywhere: a masked
    /// piece left as shown keeps its value when the form is saved.
    public static func editing(_ spec: StreamSpec) -> StreamForm {
        let masked = spec.redacted
        var form = StreamForm(editingID: spec.id, values: [
            .url: masked.url, .name: spec.name, .mode: spec.mode.rawValue, .interval: "\(spec.interval)",
            .serve: spec.serve ? "yes" : "no", .headers: StreamForm.text(of: masked.headers), .group: spec.group ?? "",
        ])
        form.showsCredentials = false
        form.secrets = spec
        return form
    }

    /// Headers as the form shows them: `Name: value; Other: value`.
    static func text(of headers: [(name: String, value: String)]) -> String {
        headers.map { "\($0.name): \($0.value)" }.joined(separator: "; ")
    }

    /// The headers typed: `Name: value; Other: value`. A part that does not start with a header
    /// name and a colon continues the previous value (`Cookie: a=1; b=2` is one header).
    /// Returns the headers, or what is wrong with them.
    static func headers(_ text: String) -> (headers: [(name: String, value: String)], problem: String?) {
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
        for index in headers.indices { headers[index].value = headers[index].value.trimmingCharacters }
        return (headers, nil)
    }

    /// Toggles a choice field (`Field.isChoice`).
    public mutating func toggle(_ field: Field) {
        switch field {
        case .mode: values[.mode] = values[.mode] == "poll" ? "sse" : "poll"
        case .serve: values[.serve] = values[.serve] == "yes" ? "no" : "yes"
        default: break
        }
    }

    public mutating func next() { focus = Field(rawValue: (focus.rawValue + 1) % Field.allCases.count)! }
    public mutating func previous() { focus = Field(rawValue: (focus.rawValue + Field.allCases.count - 1) % Field.allCases.count)! }

    /// The spec the form describes, or the first problem (its field focused).
    /// `base`: the spec being edited (keeps what the form does not show: notify, stall…).
    public mutating func spec(base: StreamSpec?, newID: (String) -> String) -> StreamSpec? {
        guard let interval = Int((values[.interval] ?? "").trimmingCharacters) else {
            return fail(.interval, "interval: must be a whole number of seconds")
        }
        guard let clear = inClear() else {
            return fail(.headers, StreamForm.headers(values[.headers] ?? "").problem ?? "headers: cannot be read")
        }
        let url = clear.url.trimmingCharacters
        var name = (values[.name] ?? "").trimmingCharacters
        if name.isEmpty { name = StreamSpec.defaultName(for: url) }
        let group = (values[.group] ?? "").trimmingCharacters
        var spec = base ?? StreamSpec(id: newID(name), name: name, url: url)
        spec.name = name
        spec.url = url
        spec.mode = values[.mode] == "poll" ? .poll : .sse
        spec.interval = interval
        spec.serve = values[.serve] == "yes"
        spec.headers = clear.headers
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
}

extension StringProtocol {
    func trimmingCharacters(in set: Character) -> String {
        var text = Substring(self)
        while text.first == set { text = text.dropFirst() }
        while text.last == set { text = text.dropLast() }
        return String(text)
    }
}
