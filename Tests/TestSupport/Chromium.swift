import Foundation
import StreamCore
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Headless Chromium for tests of what streamtop serves to browsers, driven over the DevTools
/// protocol on a pipe: `--remote-debugging-pipe` reads commands on the child's descriptor 3 and
/// writes answers and events on 4, each message one JSON text ending in a NUL byte. No
/// websocket, no port, no Python.
///
///     let browser = try Chromium.launch()          // skips the test when chromium is missing
///     let page = try browser.open(url)             // a new tab, loaded
///     let value = try page.evaluate("document.title")
///
/// One thread: the caller's. Nothing reads the browser's pipe in the background; every wait
/// reads what has arrived and looks again (`waitUntil`, bounded). The browser runs in a process
/// group of its own (`ProcessGroup`) with a fresh profile, both gone on `close` and deinit.
package final class Chromium {
    /// An event the browser sent: its method, its parameters, and the session (tab) it is of.
    package struct Event {
        package var session: String?
        package var method: String
        package var params: JSONValue
    }

    let pid: pid_t
    /// Ours (both non-blocking): commands go in here (the child's descriptor 3).
    let commands: Int32
    /// Ours: answers and events come out here (the child's descriptor 4).
    let replies: Int32
    /// A temporary directory: the profile and the browser's output.
    let directory: String
    var nextID = 1
    var received: [UInt8] = []
    var answers: [Int: JSONValue] = [:]
    package private(set) var events: [Event] = []
    var closed = false

    /// The bound of one wait on the browser: a bound for a broken machine, not a pace.
    static let timeout: TimeInterval = 60

    /// Whether `chromium` is on `PATH` (Debian's package; `.ci/run` installs it).
    package static var isInstalled: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/chromium") }
    }

    /// Starts the browser; skips the test when chromium is not installed.
    package static func launch() throws -> Chromium {
        guard isInstalled else {
            throw XCTSkip("chromium is not installed (.ci/run installs it: contrib/install-test-tools)")
        }
        let browser = try Chromium()
        try browser.call("Browser.getVersion")
        return browser
    }

    init() throws {
        var template = Array("/tmp/st-chromium-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ChromiumError("mkdtemp: errno \(errno)") }
        let directory = String(cString: made)
        self.directory = directory
        // Both pipes above the descriptors the child is given, so no dup2 lands on its source.
        guard let (commandsRead, commands) = Chromium.pipe() else {
            try? FileManager.default.removeItem(atPath: directory)
            throw ChromiumError("no pipe: errno \(errno)")
        }
        guard let (replies, repliesWrite) = Chromium.pipe() else {
            for end in [commandsRead, commands] { Glibc.close(end) }
            try? FileManager.default.removeItem(atPath: directory)
            throw ChromiumError("no pipe: errno \(errno)")
        }
        defer {
            Glibc.close(commandsRead)
            Glibc.close(repliesWrite)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, directory + "/output", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_adddup2(&actions, commandsRead, 3)
        posix_spawn_file_actions_adddup2(&actions, repliesWrite, 4)
        let arguments = [
            "chromium", "--headless", "--no-sandbox", "--remote-debugging-pipe", "--user-data-dir=\(directory)/profile",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--mute-audio", "about:blank",
        ]
        do {
            // Its crash reporter's files in the directory too, not in the user's ~/.config.
            let home = ["XDG_CONFIG_HOME": directory + "/config", "XDG_CACHE_HOME": directory + "/cache"]
            pid = try ProcessGroup.spawn(arguments, environment: home, actions: &actions)
        } catch {
            Glibc.close(commands)
            Glibc.close(replies)
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        self.commands = commands
        self.replies = replies
        for end in [commands, replies] { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
    }

    deinit { close() }

    /// Kills the browser (its whole process group) and removes its profile.
    package func close() {
        guard !closed else { return }
        closed = true
        ProcessGroup.kill(pid)
        Glibc.close(commands)
        Glibc.close(replies)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A new tab that loads `url`, with the network, page, console and log events on.
    package func open(_ url: String) throws -> ChromiumPage {
        let target = try call("Target.createTarget", ["url": "about:blank"])
        guard let targetID = target["targetId"]?.stringValue else { throw ChromiumError("no target: \(target)") }
        let attached = try call("Target.attachToTarget", ["targetId": .string(targetID), "flatten": true])
        guard let session = attached["sessionId"]?.stringValue else { throw ChromiumError("no session: \(attached)") }
        for domain in ["Network", "Page", "Runtime", "Log"] { try call("\(domain).enable", session: session) }
        let page = ChromiumPage(browser: self, session: session)
        try page.navigate(url)
        return page
    }

    /// Sends `method` and waits for its answer; its `result`, or the browser's error thrown.
    @discardableResult
    package func call(_ method: String, _ params: JSONObject = [:], session: String? = nil) throws -> JSONValue {
        guard !closed else { throw ChromiumError("\(method): the browser is closed") }
        let id = nextID
        nextID += 1
        var message: [(String, JSONValue)] = [("id", .number(JSONNumber(id))), ("method", .string(method))]
        message.append(("params", .object(params)))
        if let session { message.append(("sessionId", .string(session))) }
        try send(JSONWriter.data(.object(JSONObject(message))) + [0])
        var answer: JSONValue?
        try waitUntil("Chromium answers \(method); its output: \(outputTail())", timeout: Chromium.timeout) {
            try readAvailable()
            answer = answers.removeValue(forKey: id)
            return answer != nil
        }
        guard let answer else { throw ChromiumError("Chromium did not answer \(method)") }
        if let error = answer["error"] { throw ChromiumError("\(method): \(JSONWriter.string(error))") }
        return answer["result"] ?? .null
    }

    /// Waits until the browser has sent an event that `matches`, among those from position
    /// `start` of `events` on; returns it.
    @discardableResult
    package func waitForEvent(_ what: String, after start: Int = 0, _ matches: (Event) -> Bool) throws -> Event {
        var found: Event?
        try waitUntil("Chromium sends \(what)", timeout: Chromium.timeout) {
            try readAvailable()
            found = events[start...].first(where: matches)
            return found != nil
        }
        guard let found else { throw ChromiumError("Chromium never sent \(what)") }
        return found
    }

    /// Reads every message that has arrived: answers by id, the rest as events.
    package func readAvailable() throws {
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(replies, $0.baseAddress, $0.count) }
            if count > 0 {
                received += chunk[..<count]
            } else if count == 0 {
                throw ChromiumError("Chromium has gone; its output: \(outputTail())")
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                break
            } else if errno != EINTR {
                throw ChromiumError("reading from Chromium: errno \(errno)")
            }
        }
        while let end = received.firstIndex(of: 0) {
            let message = try JSONParser.parse(Array(received[..<end]))
            received.removeSubrange(...end)
            if let id = message["id"]?.numberValue?.intValue {
                answers[id] = message
            } else if let method = message["method"]?.stringValue {
                events.append(Event(session: message["sessionId"]?.stringValue, method: method,
                                    params: message["params"] ?? .null))
            }
        }
    }

    /// Writes a whole message; while the pipe is full, reads what the browser sends (it may be
    /// waiting for us to), then writes on.
    func send(_ message: [UInt8]) throws {
        var sent = 0
        func writeAll() throws -> Bool {
            while sent < message.count {
                let written = message[sent...].withUnsafeBytes { write(commands, $0.baseAddress, $0.count) }
                if written > 0 {
                    sent += written
                } else if errno == EAGAIN || errno == EWOULDBLOCK {
                    return false
                } else if errno != EINTR {
                    throw ChromiumError("writing to Chromium: errno \(errno); its output: \(outputTail())")
                }
            }
            return true
        }
        if try writeAll() { return }
        let done = try waitUntil("Chromium reads its commands", timeout: Chromium.timeout) {
            try readAvailable()
            return try writeAll()
        }
        guard done else { throw ChromiumError("Chromium reads no commands; its output: \(outputTail())") }
    }

    /// The end of what the browser printed, for failures.
    func outputTail() -> String {
        let text = (try? String(contentsOfFile: directory + "/output", encoding: .utf8)) ?? ""
        return String(text.suffix(2_000))
    }

    /// A pipe whose ends are close-on-exec and above 9 (the child's descriptors are 0 to 4; the
    /// ends are inherited by nothing else spawned meanwhile but for a moment).
    static func pipe() -> (read: Int32, write: Int32)? {
        var ends: [Int32] = [-1, -1]
        guard Glibc.pipe(&ends) == 0 else { return nil }
        defer { for end in ends { Glibc.close(end) } }
        let read = fcntl(ends[0], F_DUPFD_CLOEXEC, 10)
        let write = fcntl(ends[1], F_DUPFD_CLOEXEC, 10)
        guard read >= 0, write >= 0 else {
            for end in [read, write] where end >= 0 { Glibc.close(end) }
            return nil
        }
        return (read, write)
    }
}

/// One tab of a `Chromium`.
package final class ChromiumPage {
    package let browser: Chromium
    package let session: String

    init(browser: Chromium, session: String) {
        self.browser = browser
        self.session = session
    }

    /// Loads `url` and waits for its `load` event.
    package func navigate(_ url: String) throws {
        try browser.readAvailable()
        let start = browser.events.count
        let navigated = try browser.call("Page.navigate", ["url": .string(url)], session: session)
        if let error = navigated["errorText"]?.stringValue { throw ChromiumError("cannot load \(url): \(error)") }
        try browser.waitForEvent("the load event of \(url)", after: start) { [session] event in
            event.session == session && event.method == "Page.loadEventFired"
        }
    }

    /// The value of a JavaScript expression in the page, as JSON (nil for `undefined`); an
    /// exception is thrown as a `ChromiumError`. Promises are awaited.
    package func evaluate(_ expression: String) throws -> JSONValue? {
        let params: JSONObject = ["expression": .string(expression), "returnByValue": true, "awaitPromise": true]
        let reply = try browser.call("Runtime.evaluate", params, session: session)
        if let details = reply["exceptionDetails"] {
            let description = details["exception"]?["description"]?.stringValue ?? details["text"]?.stringValue
            throw ChromiumError("\(expression.prefix(200)) threw: \(description ?? JSONWriter.string(details))")
        }
        return reply["result"]?["value"]
    }

    /// `JSON.stringify(expression)` in the page, parsed by StreamCore's parser: exactly the JSON
    /// the page holds (nil for `undefined`).
    package func evaluateJSON(_ expression: String) throws -> JSONValue? {
        guard case .string(let text)? = try evaluate("JSON.stringify(\(expression))") else { return nil }
        return try JSONParser.parse(text)
    }

    /// This tab's events named `method`, up to now.
    package func events(_ method: String) throws -> [JSONValue] {
        try browser.readAvailable()
        return browser.events.filter { $0.session == session && $0.method == method }.map(\.params)
    }

    /// Every URL this tab has asked for, in order (`Network.requestWillBeSent`).
    package func requestedURLs() throws -> [String] {
        try events("Network.requestWillBeSent").compactMap { $0["request"]?["url"]?.stringValue }
    }

    /// The text of what the tab's script wrote on the console, in order (each call's first
    /// argument, when it is a string).
    package func consoleMessages() throws -> [String] {
        try events("Runtime.consoleAPICalled").compactMap { $0["args"]?[0]?["value"]?.stringValue }
    }

    /// What the tab reported as going wrong: uncaught exceptions, `console.error`, and the
    /// browser's own log entries at error level (a policy's violations among them).
    package func problems() throws -> [String] {
        let exceptions = try events("Runtime.exceptionThrown").map {
            $0["exceptionDetails"]?["exception"]?["description"]?.stringValue ?? JSONWriter.string($0)
        }
        let console = try events("Runtime.consoleAPICalled").filter { $0["type"] == "error" }.map {
            JSONWriter.string($0)
        }
        let log = try events("Log.entryAdded").filter { $0["entry"]?["level"] == "error" }.compactMap {
            $0["entry"]?["text"]?.stringValue
        }
        return exceptions + console + log
    }
}

package struct ChromiumError: Error, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}
