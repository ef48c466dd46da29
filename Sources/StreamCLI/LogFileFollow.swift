#if canImport(Glibc)
import Glibc
#endif
import StreamEngine

/// `logs -f` with no streamtop running: the last entries of the log file, then its new lines
/// as they are written (by a streamtop started later), read four times a second until Ctrl-C
/// or a reader that went away.
struct LogFileFollow {
    let path: String
    let count: Int
    let printer: LogPrinter

    static let interval: useconds_t = 250_000

    func run(_ context: CommandContext) -> Int32 {
        // Opened at its end before the last entries are read: a line written in between may
        // show twice, never not at all.
        var file = FollowedFile(path: path)
        printer.print(lines: LogsCommand.lastLines(path: path, count: count), to: context)
        context.output.flush()
        while !context.interrupted() && !context.output.isClosed {
            printer.print(lines: file.newLines(), to: context)
            context.output.flush()
            usleep(LogFileFollow.interval)  // a signal ends the wait at once
        }
        return 0
    }
}
