import StreamCore

/// An API error: an HTTP status, a code for programs and a message for a person (the same one
/// the command line prints). Its body is `{"error": {"code": "…", "message": "…"}}`.
package struct ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    package var status: Int
    package var code: String
    package var message: String

    package init(_ status: Int, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    package var description: String { message }

    package var json: JSONValue {
        ["error": ["code": .string(code), "message": .string(message)]]
    }
}
