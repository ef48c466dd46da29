/// `streamtop stop ID…`: the work is `StreamAction`'s.
struct StopCommand: StreamtopCommand {
    static let name = "stop"
    static let summary = "Stop streams: in the running streamtop, else for the next run."
    static let usage = """
        USAGE: streamtop stop <id>... [--config PATH] [--state-dir DIR]

        Stops the streams in the streamtop running for the state directory, at once, and
        remembers that they are stopped ("autostart": false in the registry) for the next
        'streamtop run'. When no streamtop is running, only marks them not to start with the
        next 'streamtop run', and says so.

        \(StreamAction.usageTail)
        """

    var action: StreamAction

    init(arguments: [String]) throws {
        action = try StreamAction(.stop, arguments: arguments)
    }

    func run(_ context: CommandContext) -> Int32 {
        action.run(context)
    }
}
