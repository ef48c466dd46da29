import Dispatch
import Foundation
import StreamCore
import StreamEngine
import StreamUI

/// What `run` and `demo` share around the monitor: where themes are found, and the chores
/// done once a second beside it (`Chores`).
enum MonitorCommandSupport {
    static func themes(_ context: CommandContext) -> ThemeCatalog {
        ThemeCatalog.standard(
            environment: context.environment, executablePath: Bundle.main.executablePath ?? CommandLine.arguments[0])
    }

    /// `--theme NAME` names a theme there is: a usage error listing the themes otherwise, before
    /// anything starts or is remembered.
    static func checkTheme(_ name: String?, _ context: CommandContext) throws(UsageError) {
        guard let name else { return }
        let names = themes(context).names()
        guard !names.contains(name) else { return }
        throw UsageError("--theme: no theme named '\(Sanitizer.line(name))'; the themes are "
                         + names.map(Sanitizer.line).joined(separator: ", "))
    }

    /// Raises the open-file limit as far as allowed (each running stream holds a socket, its
    /// log and its archive open); when it is still too low for `streams` streams, says so as
    /// an alert (the status line, or a headless run's stderr).
    static func raiseOpenFileLimit(for engine: Engine, streams: Int) {
        guard let warning = OpenFileLimit.warning(streams: streams, limit: OpenFileLimit.raise()) else { return }
        engine.store.publishAlert(stream: "", message: warning, recovered: false)
    }
}
