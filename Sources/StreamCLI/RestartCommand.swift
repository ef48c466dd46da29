/// `streamtop restart ID…`: the work is `StreamAction`'s.
struct RestartCommand: StreamtopCommand {
    static let name = "restart"
    static let summary = "Reconnect streams in the running streamtop (a fresh snapshot)."
    static let usage = """
        USAGE: streamtop restart <id>... [--config PATH] [--state-dir DIR]

        Reconnects the streams in the streamtop running for the state directory (a fresh
        snapshot), or starts the stopped ones, and remembers that they run. It needs a running
        streamtop: without one it is an error ('streamtop start' marks streams to start with
        the next 'streamtop run').

        \(StreamAction.usageTail)
        """

    var action: StreamAction

    init(arguments: [String]) throws {
        action = try StreamAction(.restart, arguments: arguments)
    }

    func run(_ context: CommandContext) -> Int32 {
        action.run(context)
    }
}
