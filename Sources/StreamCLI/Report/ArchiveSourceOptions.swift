import StreamCore
import StreamEngine

/// `--source local|s3` with `--s3`, `--s3-endpoint` and `--s3-region`, as `report` and `replay`
/// take them: where an archive is read from. Without `--s3`, `--source s3` takes the registry's
/// `"archive": {"s3": …}` (what `run` uploads to).
struct ArchiveSourceOptions: Equatable {
    var s3: Bool
    var given = ArchiveOptions.Given()

    static let options: [CommandOption] = [
        CommandOption(spellings: ["--source"], name: "source", value: "local|s3", help: """
            Where the archive is read: the state directory's (default), or S3
            (--s3, else the registry's "archive": {"s3": …}), read back with the
            credentials 'run --s3' uses.
            """),
        CommandOption(spellings: ["--s3"], name: "s3", value: "s3://BUCKET/PREFIX", help: """
            The archive on S3 (with --source s3; implies it).
            """),
        CommandOption(spellings: ["--s3-endpoint"], name: "s3-endpoint", value: "URL", help: """
            An S3-compatible store (MinIO, Ceph, moto…), addressed path-style.
            """),
        CommandOption(spellings: ["--s3-region"], name: "s3-region", value: "R", help: """
            The bucket's region (default: AWS_REGION, else us-east-1).
            """),
    ]

    init(_ scanned: ArgumentScanner.Result) throws(UsageError) {
        func value(_ name: String) -> String? { scanned.options[name]?.last }
        given = ArchiveOptions.Given(s3: value("s3"), endpoint: value("s3-endpoint"), region: value("s3-region"))
        switch value("source") {
        case nil: s3 = given.s3 != nil
        case "local":
            s3 = false
            if given.s3 != nil || given.endpoint != nil || given.region != nil {
                throw UsageError("--s3, --s3-endpoint and --s3-region go with --source s3")
            }
        case "s3": s3 = true
        case let other?: throw UsageError("--source takes local or s3, not '\(Sanitizer.line(other))'")
        }
        if let url = given.s3, !url.lowercased().hasPrefix("s3://") {
            throw UsageError("--s3 takes s3://BUCKET/PREFIX, not '\(Sanitizer.line(url))'")
        }
        if !s3, given.endpoint != nil || given.region != nil {
            throw UsageError("--s3-endpoint and --s3-region go with --s3 s3://BUCKET/PREFIX")
        }
    }

    /// `source`, or nil once the reason it cannot be read was said.
    func open(stateDirectory: String, config: String?, _ context: CommandContext) -> (any ArchiveSource)? {
        do {
            return try source(stateDirectory: stateDirectory, config: config, context)
        } catch {
            context.complain(Sanitizer.line("\(error)"))
            return nil
        }
    }

    /// The archive to read: the state directory's, or the bucket's (its location from the
    /// options, else the registry at `config`; the credentials from the environment).
    func source(stateDirectory: String, config: String?, _ context: CommandContext) throws -> any ArchiveSource {
        guard s3 else { return LocalArchiveSource(stateDirectory: stateDirectory) }
        var registry = Registry()
        if given.s3 == nil {
            registry = try RegistryFile(path: Paths.registry(override: config, environment: context.environment)).load()
        }
        let options = try ArchiveOptions(registry: registry, given: given)
        guard let url = options.s3 else {
            throw ArchiveSetupError(message: "--source s3 needs --s3 s3://BUCKET/PREFIX (or \"archive\": {\"s3\": …} "
                                    + "in the registry)")
        }
        let location: S3Location
        do {
            location = try S3Location(url, endpoint: options.endpoint, region: options.region,
                                      environment: context.environment)
        } catch {
            throw ArchiveSetupError(message: "--s3: \(error)")
        }
        do {
            let credentials = try AWSCredentials.resolve(environment: context.environment)
            return try S3ArchiveSource(location: location, credentials: credentials)
        } catch let error as AWSCredentialsError {
            throw ArchiveSetupError(message: "--s3 \(location): \(error)")
        }
    }
}
