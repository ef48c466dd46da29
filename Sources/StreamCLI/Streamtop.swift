#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `streamtop` command line: dispatches to a command and maps errors to exit statuses
/// (0 success, 1 unrecovered error, 2 usage error).
public enum Streamtop {
    public static let version = "0.1.0"

    static let usage = """
        streamtop \(version): a terminal monitor for Server-Sent Events streams and polled JSON APIs.

        USAGE: streamtop <command> [options]

        COMMANDS:
          tail <file | ->   Print the events of a captured event stream (see 'streamtop tail --help').

        OPTIONS:
          -h, --help        Show this help.
          --version         Show the version.
        """

    /// Runs a command line (without the program name) and returns the exit status.
    public static func main(_ arguments: [String], output: OutputSink, errors: OutputSink, interrupted: () -> Bool = { false }) -> Int32 {
        guard let command = arguments.first else {
            errors.write(Array((usage + "\n").utf8))
            return 2
        }
        let rest = Array(arguments.dropFirst())
        do {
            switch command {
            case "-h", "--help", "help":
                output.write(Array((usage + "\n").utf8))
                return 0
            case "--version":
                output.write(Array("streamtop \(version)\n".utf8))
                return 0
            case TailCommand.name:
                do {
                    return try TailCommand(arguments: rest).run(output: output, interrupted: interrupted)
                } catch is HelpRequested {
                    output.write(Array((TailCommand.usage + "\n").utf8))
                    return 0
                }
            default:
                throw UsageError("unknown command '\(command)'")
            }
        } catch let error as UsageError {
            let help = error.command.map { "streamtop \($0) --help" } ?? "streamtop --help"
            errors.write(Array("streamtop: \(error.message)\nRun '\(help)' for usage.\n".utf8))
            return 2
        } catch {
            errors.write(Array("streamtop: \(error)\n".utf8))
            return 1
        }
    }
}
