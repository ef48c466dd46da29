import Foundation
import StreamCLI
import LocalServer
import StreamCore
import StreamEngine
import StreamService

// streamtop-bench: throughput of the core against baselines measured in the same run.
// Run with `swift run -c release streamtop-bench`. Targets are for the 2-core CI machine.

/// The end-to-end capture: a 47 KB snapshot, then 100,000 patches (and a heartbeat comment
/// every 5,000). Returns the text and the final document the model expects.
func makeCapture() -> (text: String, expected: JSONValue) {
    var streamFeed = QuoteFeed(seed: 3)
    var capture = "retry: 2000\nevent: data\nid: 0\ndata: \(streamFeed.documentText)\n\n"
    for i in 1...100_000 {
        capture += "event: patch\nid: \(i)\ndata: \(streamFeed.nextPatch())\n\n"
        if i % 5000 == 0 { capture += ": heartbeat\n\n" }
    }
    return (capture, try! JSONParser.parse(streamFeed.documentText))
}

// `--write-capture PATH` writes the end-to-end capture and exits, for profiling `streamtop tail`.
if let flag = CommandLine.arguments.firstIndex(of: "--write-capture"), flag + 1 < CommandLine.arguments.count {
    let path = CommandLine.arguments[flag + 1]
    guard FileManager.default.createFile(atPath: path, contents: Data(makeCapture().text.utf8)) else {
        print("streamtop-bench: cannot write \(path)")
        exit(1)
    }
    exit(0)
}

// `--write-archive STATE_DIR MB` writes the archive benchmark's archive and exits, for profiling
// `streamtop report --state-dir STATE_DIR --since 2026-11-19 --until 2026-11-22`.
if let flag = CommandLine.arguments.firstIndex(of: "--write-archive"), flag + 2 < CommandLine.arguments.count,
   let megabytes = Int(CommandLine.arguments[flag + 2])
{
    let archive = ArchiveBench.generate(megabytes: megabytes, state: CommandLine.arguments[flag + 1])
    print("\(archive.segments.count) segments, \(archive.bytes) bytes uncompressed, \(archive.lines) lines")
    exit(0)
}

// `--profile-ui N`: N monitor frames of 1,000 streams, for callgrind.
if let flag = CommandLine.arguments.firstIndex(of: "--profile-ui"), flag + 1 < CommandLine.arguments.count, let frames = Int(CommandLine.arguments[flag + 1]) {
    MonitorBench.profile(frames: frames)
    exit(0)
}

// `--profile parse|parse-tree|write|tree-write|apply|diff|tree-diff|tail N` runs exactly N iterations of one
// operation on the quote document (`tail`: of the capture) and exits: a fixed amount of work, for
// `valgrind --tool=callgrind` or `perf`.
if let flag = CommandLine.arguments.firstIndex(of: "--profile"), flag + 2 < CommandLine.arguments.count,
   let iterations = Int(CommandLine.arguments[flag + 2])
{
    var profileFeed = QuoteFeed(seed: 1)
    let text = Array(profileFeed.documentText.utf8)
    let parsed = try! JSONParser.parse(text)
    var checksum = 0
    switch CommandLine.arguments[flag + 1] {
    case "parse":
        for _ in 0..<iterations { checksum &+= (try! JSONParser.parse(text)).objectValue!.count }
    case "parse-tree":
        for _ in 0..<iterations { checksum &+= (try! JSONTree(parsing: text)).root.count }
    case "write":
        for _ in 0..<iterations { checksum &+= JSONWriter.data(parsed).count }
    case "tree-write":
        let tree = JSONTree(parsed)
        for _ in 0..<iterations { checksum &+= JSONWriter.data(tree).count }
    case "apply":
        let patches = (0..<iterations).map { _ in try! JSONPatch(text: profileFeed.nextPatch()) }
        var document = parsed
        for patch in patches { checksum &+= (try! document.apply(patch)) ? 1 : 0 }
    case "diff":
        var a = parsed
        for _ in 0..<iterations {
            _ = profileFeed.nextPatch()
            let b = try! JSONParser.parse(profileFeed.documentText)
            checksum &+= JSONDiff.diff(from: a, to: b).count
            a = b
        }
    case "tree-diff":
        var a = JSONTree(parsed)
        for _ in 0..<iterations {
            _ = profileFeed.nextPatch()
            let b = JSONTree(try! JSONParser.parse(profileFeed.documentText))
            checksum &+= JSONDiff.diff(from: a, to: b).count
            a = b
        }
    case "status":
        // The body of `GET /v1/streams` for 5,000 streams, built N times.
        let snapshots = MonitorBench.snapshots(5_000, at: Moment(nanoseconds: 10_000 * 1_000_000_000))
        let body = StatusBody(time: SystemScheduler(), wall: SystemWallClock())
        for index in 0..<iterations {
            let moved = snapshots.map { snapshot in
                var snapshot = snapshot
                snapshot.version += index
                return snapshot
            }
            checksum &+= body.data(version: index, snapshots: moved, disk: nil).count
        }
    case "tail":
        // `tail --jsonl --document --quiet` of the capture in this process, as the benchmark runs it.
        let path = "/tmp/streamtop-bench-profile-\(getpid()).sse"
        _ = FileManager.default.createFile(atPath: path, contents: Data(makeCapture().text.utf8))
        defer { unlink(path) }
        for _ in 0..<iterations {
            let sink = MemorySink()
            let start = DispatchTime.now()
            let arguments = ["tail", "--jsonl", "--document", "--quiet", path]
            checksum &+= Int(Streamtop.main(arguments, output: sink, errors: sink))
            let nanoseconds = DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds
            print(String(format: "%.1f ms", Double(nanoseconds) / 1e6))
        }
    case "feed", "feed-whole":
        checksum = ServiceBench.profileFeed(ticks: iterations, whole: CommandLine.arguments[flag + 1] == "feed-whole")
    default:
        print("streamtop-bench: --profile takes parse, parse-tree, write, tree-write, apply, diff, tree-diff, status, "
              + "tail, feed or feed-whole")
        exit(2)
    }
    print("checksum \(checksum)")
    exit(0)
}

// `--parse-memory KIND SIZE`: one parse in a process of its own, for the memory benchmark.
if let flag = CommandLine.arguments.firstIndex(of: "--parse-memory") {
    MemoryBench.child(Array(CommandLine.arguments[(flag + 1)...]))
}
// `--headless CONFIG STATE`: `streamtop run --headless` in a process of its own (the memory benchmark).
if let flag = CommandLine.arguments.firstIndex(of: "--headless"), flag + 2 < CommandLine.arguments.count {
    MemoryBench.headlessChild(Array(CommandLine.arguments[(flag + 1)...]))
}

// `--subscribe SOCKET SECONDS`: one `/v1/events` client in a process of its own (the service benchmark).
if let flag = CommandLine.arguments.firstIndex(of: "--subscribe") {
    EventsSubscriber.child(Array(CommandLine.arguments[(flag + 1)...]))
}

// `--attached-monitor SOCKET STREAMS SECONDS`: a monitor attached over the API (the service benchmark).
if let flag = CommandLine.arguments.firstIndex(of: "--attached-monitor") {
    AttachBench.child(Array(CommandLine.arguments[(flag + 1)...]))
}

// `--serve PERIOD_MS`: the scale benchmark's server, in a process of its own.
if let flag = CommandLine.arguments.firstIndex(of: "--serve"), flag + 1 < CommandLine.arguments.count, let period = Int(CommandLine.arguments[flag + 1]) {
    ScaleBench.serve(period: .milliseconds(period))
}

/// `--only WORD` runs just the benchmarks whose section name contains WORD (sse, json, memory, patch, diff,
/// tail, …).
let only: String? = CommandLine.arguments.firstIndex(of: "--only").flatMap {
    $0 + 1 < CommandLine.arguments.count ? CommandLine.arguments[$0 + 1] : nil
}
func enabled(_ section: String) -> Bool { only.map { section.contains($0) } ?? true }

var results: [BenchResult] = []
@MainActor func report(_ result: BenchResult) {
    results.append(result)
    print(result.line)
}

print("streamtop-bench: \(ProcessInfo.processInfo.activeProcessorCount) cores, best of 3 rounds of ≥ 0.4 s each")
print("benchmark".padding(toLength: 40, withPad: " ", startingAt: 0) + "result".padding(toLength: 13, withPad: " ", startingAt: 0)
      + "target".padding(toLength: 14, withPad: " ", startingAt: 0) + "".padding(toLength: 8, withPad: " ", startingAt: 0)
      + "baseline (same run)".padding(toLength: 38, withPad: " ", startingAt: 0) + "ratio")

// MARK: SSE parsing

/// A stream of `count` events whose data lines total `eventSize` bytes, as socket-sized chunks.
func sseStream(eventSize: Int, totalBytes: Int) -> [UInt8] {
    let payload = String(repeating: "{\"k\":\"0123456789abcdef\"}", count: eventSize / 24 + 1).prefix(eventSize - 1)
    let event = Array("event: patch\nid: 123456\ndata: \(payload)\n\n".utf8)
    var stream: [UInt8] = []
    stream.reserveCapacity(totalBytes + event.count)
    while stream.count < totalBytes { stream += event }
    return stream
}

@MainActor func benchSSE(eventSize: Int, name: String, target: Double) {
    let stream = sseStream(eventSize: eventSize, totalBytes: 32 << 20)
    let chunk = 64 << 10
    var destination = [UInt8](repeating: 0, count: chunk)
    let copySeconds = Measure.secondsPerIteration {
        stream.withUnsafeBytes { source in
            destination.withUnsafeMutableBytes { target in
                var offset = 0
                while offset < source.count {
                    let n = min(chunk, source.count - offset)
                    target.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: n)
                    offset += n
                }
            }
        }
        blackHole(destination)
    }
    var events = 0
    let parseSeconds = Measure.secondsPerIteration {
        var parser = SSEParser()
        stream.withUnsafeBufferPointer { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = min(chunk, bytes.count - offset)
                parser.feed(UnsafeBufferPointer(rebasing: bytes[offset..<(offset + n)])) { item in
                    if case .event(let event) = item { events += event.data.utf8.count > 0 ? 1 : 0 }
                }
                offset += n
            }
        }
    }
    blackHole(events)
    let size = Double(stream.count)
    report(BenchResult(name: name, value: size / parseSeconds, unit: "B/s", target: target,
                       baselineName: "memcpy", baselineValue: size / copySeconds))
}

if enabled("sse") {
    benchSSE(eventSize: 64 << 10, name: "SSE parse, 64 KiB events", target: 1e9)
    benchSSE(eventSize: 1 << 10, name: "SSE parse, 1 KiB events", target: 400e6)
}

// MARK: JSON

var feed = QuoteFeed(seed: 1)
let documentText = feed.documentText
let documentBytes = Array(documentText.utf8)
let documentData = Data(documentBytes)
let document = try! JSONParser.parse(documentBytes)
print("  (quote document: \(documentBytes.count) bytes)")

if enabled("json") {
let foundationParse = Measure.secondsPerIteration {
    blackHole(try! JSONSerialization.jsonObject(with: documentData))
}
let ourParse = Measure.secondsPerIteration {
    blackHole(try! JSONParser.parse(documentBytes))
}
report(BenchResult(name: "JSON parse, \(documentBytes.count / 1000) KB document", value: Double(documentBytes.count) / ourParse, unit: "B/s",
                   target: 500e6, baselineName: "JSONSerialization",
                   baselineValue: Double(documentBytes.count) / foundationParse))
let treeParse = Measure.secondsPerIteration {
    blackHole(try! JSONTree(parsing: documentBytes))
}
report(BenchResult(name: "JSON parse to tree, \(documentBytes.count / 1000) KB document",
                   value: Double(documentBytes.count) / treeParse, unit: "B/s", target: 500e6,
                   baselineName: "parse to JSONValue", baselineValue: Double(documentBytes.count) / ourParse))

let foundationObject = try! JSONSerialization.jsonObject(with: documentData)
let foundationWrite = Measure.secondsPerIteration {
    blackHole(try! JSONSerialization.data(withJSONObject: foundationObject))
}
var writer = JSONWriter(reservingCapacity: documentBytes.count * 2)
let ourWrite = Measure.secondsPerIteration {
    writer.removeAll()
    writer.write(document)
    blackHole(writer.bytes.count)
}
report(BenchResult(name: "JSON write, \(documentBytes.count / 1000) KB document", value: Double(documentBytes.count) / ourWrite, unit: "B/s",
                   target: 800e6, baselineName: "JSONSerialization",
                   baselineValue: Double(documentBytes.count) / foundationWrite))
let documentTree = JSONTree(document)
let treeWrite = Measure.secondsPerIteration {
    writer.removeAll()
    writer.write(documentTree)
    blackHole(writer.bytes.count)
}
report(BenchResult(name: "JSON write from tree, \(documentBytes.count / 1000) KB",
                   value: Double(documentBytes.count) / treeWrite, unit: "B/s", target: 800e6,
                   baselineName: "JSON write (JSONValue)", baselineValue: Double(documentBytes.count) / ourWrite))

}

// MARK: Memory: peak RSS of parsing hostile and legit bodies, each in a fresh process

var memoryRight = true
if enabled("memory") {
    let estimate = try! JSONParser.estimatedMemory(documentBytes)
    let perTextByte = Double(estimate) / Double(documentBytes.count)
    print(String(format: "Parse memory, %d KB quote document: %@ by the parser's estimate = %.1f× its text "
                 + "(the limit: %d×)", documentBytes.count / 1000, HumanUnits.bytes(estimate), perTextByte,
                 JSONParser.Options().maxMemoryPerTextByte))
    let quoteTree = try! JSONTree(parsing: documentBytes)
    let treeRatio = Double(quoteTree.memoryBytes) / Double(documentBytes.count)
    let treePeak = try! JSONTree.estimatedMemory(parsing: documentBytes)
    memoryRight = treeRatio <= 3 && memoryRight
    print(String(format: "Parse memory, %d KB quote document as a tree: %@ = %.2f× its text (target ≤ 3×%@); "
                 + "%@ at the most while parsing (%.2f×)", documentBytes.count / 1000,
                 HumanUnits.bytes(quoteTree.memoryBytes), treeRatio, treeRatio <= 3 ? "" : ": MISSED",
                 HumanUnits.bytes(treePeak), Double(treePeak) / Double(documentBytes.count)))
    print("Parse memory, 8 MiB bodies, default limits (6× the text):")
    memoryRight = MemoryBench.run(size: 8 << 20) && memoryRight
    print("Parse memory, 63 MiB bodies, default limits (64 MiB for any document):")
    memoryRight = MemoryBench.run(size: 63 << 20) && memoryRight
    print("Parse memory, 63 MiB bodies, no ceiling on one document (the proportional limit alone):")
    memoryRight = MemoryBench.run(size: 63 << 20, noCeiling: true) && memoryRight
    memoryRight = MemoryBench.headless() && memoryRight
}

// MARK: Patch apply

if enabled("patch") {
let patchTexts = (0..<20_000).map { _ in feed.nextPatch() }
let patches = patchTexts.map { try! JSONPatch(text: $0) }
let meanOperations = Double(patches.reduce(0) { $0 + $1.count }) / Double(patches.count)
var patched = document
var patchIndex = 0
let applySeconds = Measure.secondsPerIteration {
    for _ in 0..<1000 {
        try! patched.apply(patches[patchIndex])
        patchIndex = (patchIndex + 1) % patches.count
        if patchIndex == 0 { patched = document }
    }
} / 1000
// Baseline: what a poller pays per update, parsing the whole document again.
let reparseSeconds = Measure.secondsPerIteration { blackHole(try! JSONParser.parse(documentBytes)) }
report(BenchResult(name: String(format: "Patch apply (%.1f ops avg)", meanOperations), value: 1 / applySeconds, unit: "/s",
                   target: 300_000, baselineName: "full re-parse", baselineValue: 1 / reparseSeconds))
// The same patches applied to the document as a tree, in place.
let treePatches = patches.map { TreePatch($0) }
let treeDocument = JSONTree(document)
var patchedTree = treeDocument
patchIndex = 0
let treeApplySeconds = Measure.secondsPerIteration {
    for _ in 0..<1000 {
        try! patchedTree.apply(treePatches[patchIndex])
        patchIndex = (patchIndex + 1) % treePatches.count
        if patchIndex == 0 { patchedTree = treeDocument }
    }
} / 1000
report(BenchResult(name: "Patch apply to a tree", value: 1 / treeApplySeconds, unit: "/s",
                   target: 300_000, baselineName: "patch apply to JSONValue", baselineValue: 1 / applySeconds))

}

// MARK: Diff
if enabled("diff") {

var diffFeed = QuoteFeed(seed: 2)
var successive: [(JSONValue, JSONValue)] = []
var previous = try! JSONParser.parse(diffFeed.documentText)
for _ in 0..<50 {
    _ = diffFeed.nextPatch()
    let next = try! JSONParser.parse(diffFeed.documentText)
    successive.append((previous, next))
    previous = next
}
var pairIndex = 0
let diffSeconds = Measure.secondsPerIteration {
    let (a, b) = successive[pairIndex]
    blackHole(JSONDiff.diff(from: a, to: b))
    pairIndex = (pairIndex + 1) % successive.count
}
let equalSeconds = Measure.secondsPerIteration {
    let (a, b) = successive[pairIndex]
    blackHole(a == b)
    pairIndex = (pairIndex + 1) % successive.count
}
report(BenchResult(name: "Diff of successive 47 KB documents", value: 1 / diffSeconds, unit: "/s",
                   target: 12_000, baselineName: "deep ==", baselineValue: 1 / equalSeconds))
let successiveTrees = successive.map { (JSONTree($0.0), JSONTree($0.1)) }
let treeDiffSeconds = Measure.secondsPerIteration {
    let (a, b) = successiveTrees[pairIndex]
    blackHole(JSONDiff.diff(from: a, to: b))
    pairIndex = (pairIndex + 1) % successiveTrees.count
}
report(BenchResult(name: "Diff of trees, successive 47 KB", value: 1 / treeDiffSeconds, unit: "/s",
                   target: 12_000, baselineName: "deep ==", baselineValue: 1 / equalSeconds))
let patchSizes = successive.map { Double(JSONDiff.diff(from: $0.0, to: $0.1).encodedSize) }
let meanPatchShare = patchSizes.reduce(0, +) / Double(patchSizes.count) / Double(documentBytes.count) * 100
print(String(format: "  diff patch size: mean %.0f bytes = %.2f %% of the document (what streaming sends instead of the full body)",
             patchSizes.reduce(0, +) / Double(patchSizes.count), meanPatchShare))

}

// MARK: End to end: streamtop tail --jsonl --document --quiet on a 100,000-patch stream

var finalDocumentRight = true
if enabled("tail") {
let (capture, expectedFinal) = makeCapture()
let path = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-bench-\(getpid()).sse").path
_ = FileManager.default.createFile(atPath: path, contents: Data(capture.utf8))
defer { unlink(path) }
let captureSize = Double(capture.utf8.count)
print(String(format: "  (capture: 100,000 patches, %.1f MB)", captureSize / 1e6))

let rawRead = Measure.secondsPerIteration {
    let fd = open(path, O_RDONLY)
    var buffer = [UInt8](repeating: 0, count: 256 << 10)
    while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
    close(fd)
}
let tailSeconds = Measure.secondsPerIteration {
    let sink = MemorySink()
    let status = Streamtop.main(["tail", "--jsonl", "--document", "--quiet", path], output: sink, errors: sink)
    let summary = try! JSONParser.parse(sink.lines.last ?? "null")
    finalDocumentRight = status == 0 && summary["document"] == expectedFinal && summary["events"] == 100_001 && summary["errors"] == 0
}
report(BenchResult(name: "tail --jsonl --document --quiet", value: captureSize / tailSeconds, unit: "B/s",
                   target: 250e6, baselineName: "raw read()", baselineValue: captureSize / rawRead))
print("  final document right: \(finalDocumentRight ? "yes" : "NO")")
// The same bytes over loopback: the raw read a client of the stream could do at best.
let loopback = TailBench.overLoopback(Array(capture.utf8), events: 100_001, last: expectedFinal)
report(BenchResult(name: "tail FILE, against a loopback read", value: captureSize / tailSeconds, unit: "B/s",
                   target: nil, baselineName: "raw socket read", baselineValue: captureSize / loopback.raw))
print(String(format: "  tail FILE at %.2f× the loopback read (target ≥ 0.3×); tail URL %.0f MB/s, right: %@",
             loopback.raw / tailSeconds, captureSize / loopback.tail / 1e6, loopback.right ? "yes" : "NO"))
finalDocumentRight = finalDocumentRight && loopback.right
let large = TailBench.largeEvents(count: 1_000)
let largeRun = TailBench.overLoopback(large.stream, events: 1_000, last: large.last)
let largeSize = Double(large.stream.count)
report(BenchResult(name: "tail URL, 1,000 JSON events of 64 KB", value: largeSize / largeRun.tail, unit: "B/s",
                   target: nil, baselineName: "raw socket read", baselineValue: largeSize / largeRun.raw))
print(String(format: "  %.2f× the raw read (target ≥ 0.4×); final document right: %@",
             largeRun.raw / largeRun.tail, largeRun.right ? "yes" : "NO"))
finalDocumentRight = finalDocumentRight && largeRun.right
}

// MARK: Engine ingest: LocalServer firehose -> libcurl -> the stream's whole path

var ingestRight = true
if enabled("engine") {
    let (capture, expectedFinal) = makeCapture()
    var configuration = LocalServer.Configuration(apis: [])
    configuration.firehose = Array(capture.utf8)
    let server = try! LocalServer(configuration: configuration)
    let size = Double(capture.utf8.count)
    var rawBest = Double.infinity
    var engineBest = Double.infinity
    var aloneBest = Double.infinity
    for _ in 0..<3 {
        rawBest = min(rawBest, EngineIngest.rawRead(port: server.port))
        aloneBest = min(aloneBest, EngineIngest.patchPathAlone(Array(capture.utf8), expected: expectedFinal))
        let run = EngineIngest.engine(port: server.port, expected: expectedFinal)
        engineBest = min(engineBest, run.seconds)
        ingestRight = ingestRight && run.events >= 100_001
    }
    // The target (issue 15) is relative to the patch path alone on the same bytes (SSE and JSON
    // parse, apply; no network, metrics or files): the engine's own work must not cost more
    // than that path does.
    report(BenchResult(name: "Engine ingest, 1 firehose stream", value: size / engineBest, unit: "B/s",
                       target: 0.5 * size / aloneBest, baselineName: "the patch path alone",
                       baselineValue: size / aloneBest))
    print(String(format: "  %.0f %% of the patch path alone (target ≥ 50 %%), %.1f %% of a raw read (%.2f GB/s); "
                 + "final document right and every event counted: %@",
                 100 * aloneBest / engineBest, 100 * rawBest / engineBest, size / rawBest / 1e9,
                 ingestRight ? "yes" : "NO"))
    server.stop()
}

// MARK: Generic SSE: 100,000 one-KiB text messages end to end; a gzip bomb against the archive

var textRight = true
if enabled("text") {
    let count = 100_000
    var configuration = LocalServer.Configuration(apis: [])
    configuration.firehose = LocalServer.textMessages(count: count)
    let server = try! LocalServer(configuration: configuration)
    let size = Double(configuration.firehose!.count)
    var rawBest = Double.infinity
    var tailBest = Double.infinity
    for _ in 0..<3 {
        rawBest = min(rawBest, EngineIngest.rawRead(port: server.port))
        let run = TextStreamBench.tail(port: server.port, count: count)
        tailBest = min(tailBest, run.seconds)
        textRight = textRight && run.whole
    }
    server.stop()
    report(BenchResult(name: "tail URL, 100,000 1 KiB text messages", value: size / tailBest, unit: "B/s",
                       target: nil, baselineName: "raw socket read", baselineValue: size / rawBest))
    print("  every message arrived, in order, no error: \(textRight ? "yes" : "NO")")
    let cap = 4 << 20
    let bomb = TextStreamBench.gzipBomb(count: 2_000_000, cap: cap)
    let bounded = bomb.archive <= cap + cap / 8
    print(String(format: "Gzip bomb: %d tiny events, %.1f MB decoded from %.1f KB on the wire: "
                 + "archive %.2f MiB on disk (cap %.0f MiB + one part: %@), logs %.1f MiB",
                 bomb.events, Double(bomb.decoded) / 1e6, Double(bomb.wire) / 1e3, Double(bomb.archive) / 1_048_576,
                 Double(cap) / 1_048_576, bounded ? "held" : "EXCEEDED", Double(bomb.logs) / 1_048_576))
    textRight = textRight && bounded && bomb.events >= 2_000_000
}

// MARK: Scale: 5,000 SSE streams at one event a second each

var scaleRight = true
if enabled("scale") {
    // `--streams N` runs the scale benchmark with another count (for finding the cost per stream).
    let count = CommandLine.arguments.firstIndex(of: "--streams").flatMap {
        $0 + 1 < CommandLine.arguments.count ? Int(CommandLine.arguments[$0 + 1]) : nil
    } ?? 5_000
    // `--window SECONDS` measures longer: over minutes, each gzip stream's 32 KiB inflate
    // window fills and becomes resident.
    let window = CommandLine.arguments.firstIndex(of: "--window").flatMap {
        $0 + 1 < CommandLine.arguments.count ? Int(CommandLine.arguments[$0 + 1]) : nil
    } ?? 10
    // `--no-compress`: streams that do not offer gzip (StreamSpec.compress = false).
    let compress = !CommandLine.arguments.contains("--no-compress")
    let (cpuShare, rss, opened, troubled, events) = ScaleBench.streams(count: count, window: .seconds(window), compress: compress)
    // Issue 15's targets are without compression (20 %, 250 MiB); with gzip, the earlier ones.
    let (cpuTarget, rssTarget) = compress ? (25.0, 300.0) : (20.0, 250.0)
    print(String(format: "Scale: %d SSE streams%@, 1 event/s each: %.1f %% of one core (target ≤ %.0f %%), "
                 + "%.0f MiB resident (target ≤ %.0f), %d opened, %d with errors or reconnects, %d events in %d s",
                 count, compress ? " (gzip)" : " (no gzip)", cpuShare * 100, cpuTarget, rss, rssTarget, opened,
                 troubled, events, window))
    scaleRight = opened == count && count >= 5_000 && troubled == 0 && cpuShare * 100 <= cpuTarget && rss <= rssTarget
    print(scaleRight ? "  scale targets met" : "  scale: MISSED")
    if compress && window < 300 {
        print("  (gzip streams keep a 32 KiB inflate window that fills over their first ~32 KB; --window 300 shows the steady state)")
    }
}

if enabled("pollers") {
    let (worst, polls, failures) = ScaleBench.pollers(count: 500, interval: .seconds(10))
    let onTime = worst <= .seconds(1) && failures == 0
    print(String(format: "Pollers: 500 at 10 s for 30 s: %d polls, %d failed, latest start %.0f ms after schedule (target ≤ 1000 ms): %@",
                 polls, failures, worst.seconds * 1000, onTime ? "ok" : "MISSED"))
    scaleRight = scaleRight && onTime
}

// MARK: The service: the control API in front of 5,000 live streams

var serviceRight = true
if enabled("service") {
    func argument(_ flag: String) -> String? {
        CommandLine.arguments.firstIndex(of: flag).flatMap {
            $0 + 1 < CommandLine.arguments.count ? CommandLine.arguments[$0 + 1] : nil
        }
    }
    var options = ServiceBench.Options()
    // `--streams N` as for the scale benchmark; `--service-window SECONDS` for each CPU window
    // and the events client's reading; `--service-rounds N` pairs of windows.
    options.streams = argument("--streams").flatMap { Int($0) } ?? options.streams
    options.window = argument("--service-window").flatMap { Double($0) } ?? options.window
    options.rounds = argument("--service-rounds").flatMap { Int($0) } ?? options.rounds
    serviceRight = ServiceBench.run(options)
}
if enabled("service-attach") {
    // An attached monitor against the in-process one, on 1,000 streams (`--attach-streams N`).
    let streams = CommandLine.arguments.firstIndex(of: "--attach-streams").flatMap {
        $0 + 1 < CommandLine.arguments.count ? Int(CommandLine.arguments[$0 + 1]) : nil
    } ?? 1_000
    let window = CommandLine.arguments.firstIndex(of: "--service-window").flatMap {
        $0 + 1 < CommandLine.arguments.count ? Double(CommandLine.arguments[$0 + 1]) : nil
    } ?? 10
    serviceRight = AttachBench.run(streams: streams, window: window, rounds: 3) && serviceRight
}

// MARK: The monitor: one frame of 1,000 streams, and its CPU with 1,000 streams

var monitorRight = true
if enabled("ui") {
    let (frame, baseline) = MonitorBench.frameSeconds(streams: 1_000)
    report(BenchResult(name: "Monitor frame, 1,000 streams, 60×200", value: frame * 1e3, unit: "ms", target: 2,
                       baselineName: "writing 60×200 cells", baselineValue: baseline * 1e3, higherIsBetter: false))
    let (detailFrame, detailBaseline) = MonitorBench.frameSeconds(streams: 1_000, detail: true)
    // One frame of 1,000 streams with the detail view and the log pane open.
    report(BenchResult(name: "Monitor frame, detail view and log pane", value: detailFrame * 1e3, unit: "ms",
                       target: 2, baselineName: "writing 60×200 cells", baselineValue: detailBaseline * 1e3,
                       higherIsBetter: false))
    ScaleBench.raiseFileLimit()
    let server = ScaleBench.startServer(period: .seconds(1))
    let specs = (0..<1_000).map { StreamSpec(id: "s\($0)", name: "s\($0)", url: "http://127.0.0.1:\(server.port)/sse/ticker", autostart: true) }
    let engine = try! Engine(specs: specs, stateDirectory: nil)
    let idleEngine = MonitorBench.cpuShare(engine: engine, monitor: false, window: .seconds(5))
    let idle = MonitorBench.cpuShare(engine: engine, monitor: true, window: .seconds(5))
    engine.startAutostart()
    Thread.sleep(forTimeInterval: 3)
    let without = MonitorBench.cpuShare(engine: engine, monitor: false, window: .seconds(5))
    let with = MonitorBench.cpuShare(engine: engine, monitor: true, window: .seconds(5))
    let rss = ScaleBench.residentMiB()
    engine.shutdown()
    server.stop()
    print(String(format: "Monitor, 1,000 streams registered, none running (idle): %.2f %% of one core (target < 1 %%); %.2f %% without the monitor's loop", idle * 100, idleEngine * 100))
    print(String(format: "Monitor, 1,000 streams at 1 event/s: %.1f %% of one core with the monitor's loop, %.1f %% without (the monitor adds %.1f points); %.0f MiB resident",
                 with * 100, without * 100, (with - without) * 100, rss))
    monitorRight = idle < 0.01
}

// MARK: The archive: streamtop report against gzip -dc | wc -l over the same segments

var archiveRight = true
if enabled("archive") {
    // `--archive-mb N` (or STREAMTOP_BENCH_ARCHIVE_MB): the archive's size uncompressed, in MB.
    let megabytes = CommandLine.arguments.firstIndex(of: "--archive-mb").flatMap {
        $0 + 1 < CommandLine.arguments.count ? Int(CommandLine.arguments[$0 + 1]) : nil
    } ?? ProcessInfo.processInfo.environment["STREAMTOP_BENCH_ARCHIVE_MB"].flatMap { Int($0) } ?? 1_000
    archiveRight = ArchiveBench.run(megabytes: megabytes, withReplay: !CommandLine.arguments.contains("--no-replay"))
}

// MARK: Uploads: segments to a loopback S3 (moto) with 1,000 streams running

var uploadRight = true
if enabled("upload") {
    func argument(_ flag: String) -> String? {
        CommandLine.arguments.firstIndex(of: flag).flatMap {
            $0 + 1 < CommandLine.arguments.count ? CommandLine.arguments[$0 + 1] : nil
        }
    }
    // `--upload-streams N`, `--upload-window SECONDS` (each phase), `--upload-segment SECONDS`,
    // `--upload-rounds N` (pairs of phases).
    var options = UploadBench.Options()
    options.streams = argument("--upload-streams").flatMap { Int($0) } ?? options.streams
    options.window = argument("--upload-window").flatMap { Double($0) } ?? options.window
    options.segmentSeconds = argument("--upload-segment").flatMap { Int($0) } ?? options.segmentSeconds
    options.rounds = argument("--upload-rounds").flatMap { Int($0) } ?? options.rounds
    uploadRight = UploadBench.run(options)
}

// MARK: The streaming proxy: streamtop serving a polled API as SSE to 1,000 clients

var proxyRight = true
if enabled("proxy") {
    // `--proxy-clients N`, `--proxy-seconds S` (changes through streamtop), `--floor-seconds S`,
    // `--streamtop PATH` (default: the streamtop beside this binary).
    func argument(_ flag: String) -> Int? {
        CommandLine.arguments.firstIndex(of: flag).flatMap {
            $0 + 1 < CommandLine.arguments.count ? Int(CommandLine.arguments[$0 + 1]) : nil
        }
    }
    var options = ProxyBench.Options()
    options.clients = argument("--proxy-clients") ?? options.clients
    options.seconds = argument("--proxy-seconds") ?? options.seconds
    options.floorSeconds = argument("--floor-seconds") ?? options.floorSeconds
    proxyRight = ProxyBench.run(options)
}

let missed = results.filter { $0.meetsTarget == false }
let allRight = missed.isEmpty && finalDocumentRight && ingestRight && textRight && scaleRight && monitorRight
    && memoryRight && serviceRight && archiveRight && uploadRight && proxyRight
let missedNames = missed.map(\.name) + (memoryRight ? [] : ["parse memory"]) + (archiveRight ? [] : ["archive"])
    + (uploadRight ? [] : ["uploads"]) + (proxyRight ? [] : ["proxy"])
print(allRight ? "all targets met" : "MISSED: " + missedNames.joined(separator: "; "))
