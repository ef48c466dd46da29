/// One step of an edit script between two sequences: keep an element, remove one, insert one,
/// or change one in place.
enum DiffEdit {
    case keep, remove, insert, change

    /// Change position by position, then remove or add the tail.
    static func positional(_ oldCount: Int, _ newCount: Int) -> [DiffEdit] {
        Array(repeating: .change, count: min(oldCount, newCount))
            + Array(repeating: oldCount > newCount ? .remove : .insert, count: abs(oldCount - newCount))
    }

    /// Myers' O((N+M)·D) shortest edit script between `n` old and `m` new elements, where
    /// `equal(x, y)` says whether old element `x` equals new element `y`; nil when more than
    /// `maxEdits` edits are needed.
    static func script(_ n: Int, _ m: Int, maxEdits: Int, equal: (Int, Int) -> Bool) -> [DiffEdit]? {
        let maxD = min(n + m, maxEdits)
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
        var script: [DiffEdit] = []
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
