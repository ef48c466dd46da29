import Foundation

/// An AWS access key: from the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_SESSION_TOKEN`) or else the shared credentials file. Never in the registry, and never
/// shown: its descriptions name the key's first characters and where it came from, nothing more.
package struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    package var accessKeyID: String
    package var secretAccessKey: String
    /// Temporary credentials' token, sent as `x-amz-security-token`.
    package var sessionToken: String?
    /// Where they were found, for messages ("the environment", "/root/.aws/credentials [ci]").
    package var source: String

    package init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, source: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.source = source
    }

    package var description: String {
        let key = accessKeyID.count > 8 ? String(accessKeyID.prefix(4)) + "…" : "…"
        return "AWS credentials (access key \(key)\(sessionToken == nil ? "" : ", session token") from \(source))"
    }

    package var debugDescription: String { description }

    /// The values that must never appear in text shown to people.
    var secrets: [String] { [accessKeyID, secretAccessKey] + (sessionToken.map { [$0] } ?? []) }

    /// The environment's credentials if `AWS_ACCESS_KEY_ID` is set, else the shared file's
    /// (`AWS_SHARED_CREDENTIALS_FILE` or `$HOME/.aws/credentials`, profile `AWS_PROFILE` or
    /// "default").
    package static func resolve(environment: [String: String]) throws(AWSCredentialsError) -> AWSCredentials {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let key = value("AWS_ACCESS_KEY_ID") {
            guard let secret = value("AWS_SECRET_ACCESS_KEY") else { throw .incompleteEnvironment }
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"),
                                  source: "the environment")
        }
        let profile = value("AWS_PROFILE") ?? "default"
        let path: String
        if let file = value("AWS_SHARED_CREDENTIALS_FILE") {
            path = file
        } else if let home = value("HOME") {
            path = home + "/.aws/credentials"
        } else {
            throw .notFound(file: nil, profile: profile)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileManager.default.fileExists(atPath: path)
                ? .unreadableFile(path) : .notFound(file: path, profile: profile)
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let section = sharedFileSection(text, profile: profile) else {
            throw .notFound(file: path, profile: profile)
        }
        guard let key = section["aws_access_key_id"], let secret = section["aws_secret_access_key"],
              !key.isEmpty, !secret.isEmpty
        else { throw .incompleteProfile(file: path, profile: profile) }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: section["aws_session_token"],
                              source: "\(path) [\(profile)]")
    }

    /// The `key = value` pairs of `[profile]` in an INI file (keys lowercased); nil when the
    /// section is missing. Full-line comments start with `#` or `;`; whitespace around names,
    /// keys and values is ignored. A section given twice is merged, later values winning.
    package static func sharedFileSection(_ text: String, profile: String) -> [String: String]? {
        var found = false
        var inSection = false
        var values: [String: String] = [:]
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard let end = line.firstIndex(of: "]") else {
                    inSection = false
                    continue
                }
                var name = line[line.index(after: line.startIndex)..<end].trimmingCharacters(in: .whitespaces)
                // The config file's spelling (`[profile ci]`), accepted here too.
                if name.hasPrefix("profile ") { name = String(name.dropFirst(8)).trimmingCharacters(in: .whitespaces) }
                inSection = name == profile
                found = found || inSection
                continue
            }
            guard inSection, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            values[key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        return found ? values : nil
    }
}

/// Why no credentials were found, saying where streamtop looked.
package enum AWSCredentialsError: Error, Equatable, CustomStringConvertible {
    case incompleteEnvironment
    case notFound(file: String?, profile: String)
    case unreadableFile(String)
    case incompleteProfile(file: String, profile: String)

    package var description: String {
        switch self {
        case .incompleteEnvironment:
            return "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
        case .notFound(nil, let profile):
            return "no AWS credentials: AWS_ACCESS_KEY_ID is not set, and neither HOME nor "
                + "AWS_SHARED_CREDENTIALS_FILE says where to find a credentials file (profile '\(profile)')"
        case .notFound(let file?, let profile):
            return "no AWS credentials: AWS_ACCESS_KEY_ID is not set, and \(file) has no profile '\(profile)'"
                + " (set AWS_PROFILE to choose another)"
        case .unreadableFile(let file):
            return "no AWS credentials: AWS_ACCESS_KEY_ID is not set, and \(file) cannot be read"
        case .incompleteProfile(let file, let profile):
            return "the profile '\(profile)' in \(file) lacks aws_access_key_id or aws_secret_access_key"
        }
    }
}
