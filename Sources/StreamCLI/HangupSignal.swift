#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// SIGHUP for `run --headless`, the daemon convention: read the registry again and reopen the
/// files, instead of ending. Only a headless run installs it (a terminal's hangup still ends
/// the monitor and `tail`). The handler only counts; the run's loop acts on a new count.
enum HangupSignal {
    private static let received = Atomic<Int>(0)

    /// How many SIGHUPs arrived so far.
    static var count: Int { received.load(ordering: .acquiring) }

    static func install() {
        _ = count  // initialise the counter here, never for the first time inside the handler
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in HangupSignal.received.add(1, ordering: .releasing) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGHUP, &action, nil)
    }
}
