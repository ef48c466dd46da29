import Dispatch
import StreamCore
import StreamEngine

/// The one narrow interface between the monitor and an engine: published snapshots and
/// alerts in, commands out. The views never see the engine itself, so the same screens could
/// be attached to a headless engine over a socket.
public protocol MonitorLink: AnyObject, Sendable {
    /// The store's version (moves when any stream publishes) and every stream, by id.
    func latest() -> (version: Int, snapshots: [StreamSnapshot])
    /// The version alone: cheap, for asking ten times a second whether anything moved.
    var version: Int { get }
    func alerts(after sequence: Int) -> [AlertEvent]

    // The next three may block (a stream's queue, the log files, a request to another
    // process): the monitor calls them on queues of its own (`OnDemandFetch`), never on the
    // main thread, and draws what they returned last. They throw when the engine did not
    // answer (what the monitor shows stays).
    /// Sparkline data of one stream.
    func history(id: String) throws -> StreamHistory?
    /// The last `limit` log entries of one stream, oldest first.
    func recentLog(id: String, limit: Int) throws -> [LogEntry]
    /// The current JSON document of one stream.
    func document(id: String) throws -> JSONValue?
    /// The least time between two fetches of one kind for one stream (the monitor asks again
    /// only when the stream published since, and this passed).
    func fetchInterval(_ kind: OnDemandKind) -> Duration

    /// The state directory's disk use against its budget (nil: not kept).
    var disk: DiskStatus? { get }
    /// The registered settings of one stream (for the edit form).
    func spec(id: String) -> StreamSpec?
    /// A new id for a stream named `name`.
    func newID(for name: String) -> String

    func start(id: String) -> String?
    func stop(id: String) -> String?
    func restart(id: String)
    /// Each returns a message for a person when it failed (nil: done).
    func add(_ spec: StreamSpec) -> String?
    func update(_ spec: StreamSpec) -> String?
    func remove(id: String) -> String?

    /// The engine in another process this link reads (nil: the engine is in this process, and
    /// quitting stops its streams).
    var attachment: MonitorAttachment? { get }
}

/// What the monitor fetches of a stream beyond its snapshot.
public enum OnDemandKind: Sendable {
    case history, document, log
}

extension MonitorLink {
    public var disk: DiskStatus? { nil }
    public var attachment: MonitorAttachment? { nil }
    /// At every publication (at most ten a second).
    public func fetchInterval(_ kind: OnDemandKind) -> Duration { .zero }
}

/// In debug builds, stops a blocking call made on the main thread: the monitor draws there,
/// and a frame must never wait on a stream's queue, a file or another process.
package func assertOffMainThread() {
    #if DEBUG
    dispatchPrecondition(condition: .notOnQueue(.main))
    #endif
}

/// `MonitorLink` for an engine in this process.
public final class EngineLink: MonitorLink {
    public let engine: Engine

    public init(engine: Engine) {
        self.engine = engine
    }

    public func latest() -> (version: Int, snapshots: [StreamSnapshot]) { engine.store.latest() }
    public var version: Int { engine.store.version }
    public func alerts(after sequence: Int) -> [AlertEvent] { engine.store.alerts(after: sequence) }
    /// On the stream's queue.
    public func history(id: String) -> StreamHistory? {
        assertOffMainThread()
        return engine.history(id: id)
    }

    /// From the stream's log files.
    public func recentLog(id: String, limit: Int) -> [LogEntry] {
        assertOffMainThread()
        return engine.recentLog(id: id, limit: limit)
    }

    /// On the stream's queue.
    public func document(id: String) -> JSONValue? {
        assertOffMainThread()
        return engine.document(id: id)
    }

    public var disk: DiskStatus? { engine.store.disk }
    public func spec(id: String) -> StreamSpec? { engine.specs.first { $0.id == id } }

    public func newID(for name: String) -> String {
        (try? Registry(streams: engine.specs))?.newID(for: name) ?? StreamSpec.slug(name)
    }

    public func start(id: String) -> String? { engine.start(id: id).map { "not saved: \($0)" } }
    public func stop(id: String) -> String? { engine.stop(id: id).map { "not saved: \($0)" } }
    public func restart(id: String) { engine.restart(id: id) }

    public func add(_ spec: StreamSpec) -> String? {
        do { try engine.add(spec) } catch { return error.description }
        return nil
    }

    public func update(_ spec: StreamSpec) -> String? {
        do { try engine.update(spec) } catch { return error.description }
        return nil
    }

    public func remove(id: String) -> String? {
        do { try engine.remove(id: id) } catch { return error.description }
        return nil
    }
}
