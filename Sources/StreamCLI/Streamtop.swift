#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `streamtop` command line: dispatches to a command and maps errors to exit statuses
/// (0 success, 1 unrecovered error, 2 usage error).
public enum Streamtop {
    public static let version = "0.1.0"

    /// Every command, in the order `--help` lists them.
    static var commands: [any StreamtopCommand.Type] {
        [
            DemoCommand.self, TailCommand.self, AddCommand.self, ListCommand.self, RemoveCommand.self, RunCommand.self,
            StatusCommand.self, StartCommand.self, StopCommand.self, RestartCommand.self, LogsCommand.self,
            DocumentCommand.self, ReportCommand.self, ReplayCommand.self,
        ]
    }

    static var usage: String {
        let list = commands.map { "  " + $0.name.padding(to: 10) + $0.summary }.joined(separator: "\n")
        return """
            streamtop \(version): a terminal monitor for Server-Sent Events streams and polled JSON APIs.

            USAGE: streamtop <command> [options]

            COMMANDS:
            \(list)

            Run 'streamtop <command> --help' for a command's options.

            OPTIONS:
              -h, --help   Show this help.
              --version    Show the version.
            """
    }

    /// Runs a command line (without the program name) and returns the exit status.
    public static func main(_ arguments: [String], context: CommandContext) -> Int32 {
        guard let name = arguments.first else {
            context.errors.write(Array((usage + "\n").utf8))
            return 2
        }
        switch name {
        case "-h", "--help", "help":
            context.say(usage)
            return 0
        case "--version":
            context.say("streamtop \(version)")
            return 0
        default:
            break
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            context.complain("unknown command '\(name)'\nRun 'streamtop --help' for usage.")
            return 2
        }
        do {
            let parsed = try command.init(arguments: Array(arguments.dropFirst()))
            try parsed.validate(context)
            return parsed.run(context)
        } catch is HelpRequested {
            context.say(command.usage)
            return 0
        } catch let error as UsageError {
            context.complain("\(error.message)\nRun 'streamtop \(command.name) --help' for usage.")
            return 2
        } catch {
            context.complain("\(error)")
            return 1
        }
    }

    /// Compatibility entry point for callers without an environment (tests, the benchmark).
    public static func main(_ arguments: [String], output: OutputSink, errors: OutputSink, interrupted: @escaping () -> Bool = { false }) -> Int32 {
        main(arguments, context: CommandContext(output: output, errors: errors, environment: [:], interrupted: interrupted))
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
