/// Computes a small JSON Patch that turns one document into another:
/// `try a.applying(JSONDiff.diff(from: a, to: b)) == b` for every `a` and `b`.
///
/// Objects are compared member by member (removes, then changes, then adds). Arrays keep
/// their common prefix and suffix, and the middle is aligned with a Myers shortest edit script
/// so that an element inserted or removed in the middle is one `add` or `remove`, not a
/// `replace` of every later element. Elements that changed in place are diffed recursively,
/// so a scalar changed deep in a large document is a single `replace`.
///
/// The algorithm is written once, over `DiffPair`: two `JSONValue`s and two trees' slots give
/// the same patch for the same documents.
public enum JSONDiff {
    /// Above this many edits in one array's middle, alignment gives up and the arrays are
    /// diffed position by position (still correct, possibly larger): keeps the cost bounded.
    public static let maxArrayEdits = 512

    public static func diff(from a: JSONValue, to b: JSONValue) -> JSONPatch {
        var builder = Builder(ValuePair())
        builder.diff(a, b)
        return JSONPatch(builder.operations)
    }

    /// The same patch as `diff(from: a.value, to: b.value)`, read from the trees directly.
    public static func diff(from a: JSONTree, to b: JSONTree) -> JSONPatch {
        diff(from: a.root, in: a, to: b.root, in: b)
    }

    /// The patch that turns the value at `a` in `x` into the value at `b` in `y`, with paths
    /// relative to them.
    package static func diff(from a: JSONTree.Slot, in x: JSONTree, to b: JSONTree.Slot, in y: JSONTree) -> JSONPatch {
        var builder = Builder(TreePair(old: x, new: y))
        builder.diff(a, b)
        return JSONPatch(builder.operations)
    }

    private struct Builder<Pair: DiffPair> {
        let pair: Pair
        var operations: [PatchOperation] = []
        /// The location being compared: pushed and popped while walking, spelled as pointer
        /// tokens only for the operations it produces.
        var path: [PathToken<Pair.Key>] = []

        init(_ pair: Pair) { self.pair = pair }

        func pointer(appending token: String? = nil) -> JSONPointer {
            var tokens: [String] = []
            tokens.reserveCapacity(path.count + 1)
            for step in path {
                switch step {
                case .key(let key): tokens.append(pair.oldString(key))
                case .index(let index): tokens.append(String(index))
                }
            }
            if let token { tokens.append(token) }
            return JSONPointer(tokens: tokens)
        }

        mutating func diff(_ a: Pair.Node, _ b: Pair.Node) {
            switch (pair.shape(a), pair.shape(b)) {
            case let (.object(x), .object(y)):
                diffObjects(x, y)
            case let (.array(x), .array(y)):
                diffArrays(x, y)
            default:
                if !pair.equal(a, b) { operations.append(.replace(path: pointer(), value: pair.json(b))) }
            }
        }

        /// Diffs the child at `token`, which is usually unchanged: an object's equality is
        /// checked first, as it is cheaper than walking the object for differences. An array is
        /// not: its diff starts with the common prefix, which is that check (and, when the
        /// arrays differ, is not done twice).
        mutating func diffChild(_ a: Pair.Node, _ b: Pair.Node, at token: PathToken<Pair.Key>) {
            if pair.isObject(a) && pair.equal(a, b) { return }
            path.append(token)
            diff(a, b)
            path.removeLast()
        }

        mutating func diffObjects(_ a: Pair.Object, _ b: Pair.Object) {
            let oldCount = pair.memberCount(a)
            let newCount = pair.memberCount(b)
            for i in 0..<oldCount where pair.position(ofOld: pair.oldKey(a, i), inNew: b) == nil {
                operations.append(.remove(path: pointer(appending: pair.oldString(pair.oldKey(a, i)))))
            }
            for i in 0..<oldCount {
                let key = pair.oldKey(a, i)
                // Same member order is the common case: look at the same position first.
                if i < newCount, pair.keysEqual(key, pair.newKey(b, i)) {
                    diffChild(pair.oldMember(a, i), pair.newMember(b, i), at: .key(key))
                } else if let j = pair.position(ofOld: key, inNew: b) {
                    diffChild(pair.oldMember(a, i), pair.newMember(b, j), at: .key(key))
                }
            }
            for j in 0..<newCount where pair.position(ofNew: pair.newKey(b, j), inOld: a) == nil {
                let path = pointer(appending: pair.newString(pair.newKey(b, j)))
                operations.append(.add(path: path, value: pair.json(pair.newMember(b, j))))
            }
        }

        mutating func diffArrays(_ a: Pair.Array, _ b: Pair.Array) {
            let pair = self.pair  // read once: a nested function reading `self` would copy it per call
            let oldCount = pair.elementCount(a)
            let newCount = pair.elementCount(b)
            func equal(_ i: Int, _ j: Int) -> Bool { pair.equal(pair.oldElement(a, i), pair.newElement(b, j)) }
            var prefix = 0
            while prefix < oldCount && prefix < newCount && equal(prefix, prefix) { prefix += 1 }
            var suffix = 0
            while suffix < oldCount - prefix && suffix < newCount - prefix
                && equal(oldCount - 1 - suffix, newCount - 1 - suffix)
            {
                suffix += 1
            }
            let old = prefix..<(oldCount - suffix)
            let new = prefix..<(newCount - suffix)
            if old.isEmpty && new.isEmpty { return }

            // Same length: usually elements changed in place (a price in each quote).
            // Only align when the lengths differ or a one-step shift explains the change.
            let script: [DiffEdit]
            // A shift by one: an insert at one end of the middle and a remove at the other.
            func shifted() -> Bool { old.count >= 2 && (equal(prefix + 1, prefix) || equal(prefix, prefix + 1)) }
            if old.count == new.count && !shifted() {
                script = Array(repeating: .change, count: old.count)
            } else {
                script = editScript(a, old, b, new) ?? DiffEdit.positional(old.count, new.count)
            }
            emit(script, old: a, new: b, start: prefix)
        }

        /// The shortest edit script between two arrays' middles, on element equality with the
        /// elements' hashes compared first.
        func editScript(_ a: Pair.Array, _ old: Range<Int>, _ b: Pair.Array, _ new: Range<Int>) -> [DiffEdit]? {
            let oldHashes = old.map { pair.oldHash(pair.oldElement(a, $0)) }
            let newHashes = new.map { pair.newHash(pair.newElement(b, $0)) }
            return DiffEdit.script(old.count, new.count, maxEdits: JSONDiff.maxArrayEdits) { x, y in
                oldHashes[x] == newHashes[y]
                    && pair.equal(pair.oldElement(a, old.lowerBound + x), pair.newElement(b, new.lowerBound + y))
            }
        }

        /// Walks an edit script: kept elements advance; a removal next to an insertion is a
        /// change (diffed recursively); the rest become `remove` and `add`.
        mutating func emit(_ script: [DiffEdit], old a: Pair.Array, new b: Pair.Array, start: Int) {
            var index = start  // position in the array as patched so far
            var oldIndex = start
            var newIndex = start
            var i = 0
            while i < script.count {
                switch script[i] {
                case .keep:
                    index += 1; oldIndex += 1; newIndex += 1
                    i += 1
                case .change:
                    diffChild(pair.oldElement(a, oldIndex), pair.newElement(b, newIndex), at: .index(index))
                    index += 1; oldIndex += 1; newIndex += 1
                    i += 1
                case .remove, .insert:
                    // A gap: count its removals and insertions, pair them as changes.
                    var removals = 0
                    var insertions = 0
                    while i < script.count, script[i] == .remove || script[i] == .insert {
                        if script[i] == .remove { removals += 1 } else { insertions += 1 }
                        i += 1
                    }
                    let paired = min(removals, insertions)
                    for _ in 0..<paired {
                        diffChild(pair.oldElement(a, oldIndex), pair.newElement(b, newIndex), at: .index(index))
                        index += 1; oldIndex += 1; newIndex += 1
                    }
                    for _ in paired..<removals {
                        operations.append(.remove(path: pointer(appending: String(index))))
                        oldIndex += 1
                    }
                    for _ in paired..<insertions {
                        let value = pair.json(pair.newElement(b, newIndex))
                        operations.append(.add(path: pointer(appending: String(index)), value: value))
                        index += 1; newIndex += 1
                    }
                }
            }
        }
    }
}

/// One step of the path a diff walks: a member's key (of the old document) or an array index.
enum PathToken<Key> {
    case key(Key)
    case index(Int)
}
