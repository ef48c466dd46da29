/// Why a patch could not be read or applied: the operation's index, its op and path, and the reason.
public struct PatchError: Error, Sendable, Equatable, CustomStringConvertible {
    public var index: Int?
    public var op: String?
    public var path: String?
    public var reason: String

    public init(index: Int?, op: String?, path: String?, reason: String) {
        self.index = index
        self.op = op
        self.path = path
        self.reason = reason
    }

    public var description: String {
        var where_ = ""
        if let index { where_ = "operation \(index)" }
        if let op { where_ += where_.isEmpty ? op : " (\(Sanitizer.line(op))" + (path.map { " \"\(Sanitizer.line($0))\"" } ?? "") + ")" }
        return where_.isEmpty ? reason : "\(where_): \(reason)"
    }
}
