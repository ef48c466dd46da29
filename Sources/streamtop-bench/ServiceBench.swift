import Foundation
import StreamCore
import StreamEngine
import StreamService
import Synchronization

/// The control API in front of many live streams (`--only service`): an engine with 5,000 SSE
/// streams at one event a second against the scale benchmark's server (in a child process) and
/// its `ControlService` on the Unix socket, measured as clients see it. The engine writes
/// status.json once a second, as `run` does.
enum ServiceBench {
    struct Options {
        var streams = 5_000
        /// `GET /v1/streams` requests (and as many in-process builds).
        var listRequests = 30
        var clients = 100
        /// 30,000 requests in all: long enough to span the engine's once-a-second burst several times.
        var requestsPerClient = 300
        var singleClientRequests = 3_000
        /// Each window of the CPU comparison, and the `/v1/events` client's reading time.
        var window: Double = 15
        /// Pairs of windows (without a client, with one).
        var rounds = 2
    }

    /// A running engine, its service, and the server its streams read from.
    struct Setup {
        let server: ScaleBench.Server
        let engine: Engine
        let service: ControlService
        /// Writes status.json once a second, as `run`'s chores do.
        let chores: DispatchSourceTimer
        let directory: String
        /// Streams that received a patch before the measurements began.
        let receiving: Int
        var socket: String { ControlService.socketPath(stateDirectory: directory) }

        func stop() {
            chores.cancel()
            service.stop()
            engine.shutdown()
            server.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Every measurement; false when one failed outright (a wrong status, a lost client).
    @MainActor
    static func run(_ options: Options) -> Bool {
        let setup = start(streams: options.streams)
        defer { setup.stop() }
        var right = setup.receiving == options.streams
        let size = list(setup, requests: options.listRequests, right: &right)
        concurrentGets(setup, options, right: &right)
        eventsAndCPU(setup, options, listSize: size, right: &right)
        return right
    }

    static func start(streams count: Int) -> Setup {
        ScaleBench.raiseFileLimit()
        let server = ScaleBench.startServer(period: .seconds(1))
        // Short: a Unix socket's path must fit in 108 bytes. Logs and archives are written
        // under it, as `run` does.
        let directory = "/tmp/st-bench-\(getpid())"
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let specs = (0..<count).map {
            StreamSpec(id: "s\($0)", name: "s\($0)", url: "http://127.0.0.1:\(server.port)/sse/ticker", autostart: true)
        }
        let engine = try! Engine(specs: specs, stateDirectory: directory)
        let service = try! ControlService(engine: engine, options: ControlService.Options(stateDirectory: directory))
        engine.startAutostart()
        let chores = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "bench.chores"))
        chores.schedule(deadline: .now() + 1, repeating: 1)
        let wall = SystemWallClock()
        chores.setEventHandler { _ = try? engine.writeStatusIfMoved(at: wall.now()) }
        chores.resume()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, engine.store.latest().snapshots.filter({ $0.metrics.snapshots > 0 }).count < count {
            usleep(200_000)
        }
        Thread.sleep(forTimeInterval: 2)  // a patch or two each, so that every STATUS has numbers
        let open = engine.store.latest().snapshots.filter { $0.metrics.patches > 0 }.count
        print("Service: \(count) SSE streams at 1 event/s, \(open) receiving patches; the API on \(directory)")
        return Setup(
            server: server, engine: engine, service: service, chores: chores, directory: directory, receiving: open)
    }

    // MARK: GET /v1/streams

    /// Over the socket against the same body built in-process, alternately: back to back (the
    /// streams that published in between are built again), then a second apart (every stream
    /// published: all of it is built). The body's size.
    @MainActor
    static func list(_ setup: Setup, requests: Int, right: inout Bool) -> Int {
        let client = try! UnixHTTPClient(path: setup.socket)
        // The in-process baselines: the service's own path (a body with its own cache, which
        // sees the same streams move), and the body built whole, as it was before the cache.
        let cached = StatusBody(time: SystemScheduler(), wall: SystemWallClock())
        let clock = ContinuousClock()
        func round(pause: Double, requests: Int, whole: Bool) -> (served: [Double], built: [Double], size: Int)? {
            var served: [Double] = []
            var built: [Double] = []
            var size = 0
            for index in 0...requests {
                if pause > 0 { Thread.sleep(forTimeInterval: pause) }
                let start = clock.now
                guard let (status, bytes) = try? client.get("/v1/streams"), status == 200 else { return nil }
                let middle = clock.now
                let (version, snapshots) = setup.engine.store.latest()
                let disk = setup.engine.store.disk
                let local = whole
                    ? JSONWriter.data(cached.streams(version: version, snapshots: snapshots, disk: disk))
                    : cached.data(version: version, snapshots: snapshots, disk: disk)
                let end = clock.now
                blackHole(local)
                guard index > 0 else { continue }  // a warm-up
                served.append(Measure.seconds(middle - start))
                built.append(Measure.seconds(end - middle))
                size = bytes.count
            }
            return (served.sorted(), built.sorted(), size)
        }
        guard let listed = try? client.get("/v1/streams"), listed.status == 200,
              let count = (try? JSONParser.parse(listed.body))?["streams"]?.arrayValue?.count,
              let fast = round(pause: 0, requests: requests, whole: false),
              let slow = round(pause: 1.2, requests: max(3, requests / 4), whole: true)
        else {
            right = false
            print("  GET /v1/streams failed")
            return 0
        }
        report(BenchResult(
            name: "GET /v1/streams, back to back", value: median(fast.served) * 1e3, unit: "ms", target: 50,
            baselineName: "in-process, its own cache", baselineValue: median(fast.built) * 1e3, higherIsBetter: false))
        report(BenchResult(
            name: "GET /v1/streams, 1 s apart", value: median(slow.served) * 1e3, unit: "ms", target: 50,
            baselineName: "streams + JSONWriter", baselineValue: median(slow.built) * 1e3, higherIsBetter: false))
        print(String(
            format: "  %d streams; medians of %d and %d; max %.1f ms and %.1f ms (in-process %.1f and %.1f); "
                + "body %@ (%d bytes, %d a stream)", count, fast.served.count, slow.served.count,
            fast.served.last! * 1e3, slow.served.last! * 1e3, fast.built.last! * 1e3, slow.built.last! * 1e3,
            HumanUnits.bytes(slow.size), slow.size, slow.size / max(1, count)))
        right = right && count == setup.engine.store.latest().snapshots.count
        return slow.size
    }

    // MARK: GET /v1/streams/{id}, many clients at once

    /// Back to back from 100 clients (each sends its next request when the answer arrives),
    /// against one client; then what bounds it: the same load on a path the API does not have
    /// (the transport and a small error answer alone), the same load on `FloorServer` (what
    /// the machine allows any server), and 100 clients that pause 100 ms between requests
    /// (1,000 a second in all).
    @MainActor
    static func concurrentGets(_ setup: Setup, _ options: Options, right: inout Bool) {
        let streams = options.streams
        let one: @Sendable (Int) -> String = { "/v1/streams/s\($0 % streams)" }
        guard let single = latencies(setup, clients: 1, each: options.singleClientRequests, path: one),
              let many = latencies(setup, clients: options.clients, each: options.requestsPerClient, path: one),
              let missing = latencies(
                setup, clients: options.clients, each: options.requestsPerClient, path: { _ in "/v1/nothing" },
                status: 404),
              let paced = latencies(
                setup, clients: options.clients, each: options.requestsPerClient / 2, path: one, pause: 0.1)
        else {
            right = false
            print("  GET /v1/streams/{id} failed")
            return
        }
        let floorServer = FloorServer(path: setup.directory + "/floor.sock")
        let floor = latencies(
            socket: floorServer.path, clients: options.clients, each: options.requestsPerClient,
            path: { _ in "/" }, status: 404)
        floorServer.stop()
        guard let floor else {
            right = false
            print("  the floor server failed")
            return
        }
        report(BenchResult(
            name: "GET /v1/streams/{id} p99, \(options.clients) clients", value: percentile(many.times, 0.99) * 1e3,
            unit: "ms", target: 5, baselineName: "a bare epoll server",
            baselineValue: percentile(floor.times, 0.99) * 1e3, higherIsBetter: false))
        for (name, run) in [
            ("\(options.clients) clients", many), ("1 client", single),
            ("\(options.clients) clients, a 404", missing),
            ("\(options.clients) clients, a bare epoll server's 404", floor),
            ("\(options.clients) clients, 100 ms apart", paced),
        ] {
            print(String(
                format: "  %@: %d requests, %.0f a second: p50 %.2f ms, p99 %.2f ms, max %.1f ms", name,
                run.times.count, Double(run.times.count) / run.seconds, percentile(run.times, 0.5) * 1e3,
                percentile(run.times, 0.99) * 1e3, run.times.last! * 1e3))
        }
    }

    /// Every request's time, sorted, and the seconds they took in all: `clients` threads with a
    /// keep-alive connection each, started together, each sending `each` requests for
    /// `path(random)` with `pause` seconds between them; nil when an answer is not `status`.
    static func latencies(
        _ setup: Setup, clients: Int, each: Int, path: @escaping @Sendable (Int) -> String, status: Int = 200,
        pause: Double = 0
    ) -> (times: [Double], seconds: Double)? {
        latencies(socket: setup.socket, clients: clients, each: each, path: path, status: status, pause: pause)
    }

    /// The same against the server on `socket`.
    static func latencies(
        socket: String, clients: Int, each: Int, path: @escaping @Sendable (Int) -> String, status: Int = 200,
        pause: Double = 0
    ) -> (times: [Double], seconds: Double)? {
        let times = Mutex<[Double]>([])
        let failed = Atomic(false)
        let connected = DispatchGroup()
        let finished = DispatchGroup()
        let go = DispatchSemaphore(value: 0)
        for index in 0..<clients {
            connected.enter()
            finished.enter()
            let thread = Thread {
                defer { finished.leave() }
                let client = try? UnixHTTPClient(path: socket)
                connected.leave()
                go.wait()
                guard let client else { return failed.store(true, ordering: .relaxed) }
                var random = SplitMix64(seed: UInt64(index + 1))
                let clock = ContinuousClock()
                var mine: [Double] = []
                mine.reserveCapacity(each)
                for _ in 0..<each {
                    if pause > 0 { Thread.sleep(forTimeInterval: pause * Double.random(in: 0.5...1.5, using: &random)) }
                    let target = path(Int.random(in: 0..<Int(Int32.max), using: &random))
                    let start = clock.now
                    guard let answer = try? client.get(target), answer.status == status else {
                        return failed.store(true, ordering: .relaxed)
                    }
                    mine.append(Measure.seconds(clock.now - start))
                }
                times.withLock { $0 += mine }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        connected.wait()
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<clients { go.signal() }
        finished.wait()
        guard !failed.load(ordering: .relaxed) else { return nil }
        return (times.withLock { $0 }.sorted(), Measure.seconds(clock.now - start))
    }

    // MARK: /v1/events: what one client receives, and what it costs the engine

    @MainActor
    static func eventsAndCPU(_ setup: Setup, _ options: Options, listSize: Int, right: inout Bool) {
        guard options.rounds > 0 else { return }
        var without: [Double] = []
        var with: [Double] = []
        var received: [EventsSubscriber.Totals] = []
        for _ in 0..<options.rounds {
            let before = ScaleBench.cpuSeconds()
            let start = Date()
            Thread.sleep(forTimeInterval: options.window)
            without.append((ScaleBench.cpuSeconds() - before) / Date().timeIntervalSince(start))
            do {
                var subscriber = try EventsSubscriber.Running(socket: setup.socket, seconds: options.window)
                let before = ScaleBench.cpuSeconds()
                let start = Date()
                let totals = try subscriber.finish()
                with.append((ScaleBench.cpuSeconds() - before) / Date().timeIntervalSince(start))
                received.append(totals)
            } catch {
                right = false
                print("  /v1/events: \(error)")
                return
            }
        }
        let rates = received.map { Double($0.bytes) / $0.seconds }
        let rate = rates.sorted()[rates.count / 2]
        report(BenchResult(
            name: "/v1/events, 1 client", value: rate, unit: "B/s", target: nil,
            baselineName: "GET /v1/streams each second", baselineValue: Double(listSize)))
        for totals in received {
            print(String(
                format: "  first event %@; then %.1f s: %@ (%.0f B/s), %d events, %.1f patches/s; "
                    + "%.2f %% of polling the whole body every second", HumanUnits.bytes(totals.firstBytes),
                totals.seconds, HumanUnits.bytes(totals.bytes), Double(totals.bytes) / totals.seconds,
                totals.events, Double(totals.patches) / totals.seconds,
                100 * Double(totals.bytes) / totals.seconds / Double(max(1, listSize))))
        }
        let ratios = zip(with, without).map { $0 / $1 }
        let meanWith = with.reduce(0, +) / Double(with.count)
        let meanWithout = without.reduce(0, +) / Double(without.count)
        report(BenchResult(
            name: "Engine CPU, 1 /v1/events client", value: meanWith * 100, unit: "%", target: 1.2 * meanWithout * 100,
            baselineName: "no client", baselineValue: meanWithout * 100, higherIsBetter: false))
        print("  pairs of \(Int(options.window)) s windows (without, with): "
            + zip(without, with).map { String(format: "%.1f %% / %.1f %%", $0 * 100, $1 * 100) }
                .joined(separator: ", ")
            + "; ratio " + ratios.map { String(format: "%.2f×", $0) }.joined(separator: ", ") + " (target ≤ 1.2×)")
    }

    // MARK: Statistics

    static func median(_ sorted: [Double]) -> Double { percentile(sorted, 0.5) }

    static func percentile(_ sorted: [Double], _ share: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * share).rounded()))]
    }
}
