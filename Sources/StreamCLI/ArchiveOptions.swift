import StreamCore
import StreamEngine

/// Where the archive goes and how it is cut: `run`'s `--s3 s3://BUCKET/PREFIX`,
/// `--s3-endpoint URL`, `--s3-region R`, `--s3-keep-local` and `--archive-segment SECONDS`,
/// or the same in the registry's top-level `"archive"` object:
///
///     "archive": {"s3": "s3://bucket/prefix", "endpoint": "http://127.0.0.1:9000",
///                 "region": "eu-west-1", "keepLocal": true, "segmentSeconds": 3600}
///
/// The command line wins over the registry, option by option. Credentials are never here: they
/// come from the environment or `~/.aws/credentials` (see `AWSCredentials`).
struct ArchiveOptions: Equatable {
    var s3: String?
    var endpoint: String?
    var region: String?
    var keepLocal = false
    var segmentSeconds = 3600

    static let segmentRange = 60...86_400

    /// The options `run` (and `report`, for S3's location) scans, by spelling.
    static let scannedOptions = [
        "--s3": "s3", "--s3-endpoint": "s3-endpoint", "--s3-region": "s3-region",
        "--archive-segment": "archive-segment",
    ]
    static let scannedFlags = ["--s3-keep-local": "s3-keep-local"]

    /// What the command line said (nil: each not given).
    struct Given: Equatable {
        var s3: String?
        var endpoint: String?
        var region: String?
        var keepLocal: Bool?
        var segmentSeconds: Int?
    }

    static func given(_ scanned: ArgumentScanner.Result) throws(UsageError) -> Given {
        var given = Given(
            s3: scanned.options["s3"]?.last, endpoint: scanned.options["s3-endpoint"]?.last,
            region: scanned.options["s3-region"]?.last,
            keepLocal: scanned.flags.contains("s3-keep-local") ? true : nil)
        if let text = scanned.options["archive-segment"]?.last {
            guard let seconds = Int(text), segmentRange.contains(seconds) else {
                throw UsageError("--archive-segment: '\(text)' is not a number of seconds from 60 to 86400")
            }
            given.segmentSeconds = seconds
        }
        if given.s3 == nil, given.endpoint != nil || given.region != nil || given.keepLocal != nil {
            let named = given.endpoint != nil ? "--s3-endpoint"
                : given.region != nil ? "--s3-region" : "--s3-keep-local"
            throw UsageError("\(named) needs --s3 s3://BUCKET/PREFIX (or \"archive\": {\"s3\": …} in the registry)")
        }
        return given
    }

    /// The registry's `"archive"` object, then what the command line gave over it.
    init(registry: Registry, given: Given) throws(RegistryError) {
        if let section = registry.unknownFields["archive"] {
            try self.init(section: section)
        } else {
            self.init()
        }
        if let s3 = given.s3 {
            self.s3 = s3
            // Another bucket than the registry's: its endpoint and region are not this one's.
            if registry.unknownFields["archive"]?["s3"]?.stringValue != s3 {
                endpoint = nil
                region = nil
            }
        }
        endpoint = given.endpoint ?? endpoint
        region = given.region ?? region
        keepLocal = given.keepLocal ?? keepLocal
        segmentSeconds = given.segmentSeconds ?? segmentSeconds
    }

    init() {}

    private init(section: JSONValue) throws(RegistryError) {
        guard let object = section.objectValue else {
            throw RegistryError(location: "archive", reason: "must be an object, not \(section.typeNameWithArticle)")
        }
        func text(_ key: String) throws(RegistryError) -> String? {
            guard let value = object[key], value != .null else { return nil }
            guard let text = value.stringValue, !text.isEmpty else {
                throw RegistryError(location: "archive.\(key)", reason: "must be a non-empty string")
            }
            return text
        }
        s3 = try text("s3")
        endpoint = try text("endpoint")
        region = try text("region")
        if let value = object["keepLocal"], value != .null {
            guard case .bool(let keep) = value else {
                throw RegistryError(location: "archive.keepLocal", reason: "must be true or false")
            }
            keepLocal = keep
        }
        if let value = object["segmentSeconds"], value != .null {
            guard let seconds = value.numberValue?.intValue, ArchiveOptions.segmentRange.contains(seconds) else {
                throw RegistryError(
                    location: "archive.segmentSeconds", reason: "must be a whole number from 60 to 86400")
            }
            segmentSeconds = seconds
        }
        for key in object.members.map(\.key)
        where !["s3", "endpoint", "region", "keepLocal", "segmentSeconds"].contains(key) {
            throw RegistryError(location: "archive.\(key)", reason: "is not a setting of the archive "
                                + "(s3, endpoint, region, keepLocal, segmentSeconds)")
        }
        if s3 == nil && (endpoint != nil || region != nil) {
            throw RegistryError(location: "archive", reason: "endpoint and region need \"s3\": \"s3://BUCKET/PREFIX\"")
        }
    }
}

extension ArchiveOptions {
    /// What the engine needs to send the archive to S3 (nil: it stays local); the bucket and
    /// the credentials are checked now, so that a mistake is said at start, not an hour later.
    func uploadSettings(environment: [String: String]) throws(ArchiveSetupError) -> ArchiveUploadSettings? {
        guard let s3 else { return nil }
        let location: S3Location
        do {
            location = try S3Location(s3, endpoint: endpoint, region: region, environment: environment)
        } catch {
            throw ArchiveSetupError(message: "--s3: \(error)")
        }
        let credentials: AWSCredentials
        do {
            credentials = try AWSCredentials.resolve(environment: environment)
        } catch {
            throw ArchiveSetupError(message: "--s3 \(location): \(error)")
        }
        return ArchiveUploadSettings(keepLocal: keepLocal) { loop in
            S3Client(location: location, credentials: credentials, loop: loop)
        }
    }
}

/// Why the archive's S3 settings cannot be used, said at start.
struct ArchiveSetupError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
