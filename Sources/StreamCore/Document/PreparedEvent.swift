/// An event with its data already parsed (see `Document.prepare`).
public struct PreparedEvent: Sendable {
    public enum Content: Sendable {
        case patch(Result<JSONPatch, PatchReadError>)
        case json(Result<JSONValue, JSONParseError>)
    }

    public var event: SSEEvent
    public var content: Content
}
