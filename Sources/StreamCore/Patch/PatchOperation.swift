/// One JSON Patch operation.
public enum PatchOperation: Sendable, Equatable {
    case add(path: JSONPointer, value: JSONValue)
    case remove(path: JSONPointer)
    case replace(path: JSONPointer, value: JSONValue)
    case move(from: JSONPointer, path: JSONPointer)
    case copy(from: JSONPointer, path: JSONPointer)
    case test(path: JSONPointer, value: JSONValue)

    public var name: String {
        switch self {
        case .add: return "add"
        case .remove: return "remove"
        case .replace: return "replace"
        case .move: return "move"
        case .copy: return "copy"
        case .test: return "test"
        }
    }

    public var path: JSONPointer {
        switch self {
        case .add(let path, _), .remove(let path), .replace(let path, _), .test(let path, _): return path
        case .move(_, let path), .copy(_, let path): return path
        }
    }

    init(json: JSONValue, index: Int, budget: inout MemoryBudget) throws(PatchError) {
        guard case .object(let object) = json else {
            throw PatchError(
                index: index, op: nil, path: nil,
                reason: "an operation must be a JSON object, not \(json.typeNameWithArticle)")
        }
        func fail(_ op: String?, _ path: String?, _ reason: String) -> PatchError {
            PatchError(index: index, op: op, path: path, reason: reason)
        }
        guard let opValue = object["op"] else { throw fail(nil, nil, "missing member \"op\"") }
        guard case .string(let op) = opValue else {
            throw fail(nil, nil, "member \"op\" must be a string, not \(opValue.typeNameWithArticle)")
        }
        func pointer(_ member: String) throws(PatchError) -> JSONPointer {
            guard let value = object[member] else { throw fail(op, nil, "missing member \"\(member)\"") }
            guard case .string(let text) = value else {
                throw fail(op, nil, "member \"\(member)\" must be a string, not \(value.typeNameWithArticle)")
            }
            guard budget.charge(JSONPointer.memoryBound(text)) else { throw fail(op, nil, "too many pointer tokens") }
            do {
                return try JSONPointer(text)
            } catch {
                throw fail(op, text, "member \"\(member)\": \(error)")
            }
        }
        func value() throws(PatchError) -> JSONValue {
            guard let value = object["value"] else { throw fail(op, object["path"]?.stringValue, "missing member \"value\"") }
            return value
        }
        switch op {
        case "add": self = .add(path: try pointer("path"), value: try value())
        case "remove": self = .remove(path: try pointer("path"))
        case "replace": self = .replace(path: try pointer("path"), value: try value())
        case "move": self = .move(from: try pointer("from"), path: try pointer("path"))
        case "copy": self = .copy(from: try pointer("from"), path: try pointer("path"))
        case "test": self = .test(path: try pointer("path"), value: try value())
        default: throw fail(op, nil, "unknown operation \"\(op)\"")
        }
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["op"] = .string(name)
        switch self {
        case .add(let path, let value), .replace(let path, let value), .test(let path, let value):
            object["path"] = .string(path.description)
            object["value"] = value
        case .remove(let path):
            object["path"] = .string(path.description)
        case .move(let from, let path), .copy(let from, let path):
            object["from"] = .string(from.description)
            object["path"] = .string(path.description)
        }
        return .object(object)
    }
}
