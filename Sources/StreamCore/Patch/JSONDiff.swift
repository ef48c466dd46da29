/// Computes a small JSON Patch that turns one document into another:
/// `try a.applying(JSONDiff.diff(from: a, to: b)) == b` for every `a` and `b`.
///
/// Objects are compared member by member (removes, then changes, then adds). Arrays keep
/// their common prefix and suffix, and the middle is aligned with a Myers shortest edit script
/// so that an element inserted or removed in the middle is one `add` or `remove`, not a
/// `replace` of every later element. Elements that changed in place are diffed recursively,
/// so a scalar changed deep in a large document is a single `replace`.
public enum JSONDiff {
    /// Above this many edits in one array's middle, alignment gives up and the arrays are
    /// diffed position by position (still correct, possibly larger): keeps the cost bounded.
    public static let maxArrayEdits = 512

    public static func diff(from a: JSONValue, to b: JSONValue) -> JSONPatch {
        var builder = Builder()
        builder.diff(a, b)
        return JSONPatch(builder.operations)
    }

    private struct Builder {
        var operations: [PatchOperation] = []
        /// The location being compared, as pointer tokens: pushed and popped while walking,
        /// copied only into the operations it produces.
        var path: [String] = []

        var pointer: JSONPointer { JSONPointer(tokens: path) }

        func pointer(appending token: String) -> JSONPointer { JSONPointer(tokens: path + [token]) }

        mutating func diff(_ a: JSONValue, _ b: JSONValue) {
            switch (a, b) {
            case let (.object(x), .object(y)):
                diffObjects(x, y)
            case let (.array(x), .array(y)):
                diffArrays(x, y)
            default:
                if a != b { operations.append(.replace(path: pointer, value: b)) }
            }
        }

        /// Diffs the child at `token`, which is usually unchanged: equality is checked first,
        /// as it is cheaper than walking the child for differences.
        mutating func diffChild(_ a: JSONValue, _ b: JSONValue, at token: String) {
            if a.isContainer && a == b { return }
            path.append(token)
            diff(a, b)
            path.removeLast()
        }

        mutating func diffObjects(_ a: JSONObject, _ b: JSONObject) {
            for member in a where b.position(of: member.key) == nil {
                operations.append(.remove(path: pointer(appending: member.key)))
            }
            for (index, member) in a.members.enumerated() {
                // Same member order is the common case: look at the same position first.
                if index < b.count, b.members[index].key.scalarsEqual(member.key) {
                    diffChild(member.value, b.members[index].value, at: member.key)
                } else if let other = b[member.key] {
                    diffChild(member.value, other, at: member.key)
                }
            }
            for member in b where a.position(of: member.key) == nil {
                operations.append(.add(path: pointer(appending: member.key), value: member.value))
            }
        }

        mutating func diffArrays(_ a: [JSONValue], _ b: [JSONValue]) {
            var prefix = 0
            while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
            var suffix = 0
            while suffix < a.count - prefix && suffix < b.count - prefix
                && a[a.count - 1 - suffix] == b[b.count - 1 - suffix]
            {
                suffix += 1
            }
            let oldMiddle = a[prefix..<(a.count - suffix)]
            let newMiddle = b[prefix..<(b.count - suffix)]
            if oldMiddle.isEmpty && newMiddle.isEmpty { return }

            // Same length: usually elements changed in place (a price in each quote).
            // Only align when the lengths differ or a one-step shift explains the change.
            let script: [Edit]
            if oldMiddle.count == newMiddle.count && !Builder.looksShifted(oldMiddle, newMiddle) {
                script = Array(repeating: .change, count: oldMiddle.count)
            } else {
                script = Builder.editScript(oldMiddle, newMiddle) ?? Builder.positional(oldMiddle.count, newMiddle.count)
            }
            emit(script, old: oldMiddle, new: newMiddle, start: prefix)
        }

        /// A shift by one (an insert at one end of the middle and a remove at the other).
        static func looksShifted(_ a: ArraySlice<JSONValue>, _ b: ArraySlice<JSONValue>) -> Bool {
            guard a.count >= 2 else { return false }
            return a[a.startIndex + 1] == b[b.startIndex] || a[a.startIndex] == b[b.startIndex + 1]
        }

        enum Edit { case keep, remove, insert, change }

        /// Walks an edit script: kept elements advance; a removal next to an insertion is a
        /// change (diffed recursively); the rest become `remove` and `add`.
        mutating func emit(_ script: [Edit], old: ArraySlice<JSONValue>, new: ArraySlice<JSONValue>, start: Int) {
            var index = start  // position in the array as patched so far
            var oldIndex = old.startIndex
            var newIndex = new.startIndex
            var i = 0
            while i < script.count {
                switch script[i] {
                case .keep:
                    index += 1; oldIndex += 1; newIndex += 1
                    i += 1
                case .change:
                    diffChild(old[oldIndex], new[newIndex], at: String(index))
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
                        diffChild(old[oldIndex], new[newIndex], at: String(index))
                        index += 1; oldIndex += 1; newIndex += 1
                    }
                    for _ in paired..<removals {
                        operations.append(.remove(path: pointer(appending: String(index))))
                        oldIndex += 1
                    }
                    for _ in paired..<insertions {
                        operations.append(.add(path: pointer(appending: String(index)), value: new[newIndex]))
                        index += 1; newIndex += 1
                    }
                }
            }
        }

        /// Change position by position, then remove or add the tail.
        static func positional(_ oldCount: Int, _ newCount: Int) -> [Edit] {
            Array(repeating: .change, count: min(oldCount, newCount))
                + Array(repeating: oldCount > newCount ? .remove : .insert, count: abs(oldCount - newCount))
        }

        /// Myers' O((N+M)·D) shortest edit script on element equality (hashes first), or nil when
        /// more than `maxArrayEdits` edits are needed.
        static func editScript(_ a: ArraySlice<JSONValue>, _ b: ArraySlice<JSONValue>) -> [Edit]? {
            let n = a.count
            let m = b.count
            let aHashes = a.map { $0.hashValue }
            let bHashes = b.map { $0.hashValue }
            let aStart = a.startIndex
            let bStart = b.startIndex
            func equal(_ x: Int, _ y: Int) -> Bool {
                aHashes[x] == bHashes[y] && a[aStart + x] == b[bStart + y]
            }
            let maxD = min(n + m, JSONDiff.maxArrayEdits)
            let offset = maxD + 1
            var v = [Int](repeating: 0, count: 2 * maxD + 3)
            var trace: [[Int]] = []
            var found = false
            outer: for d in 0...maxD {
                trace.append(v)
                for k in stride(from: -d, through: d, by: 2) {
                    var x: Int
                    if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                        x = v[offset + k + 1]  // down: insertion
                    } else {
                        x = v[offset + k - 1] + 1  // right: removal
                    }
                    var y = x - k
                    while x < n && y < m && equal(x, y) { x += 1; y += 1 }
                    v[offset + k] = x
                    if x >= n && y >= m {
                        found = true
                        break outer
                    }
                }
            }
            guard found else { return nil }
            // Backtrack through the saved frontiers.
            var script: [Edit] = []
            var x = n
            var y = m
            for d in stride(from: trace.count - 1, through: 0, by: -1) {
                let frontier = trace[d]
                let k = x - y
                let previousK: Int
                if d == 0 {
                    previousK = 0
                } else if k == -d || (k != d && frontier[offset + k - 1] < frontier[offset + k + 1]) {
                    previousK = k + 1
                } else {
                    previousK = k - 1
                }
                let previousX = d == 0 ? 0 : frontier[offset + previousK]
                let previousY = previousX - previousK
                while x > previousX && y > previousY {
                    script.append(.keep)
                    x -= 1; y -= 1
                }
                if d > 0 {
                    if x == previousX {
                        script.append(.insert)
                    } else {
                        script.append(.remove)
                    }
                    x = previousX
                    y = previousY
                }
            }
            return script.reversed()
        }
    }
}
