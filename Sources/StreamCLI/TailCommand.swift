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
    static let summary = "Print the events of an event stream: a URL, a capture file or stdin."

    static let usage = """
        USAGE: streamtop tail [--jsonl] [--document] [--quiet] <url | file | ->
                              [--no-reconnect] [--max-events N] [--timeout SECONDS]
                              [--header 'Name: value']... [--stall SECONDS] [--poll SECONDS]
                              [--unix-socket PATH]

        Prints the events of a Server-Sent Events stream (text/event-stream): live from a URL
        (reconnecting as a browser would, resuming with Last-Event-ID), or from a captured file
        or standard input. Streamdata-style streams (a JSON snapshot, then JSON Patch events) are
        checked as they go: a data event that is not JSON and patches that do not apply are
        reported, and a live stream is resynchronized (reconnected without Last-Event-ID) for a
        fresh snapshot. Events of other types that are not JSON are text, never an error.

        ARGUMENTS:
          <url | file | ->   An http(s) URL, a capture file, or - for standard input.

        OPTIONS:
          --jsonl            One JSON object per line, for scripts. Kinds:
                               event      type, id, data, bytes (+ ops, document with --document)
                               retry      ms
                               error      message (+ event, id, status where they apply)
                               connect    attempt, lastEventId          (URLs)
                               open       status, contentType           (URLs)
                               close      reason                        (URLs)
                               reconnect  delayMs                       (URLs)
                               poll       status, wireBytes, bytes, changed, patch,
                                          patchBytes, skipped (+ document)  (--poll)
                               summary    events, bytes, reconnects, errors, lastEventId,
                                          retryMs (null when never set); always last
                             Control characters are escaped, so the output is safe on a terminal.
          --document         Include the current JSON document after each event (and, with
                             --quiet, the final document in the summary).
          --quiet            Print only errors and the summary.
          --no-reconnect     End when the connection ends (URLs).
          --max-events N     End after N events.
          --timeout SECONDS  End after this long (URLs).
          --header 'Name: value'  A request header (URLs); repeat for more.
          --stall SECONDS    Reconnect after this long without a byte (URLs; default 90).
          --poll SECONDS     Poll the URL as JSON every SECONDS instead of streaming it; each
                             poll shows the patch a streaming proxy would have sent instead.
          --unix-socket PATH Connect through this Unix socket, as curl does (the URL gives the
                             path): 'tail --unix-socket ~/.local/state/streamtop/streamtop.sock
                             http://streamtop/v1/events --document' follows a running streamtop.
          -h, --help         Show this help.

        EXIT STATUS:
          0  the stream ended, or a limit was reached (errors in single events do not count)
          1  an unrecovered error: an unreadable file, or with --no-reconnect a failed
             connection (refused, an HTTP error, a wrong content type, too many redirects)
             or a document that went stale (it needed a fresh snapshot); with --poll,
             every poll failed
          2  a usage error

        EXAMPLES:
          streamtop tail https://streamdata.example.com/quotes
          streamtop tail --jsonl --max-events 10 http://127.0.0.1:8080/sse/quotes
          streamtop tail --jsonl --document --quiet capture.sse
          curl -sN -H 'Accept: text/event-stream' URL | streamtop tail --jsonl -
        """

    var source: String
    var jsonl = false
    var includeDocument = false
    var quiet = false
    var reconnect = true
    var maxEvents: Int?
    var timeout: Duration?
    var headers: [(name: String, value: String)] = []
    var stall: Duration = .seconds(90)
    var pollInterval: Duration?
    var unixSocket: String?

    var isURL: Bool {
        let lower = source.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    init(arguments: [String]) throws {
        let scanner = ArgumentScanner(
            flags: [
                "--jsonl": "jsonl", "--document": "document", "--quiet": "quiet", "-q": "quiet",
                "--no-reconnect": "no-reconnect", "--help": "help", "-h": "help",
            ],
            options: [
                "--max-events": "max-events", "--timeout": "timeout", "--header": "header", "-H": "header",
                "--stall": "stall", "--poll": "poll", "--unix-socket": "unix-socket",
            ])
        let scanned = try scanner.scan(arguments)
        if scanned.flags.contains("help") { throw HelpRequested() }
        guard let source = scanned.positionals.first else {
            throw UsageError("missing <url | file | ->: name a URL, a capture file, or - for standard input")
        }
        // `ftp://x` is a URL of a scheme streamtop never follows, not a file that is missing.
        if let scheme = source.range(of: "://").map({ source[..<$0.lowerBound] }), !scheme.isEmpty,
           scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }),
           !["http", "https"].contains(scheme.lowercased()) {
            throw UsageError("only http:// and https:// URLs are read, not \(Sanitizer.line(String(scheme)))://")
        }
        guard scanned.positionals.count == 1 else {
            throw UsageError("unexpected argument '\(scanned.positionals[1])': tail reads one source")
        }
        self.source = source
        jsonl = scanned.flags.contains("jsonl")
        includeDocument = scanned.flags.contains("document")
        quiet = scanned.flags.contains("quiet")
        reconnect = !scanned.flags.contains("no-reconnect")
        func positive(_ option: String) throws(UsageError) -> Int? {
            guard let text = scanned.options[option]?.last else { return nil }
            guard let value = Int(text), value > 0 else { throw UsageError("--\(option) takes a positive whole number, not '\(text)'") }
            return value
        }
        maxEvents = try positive("max-events")
        timeout = try positive("timeout").map { .seconds($0) }
        if let seconds = try positive("stall") { stall = .seconds(seconds) }
        pollInterval = try positive("poll").map { .seconds($0) }
        for header in scanned.options["header"] ?? [] {
            guard let colon = header.firstIndex(of: ":") else { throw UsageError("--header takes 'Name: value', not '\(Sanitizer.line(header))'") }
            headers.append((String(header[..<colon]), String(header[header.index(after: colon)...].drop { $0 == " " })))
        }
        unixSocket = scanned.options["unix-socket"]?.last
        if !isURL && (!headers.isEmpty || !reconnect || scanned.options["stall"] != nil || timeout != nil
                      || pollInterval != nil || unixSocket != nil) {
            throw UsageError(
                "--header, --stall, --timeout, --poll, --unix-socket and --no-reconnect apply to URLs only")
        }
    }

    func run(_ context: CommandContext) -> Int32 {
        if isURL { return TailURL(command: self).run(context) }
        return run(output: context.output, interrupted: context.interrupted)
    }

    func run(output: OutputSink, interrupted: () -> Bool = { false }) -> Int32 {
        var reader = TailReader()
        let worker = TailWorker(
            consumer: TailConsumer(renderer: TailRenderer(jsonl: jsonl, includeDocument: includeDocument, quiet: quiet), maxEvents: maxEvents),
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
            // A reader that went away (`| head`) ends it, as it would end `cat`.
            while !interrupted() && !output.isClosed {
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
