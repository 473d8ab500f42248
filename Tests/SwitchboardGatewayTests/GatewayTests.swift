import Foundation
import SwitchboardStore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

@Suite("Gateway in process")
struct GatewayTests {
    private func config(_ directory: TemporaryDirectory, store: String = "nested/dir/gw.sqlite") -> GatewayConfig {
        var config = GatewayConfig()
        config.listen.port = 0
        config.store.path = directory.file(store)
        return config
    }

    private func discardingLogger() -> (Logger, LogWriter) {
        let writer = LogWriter(fileDescriptor: open("/dev/null", O_WRONLY))
        return (Logger(writer: writer), writer)
    }

    @Test func startOpensTheStoreInWALModeAndServesHealthz() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (logger, writer) = discardingLogger()
        defer { writer.close() }
        let gateway = Gateway(config: config(directory), logger: logger)
        try gateway.start()
        let port = gateway.port
        let response = try await blocking { try RawHTTPConnection(port: port).request("GET", "/healthz") }
        #expect(response.status == 200)
        #expect(response.text == #"{"status":"ok"}"#)
        let database = try #require(gateway.database)
        let mode = try database.read { try $0.scalar("PRAGMA journal_mode", as: String.self) }
        #expect(mode == "wal")
        #expect(FileManager.default.fileExists(atPath: directory.file("nested/dir/gw.sqlite")))
        gateway.shutdown()
        #expect(gateway.database == nil)
    }

    @Test func anUnusableStorePathFailsAtStartNotLater() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A regular file where the store's directory should be.
        try "x".write(toFile: directory.file("blocker"), atomically: true, encoding: .utf8)
        let (logger, writer) = discardingLogger()
        defer { writer.close() }
        let gateway = Gateway(config: config(directory, store: "blocker/gw.sqlite"), logger: logger)
        #expect(throws: (any Error).self) { try gateway.start() }
        #expect(gateway.database == nil)
    }

    @Test func aBusyPortFailsAtStartAndReleasesTheStore() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (logger, writer) = discardingLogger()
        defer { writer.close() }
        let first = Gateway(config: config(directory, store: "a.sqlite"), logger: logger)
        try first.start()
        defer { first.shutdown() }
        var clash = config(directory, store: "b.sqlite")
        clash.listen.port = first.port
        let second = Gateway(config: clash, logger: logger)
        #expect(throws: (any Error).self) { try second.start() }
        #expect(second.database == nil)
    }
}
