import Foundation
import Testing
@testable import SwitchboardGateway

@Suite("Gateway configuration")
struct GatewayConfigTests {
    private func parse(_ json: String) throws -> GatewayConfig {
        try GatewayConfig.parse(Data(json.utf8))
    }

    private func failure(_ json: String) -> String? {
        do {
            _ = try parse(json)
            return nil
        } catch {
            return (error as? ConfigError)?.description
        }
    }

    @Test func theShippedConfigurationLoads() throws {
        let config = try GatewayConfig.load(path: "Config/switchboard.json")
        #expect(config.listen.host == "127.0.0.1")
        #expect(config.listen.port == 8080)
        // Relative paths are taken from the file's folder: the store lands in var/ of the checkout.
        #expect(config.store.path == FileManager.default.currentDirectoryPath + "/var/switchboard.sqlite")
        try ConfigCheck.run(config)
    }

    @Test func documentedShapeParsesAndMissingKeysDefault() throws {
        let config = try parse(#"{"listen": {"host": "0.0.0.0", "port": 9000}, "store": {"path": "/tmp/x.sqlite"}}"#)
        #expect(config.listen.host == "0.0.0.0")
        #expect(config.listen.port == 9000)
        #expect(config.store.path == "/tmp/x.sqlite")
        #expect(config.store.synchronousFull)
        let empty = try parse("{}")
        #expect(empty == GatewayConfig())
    }

    @Test func tuningKeysAreRead() throws {
        let config = try parse(#"""
        {"listen": {"threads": 4, "connection_limit": 10, "idle_timeout_seconds": 5, "max_body_bytes": 2048,
                    "max_header_bytes": 8192, "shutdown_grace_seconds": 1.5},
         "store": {"synchronous": "normal", "busy_timeout_ms": 250}}
        """#)
        #expect(config.listen.threads == 4)
        #expect(config.serverConfiguration.maxBodyBytes == 2048)
        #expect(config.serverConfiguration.shutdownGraceSeconds == 1.5)
        #expect(!config.store.synchronousFull)
        #expect(config.store.busyTimeoutMilliseconds == 250)
    }

    @Test func unknownKeysAreNamedWithTheirPath() {
        #expect(failure(#"{"listen": {"hots": "x"}}"#) == "listen.hots: unknown key")
        #expect(failure(#"{"lisen": {}}"#) == "lisen: unknown key")
        #expect(failure(#"{"store": {"path": "a", "extra": 1}}"#) == "store.extra: unknown key")
    }

    @Test func wrongTypesAndRangesAreNamed() {
        #expect(failure(#"{"listen": {"port": "8080"}}"#) == "listen.port: must be an integer")
        #expect(failure(#"{"listen": {"port": true}}"#) == "listen.port: must be an integer")
        #expect(failure(#"{"listen": {"port": 8080.5}}"#) == "listen.port: must be an integer")
        #expect(failure(#"{"listen": {"port": 70000}}"#) == "listen.port: must be between 0 and 65535, got 70000")
        #expect(failure(#"{"listen": 5}"#) == "listen: must be an object")
        #expect(failure(#"{"store": {"synchronous": "off"}}"#) == #"store.synchronous: must be "full" or "normal", got "off""#)
        #expect(failure(#"{"store": {"path": ""}}"#) == "store.path: must not be empty")
        #expect(failure("[]") == "the top level must be a JSON object")
        #expect(failure("{") != nil)
    }

    @Test func secretRotationOverlapIsReadStrictly() throws {
        #expect(try parse("{}").delivery.secretRotationOverlapSeconds == 86_400)
        #expect(try parse(#"{"delivery": {"secret_rotation_overlap_seconds": 0}}"#).delivery.secretRotationOverlapSeconds == 0)
        #expect(try parse(#"{"delivery": {"secret_rotation_overlap_seconds": 3600}}"#).delivery.secretRotationOverlapSeconds == 3600)
        #expect(failure(#"{"delivery": {"secret_rotation_overlap_seconds": -1}}"#)
                == "delivery.secret_rotation_overlap_seconds: must be between 0 and 2592000, got -1")
        #expect(failure(#"{"delivery": {"secret_rotation_overlap_seconds": "1h"}}"#)
                == "delivery.secret_rotation_overlap_seconds: must be an integer")
        #expect(failure(#"{"delivery": {"secret_rotation_overlap": 1}}"#) == "delivery.secret_rotation_overlap: unknown key")
    }

    @Test func loadNamesTheFile() {
        do {
            _ = try GatewayConfig.load(path: "/nonexistent/switchboard.json")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "/nonexistent/switchboard.json: cannot read the file")
        }
    }
}
