// Applying a JSON Patch in place, atomically, at a cost proportional to the patch.
//
// Each operation mutates the document in place (no copy of the document per operation):
// containers along the path are taken out of their enum case so that their storage stays
// uniquely referenced. Every primitive change records how to undo it; when an operation fails
// the undo log is replayed backwards, so the caller sees the document exactly as it was.

extension JSONValue {
    /// Applies `patch` in place. Either every operation succeeds, or the document is left
    /// unchanged and the error names the failing operation.
    /// - Returns: whether the document changed (`test` operations and no-op replaces don't).
    @discardableResult
    public mutating func apply(_ patch: JSONPatch) throws(PatchError) -> Bool {
        var budget = JSONValue.copyLimit
        return try apply(patch, copyBudget: &budget)
    }

    /// The most values one patch's `copy` operations may duplicate (`Document` counts them from
    /// one snapshot to the next). A copy shares its storage, so each `copy` of the document into
    /// itself doubles it at no cost in memory: forty of them make a trillion values, which
    /// every later walk (a hash, a diff, the document written out) would visit.
    public static let copyLimit = 4_000_000

    /// `apply`, with `copyBudget` the values `copy` operations may still duplicate: it is
    /// lowered by each copy, and a copy past it fails the patch (left unapplied).
    @discardableResult
    public mutating func apply(_ patch: JSONPatch, copyBudget: inout Int) throws(PatchError) -> Bool {
        var transaction = PatchTransaction()
        transaction.copyBudget = copyBudget
        defer { copyBudget = transaction.copyBudget }
        let last = patch.operations.count - 1
        for index in patch.operations.indices {
            let operation = patch.operations[index]
            // Only the changes of earlier operations may need undoing: a single operation that
            // fails has changed nothing (except a move, which removes before it adds).
            if case .move = operation { transaction.recording = true } else { transaction.recording = index < last }
            if transaction.recording && transaction.log.capacity == 0 { transaction.log.reserveCapacity(2 * patch.count) }
            do {
                try transaction.apply(operation, to: &self)
            } catch {
                transaction.rollBack(&self)
                throw PatchError(index: index, op: operation.name, path: operation.path.description, reason: error.reason)
            }
        }
        return transaction.changed
    }

    /// A patched copy of this value; `self` is not modified.
    public func applying(_ patch: JSONPatch) throws(PatchError) -> JSONValue {
        var copy = self
        try copy.apply(patch)
        return copy
    }
}

struct ApplyFailure: Error {
    var reason: String

    init(_ reason: String) { self.reason = reason }
    init(_ error: JSONPointerError) { self.reason = error.description }

    static func arrayIndex(_ token: String, count: Int, allowEnd: Bool) throws(ApplyFailure) -> Int {
        do { return try JSONPointer.arrayIndex(token, count: count, allowEnd: allowEnd) } catch { throw ApplyFailure(error) }
    }
}

/// The undo log of one patch application.
private struct PatchTransaction {
    enum Undo {
        case restoreRoot(JSONValue)
        case setMember(parent: ArraySlice<String>, key: String, old: JSONValue)
        case removeMember(parent: ArraySlice<String>, key: String)
        case insertMember(parent: ArraySlice<String>, key: String, position: Int, value: JSONValue)
        case setElement(parent: ArraySlice<String>, index: Int, old: JSONValue)
        case removeElement(parent: ArraySlice<String>, index: Int)
        case insertElement(parent: ArraySlice<String>, index: Int, value: JSONValue)
    }

    var log: [Undo] = []
    /// Values `copy` may still duplicate (see `JSONValue.copyLimit`).
    var copyBudget = JSONValue.copyLimit
    /// Whether changes are logged for rollback (see `JSONValue.apply`).
    var recording = true
    var changed = false

    @inline(__always)
    mutating func record(_ undo: @autoclosure () -> Undo) {
        if recording { log.append(undo()) }
    }

    mutating func apply(_ operation: PatchOperation, to document: inout JSONValue) throws(ApplyFailure) {
        switch operation {
        case .add(let path, let value):
            try add(value, at: path.tokens[...], in: &document)
        case .remove(let path):
            _ = try remove(at: path.tokens[...], in: &document)
        case .replace(let path, let value):
            try replace(at: path.tokens[...], with: value, in: &document)
        case .move(let from, let path):
            if from.isProperPrefix(of: path) { throw ApplyFailure("cannot move a value into one of its own children") }
            if from == path {
                _ = try document.value(at: from, failure: ApplyFailure.init)  // must exist
                return
            }
            let value = try remove(at: from.tokens[...], in: &document)
            try add(value, at: path.tokens[...], in: &document)
        case .copy(let from, let path):
            let value = try document.value(at: from, failure: ApplyFailure.init)
            let copied = value.countValues(upTo: copyBudget)
            guard copied <= copyBudget else {
                throw ApplyFailure("copy refused: it would duplicate more than \(copyBudget) values "
                                   + "(copies since the last snapshot may duplicate \(JSONValue.copyLimit) at most)")
            }
            copyBudget -= copied
            try add(value, at: path.tokens[...], in: &document)
        case .test(let path, let expected):
            let actual = try document.value(at: path, failure: ApplyFailure.init)
            guard actual == expected else {
                throw ApplyFailure("test failed: the value is \(JSONPatchText.excerpt(actual)), not \(JSONPatchText.excerpt(expected))")
            }
        }
    }

    /// `add` and `replace` at the empty pointer both replace the whole document.
    mutating func replaceRoot(of document: inout JSONValue, with value: JSONValue) {
        if document != value { changed = true }
        record(.restoreRoot(document))
        document = value
    }

    mutating func add(_ value: JSONValue, at tokens: ArraySlice<String>, in document: inout JSONValue) throws(ApplyFailure) {
        guard let last = tokens.last else { return replaceRoot(of: &document, with: value) }
        let parent = tokens.dropLast()
        let recording = self.recording
        let undo = try document.modify(parent) { (container) throws(ApplyFailure) -> Undo? in
            if var object = container.takeObject() {
                defer { container = .object(object) }
                if let position = object.position(of: last) {
                    var old = value
                    swap(&old, &object[position: position])
                    if old != value { changed = true }
                    return recording ? .setMember(parent: parent, key: last, old: old) : nil
                }
                changed = true
                object.append(key: last, value: value)
                return recording ? .removeMember(parent: parent, key: last) : nil
            }
            if var elements = container.takeArray() {
                defer { container = .array(elements) }
                let index = try ApplyFailure.arrayIndex(last, count: elements.count, allowEnd: true)
                elements.insert(value, at: index)
                changed = true
                return recording ? .removeElement(parent: parent, index: index) : nil
            }
            throw ApplyFailure(.notAContainer(last, type: container.typeName))
        }
        if let undo { log.append(undo) }
    }

    mutating func remove(at tokens: ArraySlice<String>, in document: inout JSONValue) throws(ApplyFailure) -> JSONValue {
        guard let last = tokens.last else { throw ApplyFailure("cannot remove the whole document") }
        let parent = tokens.dropLast()
        let (removed, undo) = try document.modify(parent) { (container) throws(ApplyFailure) -> (JSONValue, Undo) in
            if var object = container.takeObject() {
                defer { container = .object(object) }
                guard let position = object.position(of: last) else { throw ApplyFailure(.notFound(last)) }
                let member = object.remove(at: position)
                return (member.value, .insertMember(parent: parent, key: last, position: position, value: member.value))
            }
            if var elements = container.takeArray() {
                defer { container = .array(elements) }
                let index = try ApplyFailure.arrayIndex(last, count: elements.count, allowEnd: false)
                let value = elements.remove(at: index)
                return (value, .insertElement(parent: parent, index: index, value: value))
            }
            throw ApplyFailure(.notAContainer(last, type: container.typeName))
        }
        changed = true
        record(undo)
        return removed
    }

    mutating func replace(at tokens: ArraySlice<String>, with value: JSONValue, in document: inout JSONValue) throws(ApplyFailure) {
        guard let last = tokens.last else { return replaceRoot(of: &document, with: value) }
        let parent = tokens.dropLast()
        let recording = self.recording
        let undo = try document.modify(parent) { (container) throws(ApplyFailure) -> Undo? in
            if var object = container.takeObject() {
                defer { container = .object(object) }
                guard let position = object.position(of: last) else { throw ApplyFailure(.notFound(last)) }
                var old = value
                swap(&old, &object[position: position])
                if old != value { changed = true }
                return recording ? .setMember(parent: parent, key: last, old: old) : nil
            }
            if var elements = container.takeArray() {
                defer { container = .array(elements) }
                let index = try ApplyFailure.arrayIndex(last, count: elements.count, allowEnd: false)
                var old = value
                swap(&old, &elements[index])
                if old != value { changed = true }
                return recording ? .setElement(parent: parent, index: index, old: old) : nil
            }
            throw ApplyFailure(.notAContainer(last, type: container.typeName))
        }
        if let undo { log.append(undo) }
    }

    /// Replays the undo log backwards. Each entry reverses a change that succeeded, so none can fail.
    func rollBack(_ document: inout JSONValue) {
        for undo in log.reversed() {
            switch undo {
            case .restoreRoot(let old):
                document = old
            case .setMember(let parent, let key, let old):
                try? document.modify(parent) { (container) throws(ApplyFailure) in
                    guard var object = container.takeObject() else { return }
                    object[key] = old
                    container = .object(object)
                }
            case .removeMember(let parent, let key):
                try? document.modify(parent) { (container) throws(ApplyFailure) in
                    guard var object = container.takeObject() else { return }
                    if let position = object.position(of: key) { object.remove(at: position) }
                    container = .object(object)
                }
            case .insertMember(let parent, let key, let position, let value):
                try? document.modify(parent) { (container) throws(ApplyFailure) in
                    guard var object = container.takeObject() else { return }
                    object.insert(key: key, value: value, at: position)
                    container = .object(object)
                }
            case .setElement(let parent, let index, let old):
                try? document.modify(parent) { (container) throws(ApplyFailure) in
                    guard var elements = container.takeArray() else { return }
                    elements[index] = old
                    container = .array(elements)
                }
            case .removeElement(let parent, let index):
                try? document.modify(parent) { (container) throws(ApplyFailure) in
                    guard var elements = container.takeArray() else { return }
                    elements.remove(at: index)
                    container = .array(elements)
                }
            case .insertElement(let parent, let index, let value):
                try? document.modify(parent) { (container) throws(ApplyFailure) in
                    guard var elements = container.takeArray() else { return }
                    elements.insert(value, at: index)
                    container = .array(elements)
                }
            }
        }
    }
}

extension JSONValue {
    /// Moves the object out of `self` (leaving `null`) so it can be mutated without a copy;
    /// the caller puts it back. (A `switch self { case .object(var o): … }` would keep a second
    /// reference alive for the whole switch and force a copy of the storage.)
    @inline(__always)
    mutating func takeObject() -> JSONObject? {
        guard case .object(let object) = self else { return nil }
        self = .null
        return object
    }

    /// Moves the array out of `self`; see `takeObject()`.
    @inline(__always)
    mutating func takeArray() -> [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        self = .null
        return elements
    }

    /// Runs `body` on the value at `tokens`, in place. Each container on the way is moved out
    /// of `self` while `body` runs, so its storage is uniquely referenced and not copied.
    mutating func modify<R>(
        _ tokens: ArraySlice<String>, _ body: (inout JSONValue) throws(ApplyFailure) -> R
    ) throws(ApplyFailure) -> R {
        try modify(tokens, from: tokens.startIndex, body)
    }

    /// The recursion of `modify`, walking `tokens` by index (slicing at every level would
    /// retain and release the token array once per level).
    private mutating func modify<R>(
        _ tokens: ArraySlice<String>, from index: Int, _ body: (inout JSONValue) throws(ApplyFailure) -> R
    ) throws(ApplyFailure) -> R {
        guard index < tokens.endIndex else { return try body(&self) }
        if var object = takeObject() {
            defer { self = .object(object) }
            guard let position = object.position(of: tokens[index]) else { throw ApplyFailure(.notFound(tokens[index])) }
            return try object[position: position].modify(tokens, from: index + 1, body)
        }
        if var elements = takeArray() {
            defer { self = .array(elements) }
            let element = try ApplyFailure.arrayIndex(tokens[index], count: elements.count, allowEnd: false)
            return try elements[element].modify(tokens, from: index + 1, body)
        }
        throw ApplyFailure(.notAContainer(tokens[index], type: typeName))
    }

    func value<E: Error>(at pointer: JSONPointer, failure: (JSONPointerError) -> E) throws(E) -> JSONValue {
        do { return try value(at: pointer) } catch { throw failure(error) }
    }
}

extension JSONValue {
    /// How many values this one holds, itself included; `limit + 1` once there are more than
    /// `limit` (it stops counting there: a document that shares storage may hold far more
    /// values than memory).
    func countValues(upTo limit: Int) -> Int {
        var count = 0
        var pending: [JSONValue] = [self]
        while let value = pending.popLast() {
            count += 1
            if count > limit { return count }
            // Each pending value counts at least one: past the limit, stop before holding them.
            switch value {
            case .array(let elements):
                if count + pending.count + elements.count > limit { return limit + 1 }
                pending.append(contentsOf: elements)
            case .object(let object):
                if count + pending.count + object.count > limit { return limit + 1 }
                for member in object { pending.append(member.value) }
            default: break
            }
        }
        return count
    }
}

/// Short renderings of values for error messages.
enum JSONPatchText {
    /// The value's JSON text, cut at `limit` characters. Only what is shown is written: a
    /// document doubled by `copy` forty times is a trillion values sharing storage, and writing
    /// it whole before cutting never ended.
    static func excerpt(_ value: JSONValue, limit: Int = 60) -> String {
        var text = ""
        write(value, into: &text, limit: limit + 1)
        text = Sanitizer.line(text)
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "…"
    }

    /// Appends `value`'s compact JSON to `text` until it holds `limit` characters or more.
    private static func write(_ value: JSONValue, into text: inout String, limit: Int) {
        guard text.count < limit else { return }
        switch value {
        case .array(let elements):
            text += "["
            for (index, element) in elements.enumerated() {
                guard text.count < limit else { return }
                if index > 0 { text += "," }
                write(element, into: &text, limit: limit)
            }
            text += "]"
        case .object(let object):
            text += "{"
            for (index, member) in object.enumerated() {
                guard text.count < limit else { return }
                if index > 0 { text += "," }
                text += JSONWriter.string(.string(String(member.key.prefix(limit)))) + ":"
                write(member.value, into: &text, limit: limit)
            }
            text += "}"
        case .string(let string):
            text += JSONWriter.string(.string(String(string.prefix(limit))))
        default:
            text += JSONWriter.string(value)
        }
    }
}
