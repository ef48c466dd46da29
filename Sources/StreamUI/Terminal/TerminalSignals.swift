#if canImport(Glibc)
import Glibc
#endif
import CCurses

/// Signals while the monitor owns the terminal. SIGINT, SIGTERM and SIGHUP (an SSH session
/// dropped) only set a flag: the main loop sees it within one tick and quits cleanly, so the
/// terminal is restored and the engine shut down. Fatal signals restore the terminal at once
/// (best effort) and then die as they would have.
enum TerminalSignals {
    nonisolated(unsafe) static var received: Int32 = 0

    static func install() {
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            Glibc.signal(signal) { number in TerminalSignals.received = number }
        }
        for signal in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] {
            Glibc.signal(signal) { number in
                ccurses_stop()
                Glibc.signal(number, SIG_DFL)
                raise(number)
            }
        }
    }

    static func restoreDefaults() {
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] {
            Glibc.signal(signal, SIG_DFL)
        }
    }
}
