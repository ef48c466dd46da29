// swift-tools-version:6.0
// streamtop: a terminal monitor for Server-Sent Events streams and polled JSON APIs.
// No Swift package dependencies: Foundation, Dispatch, the toolchain's test libraries,
// and (from the engine and UI issues on) libcurl and ncursesw through small C shims.
import PackageDescription

let package = Package(
    name: "streamtop",
    products: [
        .executable(name: "streamtop", targets: ["streamtop"]),
        .executable(name: "streamtop-bench", targets: ["streamtop-bench"]),
        .library(name: "StreamCore", targets: ["StreamCore"]),
    ],
    targets: [
        // Pure Swift: JSON, JSON Pointer/Patch/diff, the SSE parser, Streamdata documents.
        // libm: Double's rounding helpers call into it on Linux.
        .target(name: "StreamCore", linkerSettings: [.linkedLibrary("m")]),
        // libcurl, with typed wrappers for its variadic functions; epoll for the engine's loop.
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("curl")]),
        // zlib, for the archive's closed parts and LocalServer's hostile bodies (deflateInit2 and
        // inflateInit2 are macros).
        .target(name: "CZlib", linkerSettings: [.linkedLibrary("z")]),
        // I/O: the libcurl loop, logs and the archive on disk.
        .target(name: "StreamEngine", dependencies: ["StreamCore", "CCurl", "CZlib"]),
        // epoll and eventfd, which Swift's Glibc module does not export.
        .target(name: "CEpoll"),
        // A small HTTP/1.1 server on loopback: the demo's data source, test fixtures, bench firehose
        // (zlib for its hostile bodies, compressed a thousand to one).
        .target(name: "LocalServer", dependencies: ["StreamCore", "CEpoll", "CZlib"]),
        // The HTTP/1.1 server core (epoll, TCP and Unix listeners, request limits, streamed
        // responses): the control API's transport.
        .target(name: "HTTPServer", dependencies: ["StreamCore", "CEpoll"]),
        // The service: the control API over HTTP, /v1/events, /metrics, the client that talks to it.
        .target(name: "StreamService", dependencies: ["StreamCore", "StreamEngine", "HTTPServer"]),
        // ncursesw (wide characters), with functions for the macros Swift cannot import.
        .target(name: "CCurses", linkerSettings: [.linkedLibrary("ncursesw")]),
        // The full-screen monitor: an in-memory screen that every view draws into, themes, the
        // key map, and the ncurses backend that shows the screen (the only user of CCurses).
        .target(name: "StreamUI", dependencies: ["StreamCore", "StreamEngine", "CCurses"]),
        // The command-line commands, kept in a library so tests and the benchmark call them in-process.
        .target(
            name: "StreamCLI", dependencies: ["StreamCore", "StreamEngine", "StreamUI", "StreamService", "LocalServer"]),
        .executableTarget(name: "streamtop", dependencies: ["StreamCLI"]),
        .executableTarget(
            name: "streamtop-bench",
            dependencies: [
                "StreamCore", "StreamCLI", "StreamEngine", "StreamUI", "StreamService", "LocalServer", "CEpoll",
            ]),
        // What every test target shares: the one wait helper, child processes (moto, headless Chromium).
        .target(name: "TestSupport", dependencies: ["StreamCore"], path: "Tests/TestSupport"),
        // Fixtures live in Tests/Fixtures and are found through #filePath.
        .testTarget(name: "StreamCoreTests", dependencies: ["StreamCore", "TestSupport"]),
        .testTarget(
            name: "StreamCLITests",
            dependencies: [
                "StreamCLI", "StreamCore", "StreamEngine", "StreamService", "StreamUI", "LocalServer", "TestSupport",
            ]),
        .testTarget(
            name: "StreamEngineTests", dependencies: ["StreamEngine", "StreamCore", "LocalServer", "TestSupport"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "StreamCore", "TestSupport"]),
        .testTarget(
            name: "StreamServiceTests",
            dependencies: ["StreamService", "HTTPServer", "StreamEngine", "StreamCore", "LocalServer", "TestSupport"]),
        .testTarget(name: "LocalServerTests", dependencies: ["LocalServer", "StreamCore", "TestSupport"]),
        .testTarget(
            name: "StreamUITests",
            dependencies: ["StreamUI", "StreamEngine", "StreamCore", "LocalServer", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
