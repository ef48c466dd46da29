/// An event with its data already parsed (see `Document.prepare`).
public struct PreparedEvent: Sendable {
    public enum Content: Sendable {
        case patch(Result<TreePatch, PatchReadError>)
        case json(Result<JSONTree, JSONParseError>)
        /// Neither a document nor a patch, whatever its data: an `error` event (Streamdata's
        /// proxies send one with a JSON object, which is no snapshot).
        case text
    }

    public var event: SSEEvent
    public var content: Content
}
