import Foundation

/// `gzip -dc path`: what the system's gzip makes of a file, and its exit status. An independent
/// decoder for checking the gzip streamtop and LocalServer write.
package func systemGunzip(_ path: String) throws -> (bytes: [UInt8], status: Int32) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-dc", path]
    process.standardError = FileHandle.nullDevice
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (Array(output), process.terminationStatus)
}
