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
            environment: context.environment,
            executablePath: Bundle.main.executablePath ?? CommandLine.arguments[0],
            currentDirectory: FileManager.default.currentDirectoryPath)
    }

    /// Raises the open-file limit as far as allowed; what to tell a person when it is still
    /// too low for `streams` streams.
    static func raiseOpenFileLimit(streams: Int) -> String? {
        OpenFileLimit.warning(streams: streams, limit: OpenFileLimit.raise())
    }
}
