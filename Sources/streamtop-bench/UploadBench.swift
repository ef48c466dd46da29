import Foundation
import StreamCore
import StreamEngine

/// Archive uploads: streams on LocalServer archiving short segments, sent to a loopback S3
/// (moto, its auth left off); segments uploaded a second, and the engine's CPU with uploads
/// against the same run without (two phases, one engine each).
enum UploadBench {
    struct Options {
        var streams = 1_000
        /// Seconds each phase is measured (rounded up to whole segments), after a warm-up of a
        /// segment and a few seconds.
        var window = 30.0
        var segmentSeconds = 10
        /// Pairs of phases (without, then with uploads).
        var rounds = 2
    }

    struct Phase {
        var cpuShare: Double
        var uploaded: Int
        var uploadedBytes: Int64
        var failed: Int
        /// Segments waiting for an upload at the end of the window.
        var waiting: Int
        var seconds: Double
    }

    static let bucket = "streamtop-bench"

    /// A free loopback port (bound, read, released).
    static func freePort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(fd, $0, length)
                _ = getsockname(fd, $0, &length)
            }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    static func isMotoInstalled() -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/moto_server") }
    }

    /// `curl -X PUT` of the bucket, with the header moto routes to S3 by: HTTP status, or 0.
    static func createBucket(port: UInt16) -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "-H",
            "Authorization: AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host, Signature=0", "http://127.0.0.1:\(port)/\(bucket)",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return 0 }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Int(String(decoding: output, as: UTF8.self)) ?? 0
    }

    /// One phase: an engine of `options.streams` streams with a state directory of its own,
    /// uploading to `endpoint` when given.
    /// The state directory is left for the caller to remove once every phase ran: ext4 makes
    /// the files created after many were deleted cost more (`recently_deleted` while it picks
    /// an inode), so removing one phase's files would weigh on the next phase.
    static func phase(_ options: Options, serverPort: UInt16, endpoint: String?, state: String) -> Phase {
        var storage = StorageLimits()
        storage.archiveSegmentSeconds = options.segmentSeconds
        let upload = endpoint.map { endpoint in
            let location = try! S3Location("s3://\(bucket)/bench", endpoint: endpoint, region: "us-east-1")
            let credentials = AWSCredentials(accessKeyID: "bench", secretAccessKey: "bench", source: "bench")
            return ArchiveUploadSettings(keepLocal: false) { loop in
                S3Client(location: location, credentials: credentials, loop: loop)
            }
        }
        let specs = (0..<options.streams).map {
            StreamSpec(id: "s\($0)", name: "s\($0)", url: "http://127.0.0.1:\(serverPort)/sse/ticker", autostart: true)
        }
        let engine = try! Engine(specs: specs, stateDirectory: state, storage: storage, upload: upload)
        engine.startAutostart()
        // Segments end on the wall clock's multiples of their length, all streams' at once, and
        // are compressed and sent in the seconds after: the window begins half a second before
        // such an end (past a warm-up) and lasts whole segments, so that it holds whole bursts.
        Thread.sleep(forTimeInterval: Double(options.segmentSeconds) + 3)
        let now = Date().timeIntervalSince1970
        let length = Double(options.segmentSeconds)
        var start = (now / length).rounded(.up) * length - 0.5
        if start < now + 0.1 { start += length }
        Thread.sleep(forTimeInterval: start - now)
        let before = engine.uploader?.current
        let cpuBefore = ScaleBench.cpuSeconds()
        let clock = ContinuousClock()
        let began = clock.now
        Thread.sleep(forTimeInterval: (options.window / length).rounded(.up) * length)
        let seconds = Measure.seconds(clock.now - began)
        let cpu = ScaleBench.cpuSeconds() - cpuBefore
        let after = engine.uploader?.current
        engine.shutdown()
        return Phase(
            cpuShare: cpu / seconds,
            uploaded: (after?.uploadedSegments ?? 0) - (before?.uploadedSegments ?? 0),
            uploadedBytes: Int64((after?.uploadedBytes ?? 0) - (before?.uploadedBytes ?? 0)),
            failed: after?.failures ?? 0, waiting: after?.waitingSegments ?? 0, seconds: seconds)
    }

    /// The section; false when uploads fell short (failures, or fewer than the segments made).
    static func run(_ options: Options) -> Bool {
        guard isMotoInstalled() else {
            print("Uploads: moto_server is not installed (pip install 'moto[server]'): skipped")
            return true
        }
        ScaleBench.raiseFileLimit()
        let motoPort = freePort()
        let moto = Process()
        moto.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        moto.arguments = ["moto_server", "-H", "127.0.0.1", "-p", String(motoPort)]
        moto.standardOutput = FileHandle.nullDevice
        moto.standardError = FileHandle.nullDevice
        try! moto.run()
        defer {
            moto.terminate()
            moto.waitUntilExit()
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while createBucket(port: motoPort) != 200 {
            guard ContinuousClock.now < deadline else {
                print("Uploads: moto_server did not answer on port \(motoPort) within 30 s: skipped")
                return false
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let server = ScaleBench.startServer(period: .seconds(1))
        defer { server.stop() }
        let offered = Double(options.streams) / Double(options.segmentSeconds)
        print(String(format: "Uploads: %d streams at 1 event/s, %d s segments (%.0f segments/s made), "
                     + "%.0f s each phase, %d rounds:", options.streams, options.segmentSeconds, offered,
                     options.window, options.rounds))
        var withouts: [Phase] = []
        var withs: [Phase] = []
        let states = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-upload-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: states) }
        for round in 0..<options.rounds {
            withouts.append(phase(options, serverPort: server.port, endpoint: nil, state: "\(states)/local\(round)"))
            let endpoint = "http://127.0.0.1:\(motoPort)"
            withs.append(phase(options, serverPort: server.port, endpoint: endpoint, state: "\(states)/s3\(round)"))
        }
        // The least disturbed round of each (the other process on a 2-core machine only adds).
        let without = withouts.min { $0.cpuShare < $1.cpuShare }!
        let with = withs.min { $0.cpuShare < $1.cpuShare }!
        print(String(format: "  engine CPU by round: %@ with uploads, %@ without",
                     withs.map { String(format: "%.1f %%", $0.cpuShare * 100) }.joined(separator: ", "),
                     withouts.map { String(format: "%.1f %%", $0.cpuShare * 100) }.joined(separator: ", ")))
        let seconds = withs.reduce(0) { $0 + $1.seconds }
        let rate = Double(withs.reduce(0) { $0 + $1.uploaded }) / seconds
        let bytesRate = Double(withs.reduce(0) { $0 + $1.uploadedBytes }) / seconds
        let failed = withs.reduce(0) { $0 + $1.failed }
        let waiting = withs.map(\.waiting).max() ?? 0
        print(String(format: "  %.1f segments/s uploaded to moto (%.0f KB/s, %d failures, at most %d waiting at a "
                     + "window's end); engine CPU %.1f %% of one core with uploads, %.1f %% without (%+.1f points)",
                     rate, bytesRate / 1e3, failed, waiting,
                     with.cpuShare * 100, without.cpuShare * 100, (with.cpuShare - without.cpuShare) * 100))
        let keptUp = rate >= 0.9 * offered && failed == 0
        print(keptUp ? "  uploads kept up with the segments made" : "  uploads: FELL BEHIND or failed")
        return keptUp
    }
}
