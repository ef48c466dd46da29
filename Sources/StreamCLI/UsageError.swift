/// A command-line mistake: printed with the command's usage, exit status 2.
public struct UsageError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var command: String?

    public init(_ message: String, command: String? = nil) {
        self.message = message
        self.command = command
    }

    public var description: String { message }
}
