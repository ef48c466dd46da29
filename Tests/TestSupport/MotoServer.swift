import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A real S3-compatible server on loopback for the S3 tests: moto's standalone server
/// (`moto_server`, from `moto[server]` on PyPI; `.ci/run` installs it), a child process in its
/// own process group (`ProcessGroup`), killed in `stop`, on deinit, and at exit.
///
/// Signatures are checked. moto checks none until told to: while it does not, its IAM and STS
/// APIs make a user with an access key and an S3 policy, a role whose temporary credentials
/// (with a session token) may use S3, and the buckets; then `POST /moto-api/reset-auth` with
/// "0" turns checking on for every later request (`INITIAL_NO_AUTH_ACTION_COUNT` is the same
/// setting from the environment: the count of requests let through unchecked). moto's random
/// ids are seeded first (`/moto-api/seed`), so a restarted server hands out the same keys.
package final class MotoServer {
    package let port: UInt16
    package var endpoint: String { "http://127.0.0.1:\(port)" }
    package let region = "us-east-1"
    /// An IAM user's access key, allowed s3:*.
    package private(set) var accessKeyID = ""
    package private(set) var secretAccessKey = ""
    /// An assumed role's temporary credentials, allowed s3:*.
    package private(set) var session = (accessKeyID: "", secretAccessKey: "", sessionToken: "")
    let buckets: [String]
    let logPath: String
    var pid: pid_t = 0

    /// Starts moto on a free port with `buckets` made, and waits until it checks signatures.
    /// Skips the test when moto is not installed.
    package init(buckets: [String], port: UInt16 = freeLoopbackPort()) throws {
        guard MotoServer.isInstalled else {
            throw XCTSkip("moto_server is not installed (.ci/run installs it: contrib/install-test-tools)")
        }
        self.port = port
        self.buckets = buckets
        logPath = NSTemporaryDirectory() + "streamtop-moto-\(getpid())-\(port).log"
        try start()
    }

    deinit { stop() }

    package static var isInstalled: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/moto_server") }
    }

    /// Starts the server again after `stop` (same port, same keys, the buckets empty).
    package func start() throws {
        guard pid == 0 else { return }
        pid = try MotoServer.spawn(port: port, log: logPath)
        let answered = waitUntil("moto_server answers on port \(port); its log: \(logTail())") {
            if !isRunning { return true }
            return (try? exchange("GET", "/moto-api/data.json")) != nil
        }
        guard answered, isRunning else { throw MotoError("moto_server did not start: \(logTail())") }
        try setUp()
    }

    /// Kills the server (its whole process group) and waits for it.
    package func stop() {
        guard pid > 0 else { return }
        ProcessGroup.kill(pid)
        pid = 0
    }

    var isRunning: Bool {
        var status: Int32 = 0
        return pid > 0 && waitpid(pid, &status, WNOHANG) == 0
    }

    func logTail() -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return String(text.suffix(2000))
    }

    // MARK: Setup, before signatures are checked

    func setUp() throws {
        try call("POST", "/moto-api/seed?a=13")
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
        let trust =
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"#
            + #""Action":"sts:AssumeRole"}]}"#
        try iam(["Action": "CreateUser", "UserName": "streamtop"])
        let key = try iam(["Action": "CreateAccessKey", "UserName": "streamtop"])
        accessKeyID = try MotoServer.element("AccessKeyId", in: key)
        secretAccessKey = try MotoServer.element("SecretAccessKey", in: key)
        try iam(["Action": "PutUserPolicy", "UserName": "streamtop", "PolicyName": "s3", "PolicyDocument": policy])
        try iam(["Action": "CreateRole", "RoleName": "uploader", "AssumeRolePolicyDocument": trust])
        try iam(["Action": "PutRolePolicy", "RoleName": "uploader", "PolicyName": "s3", "PolicyDocument": policy])
        let assumed = try call(
            "POST", "/", service: "sts",
            form: [
                "Action": "AssumeRole", "Version": "2011-06-15", "RoleSessionName": "tests",
                "RoleArn": "arn:aws:iam::123456789012:role/uploader",
            ])
        session = (
            try MotoServer.element("AccessKeyId", in: assumed), try MotoServer.element("SecretAccessKey", in: assumed),
            try MotoServer.element("SessionToken", in: assumed)
        )
        for bucket in buckets { try call("PUT", "/\(bucket)", service: "s3") }
        try call("POST", "/moto-api/reset-auth", body: Array("0".utf8))
    }

    @discardableResult
    func iam(_ form: [String: String]) throws -> String {
        try call("POST", "/", service: "iam", form: form.merging(["Version": "2010-05-08"]) { $1 })
    }

    /// A request while moto checks no signature: the Authorization header only tells moto's
    /// router which service it is for.
    @discardableResult
    func call(
        _ method: String, _ path: String, service: String? = nil, form: [String: String]? = nil, body: [UInt8] = []
    ) throws -> String {
        var headers: [String] = []
        if let service {
            headers.append(
                "Authorization: AWS4-HMAC-SHA256 Credential=setup/20260101/\(region)/\(service)/aws4_request, "
                    + "SignedHeaders=host, Signature=0")
        }
        var body = body
        if let form {
            headers.append("Content-Type: application/x-www-form-urlencoded")
            body = Array(
                form.sorted { $0.key < $1.key }.map { "\(formEncode($0.key))=\(formEncode($0.value))" }
                    .joined(separator: "&").utf8)
        } else if !body.isEmpty {
            headers.append("Content-Type: text/plain")
        }
        let (status, reply) = try exchange(method, path, headers: headers, body: body)
        guard (200..<300).contains(status) else { throw MotoError("\(method) \(path): HTTP \(status): \(reply)") }
        return reply
    }

    func formEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    static func element(_ name: String, in xml: String) throws -> String {
        guard let start = xml.range(of: "<\(name)>"),
            let end = xml.range(of: "</\(name)>", range: start.upperBound..<xml.endIndex)
        else { throw MotoError("no <\(name)> in moto's answer: \(xml.prefix(500))") }
        return String(xml[start.upperBound..<end.lowerBound])
    }

    // MARK: HTTP/1.1 over a socket, one request a connection

    /// Sends one request and reads the whole answer (moto closes the connection after it).
    func exchange(_ method: String, _ path: String, headers: [String] = [], body: [UInt8] = []) throws -> (Int, String)
    {
        guard let fd = connectLoopback(port: port, receiveTimeout: 30) else {
            throw MotoError("cannot connect to port \(port): errno \(errno)")
        }
        defer { close(fd) }
        let head =
            ([
                "\(method) \(path) HTTP/1.1", "Host: 127.0.0.1:\(port)", "Connection: close",
                "Content-Length: \(body.count)",
            ] + headers).joined(separator: "\r\n") + "\r\n\r\n"
        let request = Array(head.utf8) + body
        var sent = 0
        while sent < request.count {
            let written = request[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw MotoError("write failed: errno \(errno)") }
            sent += written
        }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            reply += buffer[..<count]
        }
        let text = String(decoding: reply, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let statusLine = parts.first?.split(separator: " ") ?? []
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw MotoError("no HTTP answer from moto")
        }
        return (status, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    // MARK: The child process

    static func spawn(port: UInt16, log: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        do {
            return try ProcessGroup.spawn(["moto_server", "-H", "127.0.0.1", "-p", String(port)], actions: &actions)
        } catch {
            throw MotoError("\(error)")
        }
    }
}

package struct MotoError: Error, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}
