/// What one accepted event did.
public struct Observation: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case snapshot, patch, text
    }

    public var kind: Kind
    /// UTF-8 length of the event's data.
    public var payloadBytes: Int
    /// Operations in the patch (0 for snapshots and text).
    public var operations: Int
    /// Whether the document differs from before this event.
    public var changed: Bool
    /// The document after this event (nil before the first snapshot). It shares the document's
    /// storage: keeping it past the next event would make that event copy the whole document.
    public var document: JSONTree?

    public init(kind: Kind, payloadBytes: Int, operations: Int, changed: Bool, document: JSONTree?) {
        self.kind = kind
        self.payloadBytes = payloadBytes
        self.operations = operations
        self.changed = changed
        self.document = document
    }
}
