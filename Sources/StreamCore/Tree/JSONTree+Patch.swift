// Applying a JSON Patch to a tree in place, atomically, at a cost proportional to the patch and
// the containers on its paths: each operation finds its parent by walking the tokens, then
// writes, inserts or removes one entry. A failed operation leaves the tree as it was: the
// journal undoes the operations before it, and a failing operation fails before it writes.
// The messages are `JSONValue.apply`'s, word for word.

extension JSONTree {
    /// Applies `patch` in place. Either every operation succeeds, or the document is left
    /// unchanged and the error names the failing operation.
    /// - Returns: whether the document changed (`test` operations and no-op replaces don't).
    @discardableResult
    public mutating func apply(_ patch: TreePatch) throws(PatchError) -> Bool {
        var budget = JSONValue.copyLimit
        return try apply(patch, copyBudget: &budget)
    }

    @discardableResult
    public mutating func apply(_ patch: JSONPatch) throws(PatchError) -> Bool {
        try apply(TreePatch(patch))
    }

    /// `apply`, with `copyBudget` the values `copy` operations may still duplicate (see
    /// `JSONValue.copyLimit`): lowered by each copy; a copy past it fails the patch.
    @discardableResult
    /// `maxDepth`: the most containers the document may nest, as the parser's limit: a patch
    /// that would nest deeper (one level at a time, each patch within the limit) is refused,
    /// where every walk of the document would otherwise recurse past what a stack holds.
    public mutating func apply(_ patch: TreePatch, copyBudget: inout Int, maxDepth: Int = 512)
        throws(PatchError) -> Bool
    {
        var journal = Journal(self)
        var changed = false
        let outcome: PatchError? = patch.tokenBytes.withUnsafeBufferPointer { tokens in
            patch.tokenEnds.withUnsafeBufferPointer { ends in
                var applier = TreePatchApplier(
                    patch: patch, tokens: tokens, ends: ends, copyBudget: copyBudget, maxDepth: maxDepth)
                defer { copyBudget = applier.copyBudget }
                let last = patch.count - 1
                let first = patch.range.lowerBound
                for index in 0..<patch.count {
                    let operation = patch.allOperations[first &+ index]
                    // Only earlier operations' changes may need undoing, and a move's own.
                    journal.recording = operation.kind == .move || index < last
                    do throws(ApplyFailure) {
                        try applier.apply(operation, to: &self, journal: &journal)
                    } catch {
                        journal.rollBack(&self)
                        let path = patch.text(operation.path)
                        return PatchError(index: index, op: operation.kind.name, path: path, reason: error.reason)
                    }
                }
                changed = applier.changed
                return nil
            }
        }
        if let outcome { throw outcome }
        collectGarbageIfNeeded()
        return changed
    }
}

/// One patch being applied: its tokens in place, and what it did so far.
private struct TreePatchApplier {
    let patch: TreePatch
    let tokens: UnsafeBufferPointer<UInt8>
    let ends: UnsafeBufferPointer<Int32>
    var copyBudget: Int
    let maxDepth: Int
    var changed = false

    init(
        patch: TreePatch, tokens: UnsafeBufferPointer<UInt8>, ends: UnsafeBufferPointer<Int32>, copyBudget: Int,
        maxDepth: Int
    ) {
        self.patch = patch
        self.tokens = tokens
        self.ends = ends
        self.copyBudget = copyBudget
        self.maxDepth = maxDepth
    }

    typealias Slot = JSONTree.Slot
    typealias Location = JSONTree.Location

    @inline(__always)
    func token(_ pointer: TreePatch.Pointer, _ i: Int) -> UnsafeBufferPointer<UInt8> {
        let k = Int(pointer.first) &+ i
        let start = k == 0 ? 0 : Int(ends[k &- 1])
        return UnsafeBufferPointer(rebasing: tokens[start..<Int(ends[k])])
    }

    @inline(__always)
    func string(_ token: UnsafeBufferPointer<UInt8>) -> String { String(decoding: token, as: UTF8.self) }

    /// The location of the value named by the first `depth` tokens of `pointer`.
    func locate(_ pointer: TreePatch.Pointer, depth: Int, in tree: JSONTree) throws(ApplyFailure) -> Location {
        var location = JSONTree.rootLocation
        for i in 0..<depth { location = try child(token(pointer, i), of: tree[location], in: tree) }
        return location
    }

    /// The location of the member or element `name` of `container`.
    @inline(__always)
    func child(_ name: UnsafeBufferPointer<UInt8>, of container: Slot, in tree: JSONTree)
        throws(ApplyFailure) -> Location
    {
        switch container.kind {
        case .object:
            guard let position = tree.position(of: name, in: container) else {
                throw ApplyFailure(.notFound(string(name)))
            }
            return container.offset &+ 2 &* position &+ 1
        case .array:
            return container.offset &+ (try index(name, count: container.count, allowEnd: false))
        default:
            throw ApplyFailure(.notAContainer(string(name), type: container.kind.typeName))
        }
    }

    @inline(__always)
    func index(_ token: UnsafeBufferPointer<UInt8>, count: Int, allowEnd: Bool) throws(ApplyFailure) -> Int {
        do {
            return try JSONPointer.arrayIndex(utf8: token, count: count, allowEnd: allowEnd)
        } catch {
            throw ApplyFailure(error)
        }
    }

    mutating func apply(
        _ operation: TreePatch.Operation, to tree: inout JSONTree, journal: inout JSONTree.Journal
    ) throws(ApplyFailure) {
        switch operation.kind {
        case .add:
            try add(.value(operation.value), at: operation.path, in: &tree, journal: &journal)
        case .remove:
            _ = try remove(at: operation.path, in: &tree, journal: &journal)
        case .replace:
            try replace(at: operation.path, with: operation.value, in: &tree, journal: &journal)
        case .move:
            let from = operation.from
            let path = operation.path
            if from.count < path.count && patch.samePrefix(from, path, count: Int(from.count)) {
                throw ApplyFailure("cannot move a value into one of its own children")
            }
            if from.count == path.count && patch.samePrefix(from, path, count: Int(from.count)) {
                _ = try locate(from, depth: Int(from.count), in: tree)  // must exist
                return
            }
            let moved = try remove(at: from, in: &tree, journal: &journal)
            try add(.moved(moved), at: path, in: &tree, journal: &journal)
        case .copy:
            let source = tree[try locate(operation.from, depth: Int(operation.from.count), in: tree)]
            let copied = tree.countValues(source, upTo: copyBudget)
            guard copied <= copyBudget else {
                throw ApplyFailure("copy refused: it would duplicate more than \(copyBudget) values "
                                   + "(copies since the last snapshot may duplicate \(JSONValue.copyLimit) at most)")
            }
            copyBudget -= copied
            try add(.copied(source), at: operation.path, in: &tree, journal: &journal)
        case .test:
            let actual = tree[try locate(operation.path, depth: Int(operation.path.count), in: tree)]
            guard JSONTree.equal(actual, in: tree, operation.value, in: patch.values) else {
                throw ApplyFailure("test failed: the value is \(tree.excerpt(actual)), "
                                   + "not \(patch.values.excerpt(operation.value))")
            }
        }
    }

    /// What an `add` puts in place: a value of the patch (copied in), a value of the tree
    /// that was just removed (moved, not copied), or one of the tree's values (duplicated).
    enum Source {
        case value(Slot)
        case moved(Slot)
        case copied(Slot)
    }

    /// Refuses a value that would nest deeper than `maxDepth` once stored `depth` tokens down.
    func checkDepth(_ source: Source, at depth: Int, in tree: JSONTree) throws(ApplyFailure) {
        let limit = maxDepth &- depth
        let nesting: Int
        switch source {
        case .value(let slot): nesting = patch.values.nesting(slot, upTo: limit)
        case .moved(let slot), .copied(let slot): nesting = tree.nesting(slot, upTo: limit)
        }
        if nesting > limit {
            throw ApplyFailure("the document would nest more than \(maxDepth) containers (the parser's limit)")
        }
    }

    /// The slot to store, made only once the operation can no longer fail.
    func make(_ source: Source, in tree: inout JSONTree) -> Slot {
        switch source {
        case .value(let slot): return tree.copy(slot, from: patch.values)
        case .moved(let slot): return slot
        case .copied(let slot): return tree.duplicate(slot)
        }
    }

    /// Whether the value being stored equals the one at `slot` (a `Source` not yet made).
    func equals(_ source: Source, _ slot: Slot, in tree: JSONTree) -> Bool {
        switch source {
        case .value(let value): return JSONTree.equal(slot, in: tree, value, in: patch.values)
        case .moved(let value), .copied(let value): return JSONTree.equal(slot, in: tree, value, in: tree)
        }
    }

    /// `add` and `replace` at the empty pointer both replace the whole document.
    mutating func replaceRoot(
        of tree: inout JSONTree, with source: Source, journal: inout JSONTree.Journal
    ) throws(ApplyFailure) {
        try checkDepth(source, at: 0, in: tree)
        if !equals(source, tree.root, in: tree) { changed = true }
        tree.write(make(source, in: &tree), at: JSONTree.rootLocation, journal: &journal)
    }

    mutating func add(
        _ source: Source, at path: TreePatch.Pointer, in tree: inout JSONTree, journal: inout JSONTree.Journal
    ) throws(ApplyFailure) {
        let depth = Int(path.count)
        guard depth > 0 else { return try replaceRoot(of: &tree, with: source, journal: &journal) }
        let parent = try locate(path, depth: depth - 1, in: tree)
        let container = tree[parent]
        let last = token(path, depth - 1)
        switch container.kind {
        case .object:
            try checkDepth(source, at: depth, in: tree)
            if let position = tree.position(of: last, in: container) {
                let location = container.offset &+ 2 &* position &+ 1
                if !equals(source, tree[location], in: tree) { changed = true }
                tree.write(make(source, in: &tree), at: location, journal: &journal)
            } else {
                changed = true
                let value = make(source, in: &tree)
                let key = tree.makeScalar(.string, last)
                tree.insert((key.raw, value.raw), at: container.count, inContainerAt: parent, journal: &journal)
            }
        case .array:
            let index = try index(last, count: container.count, allowEnd: true)
            try checkDepth(source, at: depth, in: tree)
            changed = true
            let value = make(source, in: &tree)
            tree.insert((value.raw, 0), at: index, inContainerAt: parent, journal: &journal)
        default:
            throw ApplyFailure(.notAContainer(string(last), type: container.kind.typeName))
        }
    }

    mutating func remove(
        at path: TreePatch.Pointer, in tree: inout JSONTree, journal: inout JSONTree.Journal
    ) throws(ApplyFailure) -> Slot {
        let depth = Int(path.count)
        guard depth > 0 else { throw ApplyFailure("cannot remove the whole document") }
        let parent = try locate(path, depth: depth - 1, in: tree)
        let container = tree[parent]
        let last = token(path, depth - 1)
        let removed: Slot
        switch container.kind {
        case .object:
            guard let position = tree.position(of: last, in: container) else {
                throw ApplyFailure(.notFound(string(last)))
            }
            removed = Slot(raw: tree.remove(at: position, inContainerAt: parent, journal: &journal).1)
        case .array:
            let index = try index(last, count: container.count, allowEnd: false)
            removed = Slot(raw: tree.remove(at: index, inContainerAt: parent, journal: &journal).0)
        default:
            throw ApplyFailure(.notAContainer(string(last), type: container.kind.typeName))
        }
        changed = true
        return removed
    }

    mutating func replace(
        at path: TreePatch.Pointer, with value: Slot, in tree: inout JSONTree, journal: inout JSONTree.Journal
    ) throws(ApplyFailure) {
        let depth = Int(path.count)
        guard depth > 0 else { return try replaceRoot(of: &tree, with: .value(value), journal: &journal) }
        let parent = try locate(path, depth: depth - 1, in: tree)
        let location = try child(token(path, depth - 1), of: tree[parent], in: tree)
        try checkDepth(.value(value), at: depth, in: tree)
        if !JSONTree.equal(tree[location], in: tree, value, in: patch.values) { changed = true }
        tree.write(tree.copy(value, from: patch.values), at: location, journal: &journal)
    }
}

extension JSONTree {
    /// A value's compact text for messages, cut at `limit` characters (only what is shown is
    /// converted).
    package func excerpt(_ slot: Slot, limit: Int = 60) -> String {
        JSONPatchText.excerpt(value(slot, upTo: limit + 1), limit: limit)
    }

    /// The value at `slot` with at most `limit` elements or members per container and `limit`
    /// values in all: enough for an excerpt.
    private func value(_ slot: Slot, upTo limit: Int) -> JSONValue {
        var budget = limit
        return value(slot, budget: &budget)
    }

    private func value(_ slot: Slot, budget: inout Int) -> JSONValue {
        budget -= 1
        switch slot.kind {
        case .array:
            var elements: [JSONValue] = []
            for i in 0..<slot.count where budget > 0 { elements.append(value(element(slot, i), budget: &budget)) }
            return .array(elements)
        case .object:
            var object = JSONObject()
            for i in 0..<slot.count where budget > 0 {
                object.append(key: string(key(slot, i)), value: value(memberValue(slot, i), budget: &budget))
            }
            return .object(object)
        default:
            return value(slot)
        }
    }
}
