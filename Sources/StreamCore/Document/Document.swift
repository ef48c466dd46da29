/// The JSON document a Streamdata-style event stream describes.
///
/// The stream sends one full snapshot and then RFC 6902 patches against it:
/// - event type `data`: the full JSON snapshot;
/// - event type `patch`: a JSON Patch (array of operations) to apply to the current snapshot;
/// - any other event whose data is JSON: a new snapshot; other data is plain text, passed on.
///
/// A generic SSE stream (chat, logs, LLM tokens ending in `[DONE]`) is text, never an error: only a
/// `data` event that is not JSON, a patch before any snapshot or one that cannot be read or applied,
/// and a dropped event (`markStale`) are errors. They leave the document as it was and mark it
/// **stale**, because later patches were computed against a state we no longer have. Patches are
/// refused until the next snapshot.
public struct Document: Sendable {
    /// The document (nil before the first snapshot), patched in place.
    public private(set) var tree: JSONTree?
    /// The document as a `JSONValue` (a conversion: for callers off the hot path).
    public var current: JSONValue? { tree?.value }
    /// Why the document is stale, or nil when it is in sync with the stream.
    public private(set) var staleReason: String?
    public var parseOptions: JSONParser.Options
    /// Values the patches' `copy` operations may still duplicate until the next snapshot.
    private var copyBudget = JSONValue.copyLimit
    /// Whether a patch has been applied since the last snapshot (the stream is Streamdata-style).
    private var patchedSinceSnapshot = false

    public init(parseOptions: JSONParser.Options = JSONParser.Options()) {
        self.parseOptions = parseOptions
    }

    public var isStale: Bool { staleReason != nil }

    /// Consumes one event and says what it did to the document.
    public mutating func consume(_ event: SSEEvent) -> Result<Observation, DocumentError> {
        consume(Document.prepare(event, options: parseOptions))
    }

    /// Parses an event's data for `consume`. Stateless: it may run on another thread than the
    /// one that owns the document, ahead of it (the parsing is most of the work per event).
    public static func prepare(_ event: SSEEvent, options: JSONParser.Options) -> PreparedEvent {
        if event.type == "error" { return PreparedEvent(event: event, content: .text) }
        if event.type == "patch" {
            let patch = Result { () throws(PatchReadError) in try TreePatch(parsing: event.data, options: options) }
            return PreparedEvent(event: event, content: .patch(patch))
        }
        let parsed = Result { () throws(JSONParseError) in try JSONTree(parsing: event.data, options: options) }
        return PreparedEvent(event: event, content: .json(parsed))
    }

    /// Prepares events read together (one read of a stream), as `prepare` does each: their
    /// patches are read one after another into one `TreePatch.Arena` and share its arrays, so
    /// that a read allocates per read rather than per event, and its patches are freed together.
    package static func prepare(_ events: [SSEEvent], options: JSONParser.Options) -> [PreparedEvent] {
        var arena = TreePatch.Arena()
        var prepared: [PreparedEvent] = []
        prepared.reserveCapacity(events.count)
        var shared: [(index: Int, range: Range<Int>)] = []
        for event in events {
            if event.type == "patch", let range = arena.read(event.data, options: options) {
                shared.append((prepared.count, range))
                prepared.append(PreparedEvent(event: event, content: .text))  // its patch is set below
            } else {
                prepared.append(prepare(event, options: options))
            }
        }
        guard !shared.isEmpty else { return prepared }
        let storage = arena.storage()
        for (index, range) in shared {
            prepared[index].content = .patch(.success(TreePatch(storage: storage, range: range)))
        }
        return prepared
    }

    /// Applies a prepared event, in stream order.
    public mutating func consume(_ prepared: PreparedEvent) -> Result<Observation, DocumentError> {
        let event = prepared.event
        let bytes = event.data.utf8.count
        func failure(_ reason: String) -> Result<Observation, DocumentError> {
            if staleReason == nil { staleReason = reason }
            return .failure(DocumentError(reason: reason, eventType: event.type, lastEventID: event.lastEventID))
        }
        switch prepared.content {
        case .patch(.failure(let error)):
            return failure(error.description)
        case .patch(.success(let patch)):
            guard var document = tree else { return failure("patch received before any snapshot") }
            if let staleReason {
                return .failure(DocumentError(
                    reason: "patch not applied: the document is stale (\(staleReason)); waiting for a new snapshot",
                    eventType: event.type, lastEventID: event.lastEventID))
            }
            tree = nil  // keep the document's storage uniquely referenced while patching
            let changed: Bool
            do {
                changed = try document.apply(patch, copyBudget: &copyBudget, maxDepth: parseOptions.maxDepth)
                patchedSinceSnapshot = true
            } catch {
                tree = document
                return failure("patch failed: \(error)")
            }
            tree = document
            return .success(Observation(
                kind: .patch, payloadBytes: bytes, operations: patch.count, changed: changed, document: document))
        case .json(.success(let json)):
            let changed = tree != json
            tree = json
            staleReason = nil
            copyBudget = JSONValue.copyLimit
            patchedSinceSnapshot = false
            return .success(Observation(
                kind: .snapshot, payloadBytes: bytes, operations: 0, changed: changed, document: json))
        case .text:
            return .success(Observation(
                kind: .text, payloadBytes: bytes, operations: 0, changed: false, document: tree))
        case .json(.failure(let error)):
            // Data over a limit (depth, memory) is refused, whatever the event's type: it may be
            // a snapshot, and what is known of it is too costly to keep.
            if error.isLimit { return failure("JSON snapshot refused: \(error.reasonText)") }
            // A `data` event must be JSON. Any other event may carry text, even text that starts
            // like JSON (`[DONE]`, `{not json}`): it is passed on and the document is untouched.
            if event.type == "data" { return failure("malformed JSON snapshot: \(error)") }
            return .success(Observation(
                kind: .text, payloadBytes: bytes, operations: 0, changed: false, document: tree))
        }
    }

    /// Takes a whole document parsed elsewhere (a poller's body) as the new snapshot.
    public mutating func replace(with snapshot: JSONTree) {
        tree = snapshot
        staleReason = nil
        copyBudget = JSONValue.copyLimit
        patchedSinceSnapshot = false
    }

    /// Marks the document out of sync (e.g. an event was dropped for its size).
    public mutating func markStale(_ reason: String) {
        if staleReason == nil { staleReason = reason }
    }

    /// An event of type `eventType` was dropped (too large). It makes the document stale when it
    /// may have been part of it: a `data` snapshot or a `patch`, or any event of a stream whose
    /// document patches have changed since its last snapshot. A generic stream (chat, logs,
    /// LLM tokens) loses only that event, never its place. Returns whether it made it stale.
    @discardableResult
    public mutating func dropped(eventType: String, reason: String) -> Bool {
        guard eventType == "data" || eventType == "patch" || patchedSinceSnapshot else { return false }
        markStale(reason)
        return true
    }
}
