import Foundation
import StreamCLI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// SIGINT and SIGTERM end a running command cleanly (it prints its summary) instead of killing
// it mid-line. The handler only sets a flag; read() returns EINTR because SA_RESTART is off.
nonisolated(unsafe) var interruptFlag: sig_atomic_t = 0

var action = sigaction()
action.__sigaction_handler.sa_handler = { _ in interruptFlag = 1 }
sigemptyset(&action.sa_mask)
action.sa_flags = 0
sigaction(SIGINT, &action, nil)
sigaction(SIGTERM, &action, nil)
// A reader that goes away (`streamtop run --headless | head -1`) must not kill a service: a
// write to it fails with EPIPE instead, and the output is dropped.
signal(SIGPIPE, SIG_IGN)

// A stdout nobody reads any more is given up once we are asked to stop.
let output = FileDescriptorSink(fd: STDOUT_FILENO, abandon: { interruptFlag != 0 })
let errors = FileDescriptorSink(fd: STDERR_FILENO, abandon: { interruptFlag != 0 })
let status = Streamtop.main(
    Array(CommandLine.arguments.dropFirst()),
    context: CommandContext(
        output: output, errors: errors, environment: ProcessInfo.processInfo.environment,
        interrupted: { interruptFlag != 0 }))
output.flush()
errors.flush()
exit(status)
