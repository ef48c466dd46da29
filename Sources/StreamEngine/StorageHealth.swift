/// Whether one of a stream's files (its log or its archive) is being written, and what to say
/// when that changes. A full disk, a removed directory or too few file descriptors must not
/// lose weeks of data silently, nor repeat the same complaint for every event: a person hears
/// of the first failure of an incident and of its end, and the writes are retried meanwhile.
struct StorageHealth {
    enum Change: Equatable {
        /// The first failure since the file was last written: the reason.
        case failed(String)
        /// A write succeeded after failures.
        case recovered
    }

    /// The failure being lived through, if any.
    private(set) var problem: String?

    /// Takes the outcome of one operation on the file; returns what changed, if anything.
    mutating func record(_ failure: FileError?) -> Change? {
        switch (problem, failure) {
        case (nil, nil):
            return nil
        case (nil, let failure?):
            problem = failure.description
            return .failed(failure.description)
        case (_?, nil):
            problem = nil
            return .recovered
        case (_?, let failure?):
            // The same incident, whatever this attempt's reason.
            problem = failure.description
            return nil
        }
    }
}
