import StreamCore

/// Why the engine refused a change a person asked for (add, edit, remove): each case is one
/// answer of the control API (409, 404, 400, 500) and one sentence for the person.
public enum EngineChangeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another stream has this id.
    case taken(id: String)
    /// No stream has this id.
    case notRegistered(id: String)
    /// The settings are not valid: the field at fault and why.
    case invalid(SpecError)
    /// The registry file could not be read or written; nothing changed.
    case registry(RegistryError)

    public var description: String {
        switch self {
        case .taken(let id): return "id: \"\(id)\" is already registered"
        case .notRegistered(let id): return "no stream \"\(id)\" is registered"
        case .invalid(let error): return error.description
        case .registry(let error): return error.description
        }
    }
}
