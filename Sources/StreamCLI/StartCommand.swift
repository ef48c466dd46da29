/// `streamtop start ID…`: the work is `StreamAction`'s.
struct StartCommand: StreamtopCommand {
    static let name = "start"
    static let summary = "Start streams: in the running streamtop, else with the next run."
    static let usage = """
        USAGE: streamtop start <id>... [--config PATH] [--state-dir DIR]

        Starts the streams in the streamtop running for the state directory, at once, and
        remembers that they run (their "autostart" in the registry), so that they start again
        with the next 'streamtop run'. When no streamtop is running, only marks them to start
        with the next 'streamtop run', and says so.

        \(StreamAction.usageTail)
        """

    var action: StreamAction

    init(arguments: [String]) throws {
        action = try StreamAction(.start, arguments: arguments)
    }

    func run(_ context: CommandContext) -> Int32 {
        action.run(context)
    }
}
