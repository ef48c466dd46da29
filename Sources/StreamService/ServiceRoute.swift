/// Every route of the control API, matched from a request's path; the method is checked
/// afterwards, so a known path with the wrong method is a 405 that names the right ones.
package enum ServiceRoute: Equatable, Sendable {
    case health
    case metrics
    case events
    case streams
    case stream(id: String)
    case action(id: String, StreamAction)
    case logs(id: String)
    case document(id: String)
    case history(id: String)
    /// A stream's settings in the registry's form, secrets masked (for an edit form).
    case settings(id: String)
    /// A served stream (`"serve": true`) as SSE, or its page for a browser.
    case served(id: String, ServedResource)

    package enum StreamAction: String, Sendable, CaseIterable {
        case start, stop, restart
    }

    package enum ServedResource: String, Sendable, CaseIterable {
        /// `text/event-stream`: the document, then a patch per change.
        case sse
        /// The page that shows the live document in a browser.
        case view
    }

    /// The route of a path given as its decoded segments (an id may hold an escaped `/`); nil
    /// for paths the API does not have.
    package init?(segments: [String]) {
        var parts = segments
        if parts.last == "" && parts.count > 1 { parts.removeLast() }  // a trailing slash
        switch parts.count {
        case 1 where parts[0] == "metrics": self = .metrics
        case 2 where parts[0] == "v1":
            switch parts[1] {
            case "health": self = .health
            case "events": self = .events
            case "streams": self = .streams
            default: return nil
            }
        case 3 where parts[0] == "v1" && parts[1] == "streams" && !parts[2].isEmpty:
            self = .stream(id: parts[2])
        case 4 where parts[0] == "v1" && parts[1] == "streams" && !parts[2].isEmpty:
            let id = parts[2]
            if let action = StreamAction(rawValue: parts[3]) {
                self = .action(id: id, action)
                return
            }
            if let resource = ServedResource(rawValue: parts[3]) {
                self = .served(id: id, resource)
                return
            }
            switch parts[3] {
            case "logs": self = .logs(id: id)
            case "document": self = .document(id: id)
            case "history": self = .history(id: id)
            case "settings": self = .settings(id: id)
            default: return nil
            }
        default: return nil
        }
    }

    /// The methods this route answers (HEAD goes with GET).
    package var methods: [String] {
        switch self {
        case .health, .metrics, .events, .logs, .document, .history, .settings, .served: return ["GET", "HEAD"]
        case .streams: return ["GET", "HEAD", "POST"]
        case .stream: return ["GET", "HEAD", "PUT", "DELETE"]
        case .action: return ["POST"]
        }
    }
}
