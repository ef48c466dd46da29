@testable import StreamCore

/// Random patch operations for property tests (tree patches against `JSONValue.apply`).
extension JSONGenerator {
    /// An operation on a random path of `document` (or a path that does not exist, or one
    /// that is not a pointer into it at all).
    mutating func operation(in document: JSONValue) -> PatchOperation {
        let path = pointer(in: document)
        switch int(0..<6) {
        case 0: return .add(path: path, value: value(depth: 2))
        case 1: return .remove(path: path)
        case 2: return .replace(path: path, value: value(depth: 2))
        case 3: return .move(from: pointer(in: document), path: path)
        case 4: return .copy(from: pointer(in: document), path: path)
        default:
            let existing = (try? document.value(at: path)) ?? scalar()
            return .test(path: path, value: chance(60) ? existing : value(depth: 3))
        }
    }

    mutating func pointer(in document: JSONValue) -> JSONPointer {
        var tokens: [String] = []
        var current = document
        while chance(75) {
            switch current {
            case .object(let object) where !object.isEmpty && chance(85):
                let key = object.keys[int(0..<object.count)]
                tokens.append(key)
                current = object[key]!
            case .array(let elements) where !elements.isEmpty && chance(85):
                let index = int(0..<elements.count)
                tokens.append(String(index))
                current = elements[index]
            default:
                let odd = ["-", "0", "01", "99", "", "x", "~", "a/b", key()]
                tokens.append(odd[int(0..<odd.count)])
                return JSONPointer(tokens: tokens)
            }
        }
        return JSONPointer(tokens: tokens)
    }
}
