import StreamCore

/// Why a STATUS object (status.json's per-stream entry, the control API's answer) could not be
/// read back: the field at fault, as a path (`snapshotSizes.p95`), and what is wrong with it.
package struct StatusJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Problem: Sendable, Equatable {
        case missing
        /// The JSON type the field must have, and the one it has.
        case wrongType(expected: String, found: String)
        /// The right type, a value that cannot be (an unknown state, a count that is not an
        /// integer, seconds past what a `Duration` holds).
        case invalid(String)
    }

    package var field: String
    package var problem: Problem

    package init(field: String, _ problem: Problem) {
        self.field = field
        self.problem = problem
    }

    package var description: String {
        switch problem {
        case .missing: return "status field \"\(field)\" is missing"
        case .wrongType(let expected, let found): return "status field \"\(field)\" must be \(expected), not \(found)"
        case .invalid(let reason): return "status field \"\(field)\" \(reason)"
        }
    }
}
