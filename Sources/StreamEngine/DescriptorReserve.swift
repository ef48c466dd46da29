#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Descriptors set aside for one file that must be written whatever the streams do:
/// status.json, which says what is wrong when a hard open-file limit is too low for the
/// registry and connections, logs and archives have taken every other descriptor.
///
/// The reserve holds a few descriptors of /dev/null. `open` tries first without them; when
/// the system says there are none left, it gives one back and tries again, at once. `close`
/// turns the file's descriptor back into a reserved one with `dup2` over it, so that its
/// number is never free for another thread to take. (`dup3`, which would set close-on-exec
/// in the same step, is not in Swift's Glibc; for the instant until `F_SETFD` a command
/// spawned meanwhile could inherit /dev/null, and notification commands close descriptors
/// above 2 anyway.) A number lost to another thread in the
/// instant between giving one back and opening is made up later, when one is free.
final class DescriptorReserve: Sendable {
    private let held: Mutex<[Int32]>
    private let capacity: Int

    init(capacity: Int = 4) {
        self.capacity = capacity
        held = Mutex([])
        held.withLock { DescriptorReserve.topUp(&$0, to: capacity) }
    }

    deinit {
        held.withLock { held in
            for fd in held { Glibc.close(fd) }
        }
    }

    /// Reserved descriptors now (for tests).
    var count: Int { held.withLock { $0.count } }

    /// The descriptor `attempt` opens, using reserved ones when it fails for want of
    /// descriptors; negative (with `errno` set) when it fails anyway. One stays reserved, as
    /// the model `close` copies.
    func open(_ attempt: () -> Int32) -> Int32 {
        held.withLock { held in
            DescriptorReserve.topUp(&held, to: capacity)
            var fd = attempt()
            while fd < 0 && (errno == EMFILE || errno == ENFILE) && held.count > 1 {
                Glibc.close(held.removeLast())
                fd = attempt()
            }
            return fd
        }
    }

    /// Closes a descriptor `open` gave, keeping its number reserved when the reserve is short.
    func close(_ fd: Int32) {
        held.withLock { held in
            if held.count < capacity, let model = held.first, dup2(model, fd) == fd {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                held.append(fd)
            } else {
                Glibc.close(fd)
            }
        }
    }

    /// Takes descriptors while there are free ones, up to `capacity`.
    private static func topUp(_ held: inout [Int32], to capacity: Int) {
        while held.count < capacity {
            let fd = held.first.map { fcntl($0, F_DUPFD_CLOEXEC, 0) } ?? Glibc.open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return }
            held.append(fd)
        }
    }
}
