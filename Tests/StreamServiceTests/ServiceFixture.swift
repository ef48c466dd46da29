import Foundation
import HTTPServer
import LocalServer
import StreamCore
import StreamEngine
import StreamService
import TestSupport
import XCTest

/// An upstream (LocalServer), an engine on a registry in a temporary state directory, and its
/// control service: what every API test starts from.
final class ServiceFixture {
    let upstream: LocalServer
    let directory: String
    let registryFile: RegistryFile
    let engine: Engine
    let service: ControlService
    let client: ServiceClient

    init(
        specs: [StreamSpec] = [], listen: [ListenAddress] = [], limits: HTTPServer.Limits = .init(),
        directory: String = "/tmp/st-svc-\(UUID().uuidString.prefix(8))",
        serveListen: [ListenAddress] = [], serveLimits: HTTPServer.Limits = ControlService.servedLimits,
        time: any Scheduler = SystemScheduler(), upstreamClock: ManualTimeSource? = nil
    ) throws {
        let period: Duration = upstreamClock == nil ? .milliseconds(50) : .seconds(1)
        upstream = try LocalServer(
            configuration: .init(apis: [
                .init(name: "quotes", kind: "quotes", period: period),
                .init(name: "weather", kind: "weather", period: period),
                .init(name: "market", kind: "market", period: period),
            ], retryMilliseconds: 50),
            time: upstreamClock ?? SystemTimeSource())
        self.directory = directory
        registryFile = RegistryFile(path: directory + "/streams.json")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let upstreamURL = upstream.baseURL
        let resolved = specs.map { spec in
            var spec = spec
            spec.url = spec.url.replacingOccurrences(of: "UPSTREAM", with: upstreamURL)
            return spec
        }
        try registryFile.save(try Registry(streams: resolved))
        engine = try Engine(specs: resolved, stateDirectory: directory, registryFile: registryFile, time: time)
        var options = ControlService.Options(stateDirectory: directory)
        options.listen = listen
        options.serveListen = serveListen
        options.serveLimits = serveLimits
        options.version = "test"
        options.limits = limits
        service = try ControlService(engine: engine, options: options)
        client = try ServiceClient(endpoint: .unix(path: ControlService.socketPath(stateDirectory: directory)))
    }

    var socketPath: String { ControlService.socketPath(stateDirectory: directory) }

    func stop() {
        service.stop()
        engine.shutdown()
        upstream.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A request whose reply must have `status`; its JSON body.
    @discardableResult
    func expect(
        _ status: Int, _ method: String, _ path: String, body: JSONValue? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> JSONValue? {
        let reply = try client.request(method, path, body: body)
        XCTAssertEqual(reply.status, status, "\(method) \(path): \(String(decoding: reply.body, as: UTF8.self))",
                       file: file, line: line)
        return reply.json
    }
}
