import Foundation
import StreamCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `streamtop tail FILE | -`: prints the events of a captured event stream.
struct TailCommand: StreamtopCommand {
    static let name = "tail"
    static let summary = "Print the events of a captured event stream."

    static let usage = """
        USAGE: streamtop tail [--jsonl] [--document] [--quiet] <file | ->

        Prints the events of a captured Server-Sent Events stream (text/event-stream), from a
        file or from standard input as it arrives. Streamdata-style streams (a JSON snapshot,
        then JSON Patch events) are checked as they go: malformed JSON and patches that do
        not apply are reported as errors.

        ARGUMENTS:
          <file | ->      The capture to read; - reads standard input.

        OPTIONS:
          --jsonl         One JSON object per line, for scripts. Kinds:
                            event    type, id, data, bytes (+ ops, document with --document)
                            retry    ms
                            error    message (+ event, id where they apply)
                            summary  events, bytes (of the stream read), reconnects, errors,
                                     lastEventId, retryMs (null when never set); always last
                          Control characters are escaped, so the output is safe on a terminal.
          --document      Include the current JSON document after each event (and, with
                          --quiet, the final document in the summary).
          --quiet         Print only errors and the summary.
          -h, --help      Show this help.

        EXIT STATUS:
          0  the input ended (errors in single events do not change this)
          1  an unrecovered error, such as a file that cannot be read
          2  a usage error

        EXAMPLES:
          streamtop tail capture.sse
          curl -sN -H 'Accept: text/event-stream' URL | streamtop tail --jsonl -
          streamtop tail --jsonl --document --quiet capture.sse
        """

    var source: String
    var jsonl = false
    var includeDocument = false
    var quiet = false

    init(arguments: [String]) throws {
        let scanner = ArgumentScanner(
            flags: ["--jsonl": "jsonl", "--document": "document", "--quiet": "quiet", "-q": "quiet", "--help": "help", "-h": "help"],
            options: [:])
        let scanned = try scanner.scan(arguments)
        if scanned.flags.contains("help") { throw HelpRequested() }
        guard let source = scanned.positionals.first else {
            throw UsageError("missing <file | ->: name a capture file, or - for standard input")
        }
        guard scanned.positionals.count == 1 else {
            throw UsageError("unexpected argument '\(scanned.positionals[1])': tail reads one source")
        }
        self.source = source
        jsonl = scanned.flags.contains("jsonl")
        includeDocument = scanned.flags.contains("document")
        quiet = scanned.flags.contains("quiet")
    }

    /// Runs to the end of the input (or an interrupt) and returns the exit status.
    ///
    /// Two threads share the work: this one reads, splits events and parses their JSON; a
    /// worker applies them to the document in order and writes the output. A bounded queue of
    /// batches (one per read) between them keeps memory bounded and output prompt.
    func run(_ context: CommandContext) -> Int32 {
        run(output: context.output, interrupted: context.interrupted)
    }

    func run(output: OutputSink, interrupted: () -> Bool = { false }) -> Int32 {
        var reader = TailReader()
        let worker = TailWorker(
            consumer: TailConsumer(renderer: TailRenderer(jsonl: jsonl, includeDocument: includeDocument, quiet: quiet)),
            output: output)
        worker.start()
        var status: Int32 = 0
        let fd: Int32 = source == "-" ? STDIN_FILENO : open(source, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            worker.queue.put(TailBatch(items: [.error("cannot open \(source): \(String(cString: strerror(errno)))")]))
            status = 1
        } else {
            defer { if fd != STDIN_FILENO { close(fd) } }
            var buffer = [UInt8](repeating: 0, count: 256 << 10)
            while !interrupted() {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count == 0 { break }
                if count < 0 {
                    if errno == EINTR { continue }
                    worker.queue.put(TailBatch(items: [.error("cannot read \(source): \(String(cString: strerror(errno)))")]))
                    status = 1
                    break
                }
                worker.queue.put(buffer.withUnsafeBufferPointer { reader.read(UnsafeBufferPointer(rebasing: $0[0..<count])) })
                // Free consumed batches here, on the thread that allocated them: malloc's
                // per-thread caches stay warm and the threads don't contend for its locks.
                _ = worker.consumed.drain()
            }
        }
        worker.queue.put(reader.finish())
        var consumer = worker.join()
        consumer.finish()
        output.write(consumer.renderer.take())
        output.flush()
        return status
    }
}

/// `--help` was asked for: print the usage and exit 0.
struct HelpRequested: Error {}
