import StreamCore
import StreamEngine
import StreamUI
import Synchronization

/// What an attached monitor knows of the engine, shared between the thread that reads
/// `/v1/events` and the monitor's: the rows, alerts (numbered here, so that an engine
/// restarting its count loses none), the attachment, and the version that tells the monitor
/// something moved.
final class RemoteState: Sendable {
    private struct Live {
        var version = 0
        var snapshots: [StreamSnapshot] = []
        var streamIDs: Set<String> = []
        var disk: DiskStatus?
        var alerts: [AlertEvent] = []
        var nextAlert = 1
        var attachment: MonitorAttachment
    }

    private let live: Mutex<Live>
    /// Alerts kept for a monitor that has not read them (it reads ten times a second).
    static let alertLimit = 1000

    init(attachment: MonitorAttachment) {
        live = Mutex(Live(attachment: attachment))
    }

    var version: Int { live.withLock { $0.version } }
    var attachment: MonitorAttachment { live.withLock { $0.attachment } }
    var disk: DiskStatus? { live.withLock { $0.disk } }

    func latest() -> (version: Int, snapshots: [StreamSnapshot]) {
        live.withLock { ($0.version, $0.snapshots) }
    }

    var streamIDs: Set<String> { live.withLock { $0.streamIDs } }

    func alerts(after sequence: Int) -> [AlertEvent] {
        live.withLock { live in
            guard let last = live.alerts.last, last.sequence > sequence else { return [] }
            return live.alerts.filter { $0.sequence > sequence }
        }
    }

    func publish(_ snapshots: [StreamSnapshot], disk: DiskStatus?) {
        let streamIDs = Set(snapshots.map(\.id))
        live.withLock { live in
            live.snapshots = snapshots
            live.streamIDs = streamIDs
            live.disk = disk
            live.version += 1
        }
    }

    func alert(stream: String = "", _ message: String, recovered: Bool) {
        live.withLock { live in
            let alert = AlertEvent.received(
                sequence: live.nextAlert, stream: stream, message: message, recovered: recovered)
            live.alerts.append(alert)
            live.nextAlert += 1
            let excess = live.alerts.count - RemoteState.alertLimit
            if excess > 0 { live.alerts.removeFirst(excess) }
            live.version += 1
        }
    }

    /// Changes the attachment; returns what it was.
    @discardableResult
    func changeAttachment(_ change: (inout MonitorAttachment) -> Void) -> MonitorAttachment {
        live.withLock { live in
            let before = live.attachment
            change(&live.attachment)
            if live.attachment != before { live.version += 1 }
            return before
        }
    }
}
