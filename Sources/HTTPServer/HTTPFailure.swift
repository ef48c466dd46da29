/// A request the server answers itself with an error status (400, 408, 413, 414, 431, …),
/// with a message for a person; the connection closes after it.
struct HTTPFailure: Error, Sendable, Equatable {
    var status: Int
    var message: String

    init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }
}
