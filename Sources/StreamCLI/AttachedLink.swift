import StreamService
import StreamUI

/// A started `RemoteLink` to the engine behind `client`, as `run` attaches to it, for a caller
/// outside this module (the service benchmark's attached monitor); `close` detaches.
package func attachedLink(
    client: ServiceClient, health: ServiceClient.Health
) -> (link: any MonitorLink, close: @Sendable () -> Void) {
    let link = RemoteLink(client: client, health: health)
    link.start()
    return (link, { link.close() })
}
