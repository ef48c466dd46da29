/// A JSON Patch (RFC 6902): a list of operations applied in order, atomically.
public struct JSONPatch: Sendable, Equatable {
    public var operations: [PatchOperation]

    public init(_ operations: [PatchOperation] = []) {
        self.operations = operations
    }

    public var isEmpty: Bool { operations.isEmpty }
    public var count: Int { operations.count }

    /// Reads a patch document: an array of operation objects. Members an operation does not
    /// use are ignored (RFC 6902 §4); missing or ill-typed members are errors naming the
    /// operation's index.
    public init(json: JSONValue) throws(PatchError) {
        var budget = MemoryBudget.unlimited
        try self.init(json: json, budget: &budget)
    }

    /// Reads a patch document, charging the operations and their pointers to `budget` before
    /// building them; when it refuses, throws with `budget.isExceeded` set.
    init(json: JSONValue, budget: inout MemoryBudget) throws(PatchError) {
        guard case .array(let elements) = json else {
            throw PatchError(
                index: nil, op: nil, path: nil,
                reason: "a patch must be a JSON array of operations, not \(json.typeNameWithArticle)")
        }
        let stride = MemoryLayout<PatchOperation>.stride
        guard budget.charge(MemoryBudget.array(count: elements.count, stride: stride)) else {
            throw PatchError(index: nil, op: nil, path: nil, reason: "too many operations")
        }
        var operations: [PatchOperation] = []
        operations.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            operations.append(try PatchOperation(json: element, index: index, budget: &budget))
        }
        self.operations = operations
    }

    /// Parses patch text (a JSON array). Malformed JSON is reported as a `PatchError` too.
    public init(text: String) throws(PatchError) {
        let json: JSONValue
        do {
            json = try JSONParser.parse(text)
        } catch {
            throw PatchError(index: nil, op: nil, path: nil, reason: error.description)
        }
        try self.init(json: json)
    }

    public var json: JSONValue {
        .array(operations.map(\.json))
    }

    /// Size of the patch as compact JSON text, in bytes.
    public var encodedSize: Int { JSONWriter.data(json).count }
}
