#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StreamCore

/// The streaming proxy (`--only proxy`, about a minute; issue 14): `streamtop run --headless`
/// in a process of its own polls a 47 KB JSON document that changes every second and serves it
/// as SSE to 1,000 clients (`ProxyUpstream`, `ProxyProcess`, `SSEClients`). Bytes sent per
/// change against what 1,000 polling clients would fetch, streamtop's CPU and memory, and the
/// delay from the upstream's answer to the first and last client's patch, against the same
/// clients reading the same bytes from `SSEFloor`; and streamtop's own counters against what the
/// clients counted.
enum ProxyBench {
    struct Options {
        var clients = 1_000
        /// Changes through streamtop, one a second.
        var seconds = 30
        /// Ticks of the floor, one a second.
        var floorSeconds = 20
    }

    /// What one phase's clients got, for each change: from the moment it was ready (the
    /// upstream's answer, the floor's tick) to the first and the last client's receipt.
    struct Deliveries {
        var toFirst: [Double] = []
        var toLast: [Double] = []
        /// Every client's delay for every change: thousands of samples, a steadier p99.
        var all: [Double] = []
        /// The patch bytes all clients received, per change.
        var bytes: [Int] = []
        /// (client, change) pairs that never arrived.
        var missing = 0
        var changes: Int { toLast.count }
    }

    /// What the proxy's phase measured.
    struct ProxyRun {
        var deliveries = Deliveries()
        var cpuShare = 0.0
        /// Resident bytes when the changes began (the clients connected and had the document).
        var residentBefore = 0
        var memory = (resident: 0, peak: 0)
        var documentBytes = 0
        /// The patch frames client 0 got, in order, and what came before them (retry, data).
        var opening: [UInt8] = []
        var frames: [[UInt8]] = []
        var right = true
    }

    @MainActor
    static func run(_ options: Options) -> Bool {
        ScaleBench.raiseFileLimit()
        let binary = ProxyProcess.binary()
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            print("Proxy: no streamtop binary at \(binary): `swift build -c release` first (or --streamtop PATH)")
            return false
        }
        // `swift run -c release streamtop-bench` builds this benchmark, not necessarily streamtop.
        let built = (try? FileManager.default.attributesOfItem(atPath: binary)[.modificationDate] as? Date)
            .map { " (built \($0))" } ?? ""
        print("Proxy: \(binary)\(built), \(options.clients) clients, \(options.seconds) changes, "
              + "\(options.floorSeconds) on the floor")
        guard var proxy = proxyPhase(options, binary: binary) else { return false }
        let floor = floorPhase(options, opening: proxy.opening, frames: proxy.frames)
        let stream = proxy.deliveries
        let polled = Double(options.clients * proxy.documentBytes)
        report(BenchResult(
            name: "Proxy: bytes per change, \(options.clients) clients", value: mean(stream.bytes), unit: "B",
            target: nil, baselineName: "\(options.clients) × the document (poll)", baselineValue: polled))
        report(BenchResult(
            name: "Proxy: CPU, 1 change/s", value: proxy.cpuShare * 100, unit: "%", target: nil,
            baselineName: "floor: an epoll loop", baselineValue: floor.cpuShare * 100, higherIsBetter: false))
        for share in [0.5, 0.99] {
            report(BenchResult(
                name: "Proxy: delay to the last client, p\(Int(share * 100))",
                value: ServiceBench.percentile(stream.toLast, share) * 1e3, unit: "ms", target: nil,
                baselineName: "floor", baselineValue: ServiceBench.percentile(floor.deliveries.toLast, share) * 1e3,
                higherIsBetter: false))
        }
        for (name, run) in [("streamtop", stream), ("floor", floor.deliveries)] {
            print(String(
                format: "  %@: %d changes to %d clients, %d patches missing; delay to the first client p50 %.2f ms, "
                    + "p99 %.2f ms; to the last p50 %.2f ms, p99 %.2f ms, max %.2f ms; all %d deliveries p50 %.2f ms, "
                    + "p99 %.2f ms", name, run.changes, options.clients, run.missing,
                ServiceBench.percentile(run.toFirst, 0.5) * 1e3, ServiceBench.percentile(run.toFirst, 0.99) * 1e3,
                ServiceBench.percentile(run.toLast, 0.5) * 1e3, ServiceBench.percentile(run.toLast, 0.99) * 1e3,
                (run.toLast.last ?? .nan) * 1e3, run.all.count, ServiceBench.percentile(run.all, 0.5) * 1e3,
                ServiceBench.percentile(run.all, 0.99) * 1e3))
        }
        print(String(
            format: "  streamtop: %.2f %% of a core (floor %.2f %%), RSS %@ (%@ when the changes began, peak %@); "
                + "a patch %.0f bytes a client, %.3f %% of the %d-byte document", proxy.cpuShare * 100,
            floor.cpuShare * 100, HumanUnits.bytes(proxy.memory.resident), HumanUnits.bytes(proxy.residentBefore),
            HumanUnits.bytes(proxy.memory.peak),
            mean(stream.bytes) / Double(options.clients), 100 * mean(stream.bytes) / polled, proxy.documentBytes))
        proxy.right = proxy.right && stream.missing == 0 && floor.deliveries.missing == 0
            && stream.changes >= options.seconds - 2
        print(proxy.right ? "  proxy: every client got every patch, documents and counters right" : "  proxy: MISSED")
        return proxy.right
    }

    // MARK: streamtop

    static func proxyPhase(_ options: Options, binary: String) -> ProxyRun? {
        let upstream = ProxyUpstream(changes: options.seconds + 5)
        defer { upstream.stop() }
        guard let proxy = ProxyProcess.start(binary: binary, url: "http://127.0.0.1:\(upstream.port)/quotes") else {
            return nil
        }
        defer { proxy.stop() }
        guard let clients = SSEClients(port: proxy.port, path: "/v1/streams/\(proxy.id)/sse", count: options.clients)
        else {
            print("  \(options.clients) clients could not connect to streamtop on port \(proxy.port)")
            return nil
        }
        defer { clients.stop() }
        guard waitUntil(seconds: 60, { clients.snapshot.receipts.count(where: { !$0.patch }) >= options.clients })
        else {
            print("  the clients did not all get the document")
            return nil
        }
        var run = ProxyRun()
        run.documentBytes = upstream.bodies[0].count
        run.residentBefore = proxy.memory().resident
        let cpu = proxy.cpuSeconds()
        let start = Loopback.now()
        upstream.startChanging(period: .seconds(1), count: options.seconds)
        Thread.sleep(forTimeInterval: Double(options.seconds))
        upstream.stopChanging()
        run.cpuShare = (proxy.cpuSeconds() - cpu) / (Double(Loopback.now() - start) / 1e9)
        run.memory = proxy.memory()
        // The next poll fetches the last change (the one after, a 304); then every client has it,
        // or never will.
        let answered = upstream.answers
        _ = waitUntil(seconds: 5) { upstream.answers > answered + 1 }
        let last = upstream.written.last?.tick ?? 0
        let patches = upstream.written.count - 1  // the first answer is the document
        _ = waitUntil(seconds: 5) { clients.snapshot.receipts.count(where: \.patch) >= patches * options.clients }
        let got = clients.snapshot
        let written = upstream.written
        run.right = checkCounters(proxy, clients, written: written, bodies: upstream.bodies)
        // Which change each patch carried: client 0's documents against the upstream's bodies.
        guard let changes = ticks(of: got.firstBody, bodies: upstream.bodies, through: last) else {
            run.right = false
            return run
        }
        var origins: [Int: UInt64] = [:]
        for (id, tick) in changes {
            origins[id] = written.first { $0.tick == tick }?.at
        }
        run.deliveries = deliveries(got.receipts, origins: origins, clients: options.clients)
        (run.opening, run.frames) = split(got.firstBody)
        return run
    }

    /// streamtop's `served` counters against what the clients counted; true when they agree.
    static func checkCounters(
        _ proxy: ProxyProcess, _ clients: SSEClients, written: [ProxyUpstream.Written], bodies: [[UInt8]]
    ) -> Bool {
        // What the clients would have fetched by polling: every body the poller fetched, each.
        let polled = written.reduce(0) { $0 + bodies[$1.tick].count } * clients.count
        var served: JSONValue?
        var received = 0
        // The counters are published with the stream's status: read until they hold still.
        func int(_ key: String) -> Int { served?[key]?.numberValue?.intValue ?? -1 }
        for _ in 0..<20 {
            served = proxy.served()
            received = clients.snapshot.bodyBytes
            if int("sentBytes") == received { break }
            usleep(200_000)
        }
        let right = int("clients") == clients.count && int("sentBytes") == received && int("pollBytes") == polled
            && int("dropped") == 0
        let savings = served?["savings"]?.numberValue?.doubleValue ?? .nan
        print(String(
            format: "  streamtop's counters: %d clients, %d connections, %d dropped, %d polls; sent %@ (the clients "
                + "read %@), would-be polled %@ (the upstream's bodies × clients: %@), savings %.4f: %@",
            int("clients"), int("connections"), int("dropped"), int("polls"), HumanUnits.bytes(int("sentBytes")),
            HumanUnits.bytes(received), HumanUnits.bytes(int("pollBytes")), HumanUnits.bytes(polled), savings,
            right ? "agree" : "DISAGREE"))
        return right
    }

    // MARK: The floor

    static func floorPhase(_ options: Options, opening: [UInt8], frames: [[UInt8]])
        -> (deliveries: Deliveries, cpuShare: Double) {
        let frames = Array(frames.prefix(options.floorSeconds))
        let floor = SSEFloor(opening: opening, frames: frames, period: .seconds(1))
        guard let clients = SSEClients(port: floor.port, path: "/", count: options.clients) else {
            print("  \(options.clients) clients could not connect to the floor")
            _ = floor.stop()
            return (Deliveries(missing: options.clients), .nan)
        }
        _ = waitUntil(seconds: 30) { clients.snapshot.receipts.count >= options.clients }
        floor.go()
        _ = waitUntil(seconds: Double(frames.count + 5)) {
            clients.snapshot.receipts.count(where: \.patch) >= frames.count * options.clients
        }
        let got = clients.snapshot
        clients.stop()
        let results = floor.stop()
        var origins: [Int: UInt64] = [:]
        for (frame, at) in zip(frames, results.ticks) {
            if let id = SSEClients.header(frame[...])?.id { origins[id] = at }
        }
        let cpu = (results.cpuAtTicks.last ?? 0) - (results.cpuAtTicks.first ?? 0)
        let seconds = Double((results.ticks.last ?? 0) - (results.ticks.first ?? 0)) / 1e9
        return (deliveries(got.receipts, origins: origins, clients: options.clients), cpu / seconds)
    }

    // MARK: Pieces

    /// The deliveries of the patches whose ids `origins` holds, each from its origin.
    static func deliveries(_ receipts: [SSEClients.Receipt], origins: [Int: UInt64], clients: Int) -> Deliveries {
        var result = Deliveries()
        var byID: [Int: (first: UInt64, last: UInt64, count: Int, bytes: Int)] = [:]
        for receipt in receipts where receipt.patch && origins[receipt.id] != nil {
            var entry = byID[receipt.id] ?? (.max, 0, 0, 0)
            entry = (min(entry.first, receipt.at), max(entry.last, receipt.at), entry.count + 1,
                     entry.bytes + receipt.bytes)
            byID[receipt.id] = entry
            result.all.append(Double(Int64(bitPattern: receipt.at &- origins[receipt.id]!)) / 1e9)
        }
        for (id, origin) in origins {
            guard let entry = byID[id] else {
                result.missing += clients
                continue
            }
            result.missing += clients - entry.count
            result.toFirst.append(Double(Int64(bitPattern: entry.first &- origin)) / 1e9)
            result.toLast.append(Double(Int64(bitPattern: entry.last &- origin)) / 1e9)
            result.bytes.append(entry.bytes)
        }
        result.toFirst.sort()
        result.toLast.sort()
        result.all.sort()
        return result
    }

    /// The upstream change (index into `bodies`) each patch of `body` brought the document to,
    /// by id; nil, after saying so, when a document matches none of the bodies in order.
    static func ticks(of body: [UInt8], bodies: [[UInt8]], through last: Int) -> [(id: Int, tick: Int)]? {
        let documents = bodies.prefix(last + 1).map { try? JSONParser.parse($0) }
        var parser = SSEParser()
        var document: JSONValue?
        var tick = -1
        var ticks: [(id: Int, tick: Int)] = []
        for item in parser.feed(body) {
            guard case .event(let event) = item, event.type == "data" || event.type == "patch" else { continue }
            if event.type == "data" {
                document = try? JSONParser.parse(event.data)
            } else if let patch = try? JSONPatch(text: event.data), document != nil {
                _ = try? document!.apply(patch)
            }
            guard let match = documents.indices.first(where: { $0 > tick && documents[$0] == document }) else {
                print("  client 0's document after event \(event.lastEventID) is none of the upstream's after "
                      + "change \(tick)")
                return nil
            }
            tick = match
            if event.type == "patch", let id = Int(event.lastEventID) { ticks.append((id, tick)) }
        }
        guard tick == last else {
            print("  client 0's last document is the upstream's after change \(tick), not \(last)")
            return nil
        }
        return ticks
    }

    /// A body's patch frames in order, and all that came before the first (retry, data).
    static func split(_ body: [UInt8]) -> (opening: [UInt8], frames: [[UInt8]]) {
        var opening: [UInt8] = []
        var frames: [[UInt8]] = []
        var start = 0
        for index in body.indices.dropFirst() where body[index] == 10 && body[index - 1] == 10 {
            let frame = Array(body[start...index])
            start = index + 1
            let header = SSEClients.header(frame[...])
            if header?.patch == true {
                frames.append(frame)
            } else if frames.isEmpty, header != nil || frame.starts(with: "retry:".utf8) {
                opening += frame  // not the heartbeats
            }
        }
        return (opening, frames)
    }

    static func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    static func mean(_ values: [Int]) -> Double {
        values.isEmpty ? .nan : Double(values.reduce(0, +)) / Double(values.count)
    }
}
