/// An event the document could not accept, with the reason and which event it was.
public struct DocumentError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var eventType: String
    public var lastEventID: String

    public var description: String { reason }
}
