import Foundation
import StreamCore

/// One `/v1/events` client in a process of its own (`streamtop-bench --subscribe SOCKET SECONDS`),
/// so that what it costs to receive does not count in the engine's CPU. It prints
/// `ready BYTES` once the first event (the whole body) has arrived, then reads for SECONDS and
/// prints `done BYTES EVENTS PATCHES SECONDS`: what arrived after the first event.
enum EventsSubscriber {
    struct Totals {
        var firstBytes = 0
        var bytes = 0
        var events = 0
        var patches = 0
        var seconds = 0.0
    }

    static func child(_ arguments: [String]) -> Never {
        guard arguments.count >= 2, let seconds = Double(arguments[1]) else {
            print("streamtop-bench: --subscribe takes a socket's path and a number of seconds")
            exit(2)
        }
        do {
            let client = try UnixHTTPClient(path: arguments[0])
            try client.send("GET /v1/events HTTP/1.1\r\nHost: streamtop\r\n\r\n")
            let headEnd = try client.readUntilHeadEnds()
            var input = client.takeInput()
            input.removeFirst(headEnd + 4)
            var parser = SSEParser()
            var totals = Totals()
            var counted = 0
            func feed(_ bytes: [UInt8]) {
                for item in parser.feed(bytes) {
                    guard case .event(let event) = item else { continue }
                    counted += 1
                    if counted > 1 {
                        totals.events += 1
                        if event.type == "patch" { totals.patches += 1 }
                    }
                }
            }
            // The first event: `retry`, then the whole body as `event: data`.
            totals.firstBytes = input.count
            feed(input)
            while counted == 0 {
                try client.fill()
                let bytes = client.takeInput()
                totals.firstBytes += bytes.count
                feed(bytes)
            }
            FileHandle.standardOutput.write(Data("ready \(totals.firstBytes)\n".utf8))
            let clock = ContinuousClock()
            let start = clock.now
            while Measure.seconds(clock.now - start) < seconds {
                try client.fill()
                let bytes = client.takeInput()
                totals.bytes += bytes.count
                feed(bytes)
            }
            totals.seconds = Measure.seconds(clock.now - start)
            print("done \(totals.bytes) \(totals.events) \(totals.patches) \(totals.seconds)")
            exit(0)
        } catch {
            print("failed \(error)")
            exit(1)
        }
    }

    /// A running child: `ready` has been read.
    struct Running {
        let process: Process
        let output: FileHandle
        let firstBytes: Int
        private var pending: [UInt8] = []

        /// Starts `streamtop-bench --subscribe` and waits for its first event.
        init(socket: String, seconds: Double) throws(UnixHTTPClient.Failure) {
            process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            process.arguments = ["--subscribe", socket, String(seconds)]
            let pipe = Pipe()
            process.standardOutput = pipe
            output = pipe.fileHandleForReading
            do {
                try process.run()
            } catch {
                throw UnixHTTPClient.Failure(description: "cannot start the subscriber: \(error)")
            }
            let line = EventsSubscriber.line(from: output, pending: &pending).split(separator: " ")
            guard line.count == 2, line[0] == "ready", let first = Int(line[1]) else {
                throw UnixHTTPClient.Failure(description: "the subscriber said \(line.joined(separator: " "))")
            }
            firstBytes = first
        }

        /// Waits for the child's totals.
        mutating func finish() throws(UnixHTTPClient.Failure) -> Totals {
            let line = EventsSubscriber.line(from: output, pending: &pending).split(separator: " ")
            process.waitUntilExit()
            guard line.count == 5, line[0] == "done", let bytes = Int(line[1]), let events = Int(line[2]),
                  let patches = Int(line[3]), let seconds = Double(line[4])
            else {
                throw UnixHTTPClient.Failure(description: "the subscriber said \(line.joined(separator: " "))")
            }
            return Totals(firstBytes: firstBytes, bytes: bytes, events: events, patches: patches, seconds: seconds)
        }
    }

    /// The next line the child writes (empty when it ends first).
    static func line(from handle: FileHandle, pending: inout [UInt8]) -> String {
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                defer { pending.removeFirst(newline + 1) }
                return String(decoding: pending[0..<newline], as: UTF8.self)
            }
            let data = handle.availableData
            if data.isEmpty {
                defer { pending = [] }
                return String(decoding: pending, as: UTF8.self)
            }
            pending += data
        }
    }
}
