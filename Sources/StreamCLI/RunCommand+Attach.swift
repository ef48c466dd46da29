#if canImport(Glibc)
import Glibc
#endif
import StreamCore
import StreamEngine
import StreamService
import StreamUI

/// `run` beside an engine that already runs: the monitor attaches to it (`RemoteLink`) instead
/// of starting a second one; `--headless` refuses, since one engine per state directory runs.
extension RunCommand {
    /// Another process holds the lock of `stateDirectory`. The monitor attaches to it when its
    /// socket answers (it may be binding it still: a few tries over 3 s); `--headless` refuses
    /// and says where to look. Nil: nothing answers, the lock's own message says the rest.
    func attachToHolder(
        of stateDirectory: String, registryPath: String, pid: Int32?, _ context: CommandContext
    ) -> Int32? {
        if headless {
            let who = pid.map { "another streamtop (pid \($0))" } ?? "another streamtop"
            context.complain(
                "\(who) is already running the streams of \(stateDirectory); 'streamtop status' shows them, "
                    + "and 'streamtop run' without --headless attaches a monitor to it")
            return 1
        }
        for attempt in 0..<30 {
            if attempt > 0 { usleep(100_000) }
            if let (client, health) = ServiceClient.running(stateDirectory: stateDirectory) {
                return runAttached(client: client, health: health, registryPath: registryPath, context)
            }
            guard StateDirectoryLock.isHeld(stateDirectory: stateDirectory) else { return nil }
        }
        return nil
    }

    /// `--attach TARGET`.
    func attach(to target: String, _ context: CommandContext) -> Int32 {
        guard MonitorApp.hasTerminal else {
            context.complain("the monitor needs a terminal (standard input and output are not a TTY here); "
                             + "'streamtop status' reads a running streamtop from a script")
            return 1
        }
        guard monitorCanDraw(context) else { return 1 }
        let endpoint: ServiceClient.Endpoint
        do {
            endpoint = try AttachTarget.endpoint(target, tokenFile: tokenFile, environment: context.environment)
        } catch {
            context.complain(error.message)
            return 2
        }
        let client: ServiceClient
        let health: ServiceClient.Health
        do {
            client = try ServiceClient(endpoint: endpoint)
            health = try client.health()
        } catch let error as ServiceError {
            var message = "cannot attach to \(endpoint): \(error.message)"
            if error.status == 401, case .tcp(_, nil) = endpoint {
                message += "; give the token with --token-file PATH or STREAMTOP_TOKEN"
            }
            context.complain(message)
            return 1
        } catch {
            context.complain("cannot attach to \(endpoint): \(error)")
            return 1
        }
        // The registry is read for edits only when it is surely the engine's: named with
        // --config, beside a socket on this machine.
        var registryPath: String?
        if case .unix = endpoint, config != nil {
            registryPath = Paths.registry(override: config, environment: context.environment)
        }
        return runAttached(client: client, health: health, registryPath: registryPath, context)
    }

    /// The monitor on `RemoteLink` until `q`, which detaches and leaves every stream running.
    private func runAttached(
        client: ServiceClient, health: ServiceClient.Health, registryPath: String?, _ context: CommandContext
    ) -> Int32 {
        let link = RemoteLink(client: client, health: health, registryPath: registryPath)
        link.start()
        defer { link.close() }
        let registry = Paths.registry(override: config, environment: context.environment)
        let settingsPath = RegistryFile.directory(of: registry) + "/ui.json"
        let options = MonitorApp.Options(
            themeName: theme, themes: MonitorCommandSupport.themes(context), settingsPath: settingsPath,
            noColor: noColor || context.environment["NO_COLOR"].map { !$0.isEmpty } == true,
            greeting: "attached to streamtop (pid \(health.pid)) at \(client.endpoint); "
                + "q detaches, its streams keep running; ? for help",
            bell: noBell ? false : nil, mouse: noMouse ? false : nil)
        do {
            _ = try MonitorApp(link: link, time: SystemTimeSource(), options: options).run()
        } catch {
            context.complain("\(error)")
            return 1
        }
        context.say("detached from streamtop (pid \(link.attachment?.pid ?? health.pid)); its streams keep running")
        return 0
    }
}
