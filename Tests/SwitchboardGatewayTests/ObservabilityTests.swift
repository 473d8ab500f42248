import Foundation
import SwitchboardStore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

@Suite("Metrics, health and log masking")
struct ObservabilityTests {
    private func gateway(_ directory: TemporaryDirectory, logTo fd: Int32? = nil) throws -> (Gateway, LogWriter) {
        let config = try GatewayConfig.parse(Data("""
        {"listen": {"host": "127.0.0.1", "port": 0}, "store": {"path": "\(directory.file("gw.sqlite"))", "busy_timeout_ms": 50},
         "sources": [{"name": "salpre", "format": "salpre", "auth": {"scheme": "header-token", "header": "X-T", "value": "t"}}]}
        """.utf8), environment: [:])
        let writer = LogWriter(fileDescriptor: fd ?? open("/dev/null", O_WRONLY))
        let gateway = Gateway(config: config, logger: Logger(writer: writer))
        try gateway.start()
        return (gateway, writer)
    }

    @Test func metricsCountRequestsByRoutePatternAndExposeTheQueue() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (gateway, writer) = try gateway(directory)
        defer { gateway.shutdown(); writer.close() }
        let port = gateway.port
        let text = try await blocking { () -> String in
            let connection = try RawHTTPConnection(port: port)
            _ = try connection.request("GET", "/healthz")
            _ = try connection.request("POST", "/v1/ingest/salpre", headers: [("X-T", "t")],
                                       body: Array(#"{"event_type":"call_ringing","timestamp_utc":1,"payload":{"call_id":1}}"#.utf8))
            // An unknown source is refused from its headers, and that answer closes its connection.
            _ = try RawHTTPConnection(port: port).request("POST", "/v1/ingest/other", body: Array("{}".utf8))
            _ = try connection.request("GET", "/nowhere/1234")
            _ = eventually { gateway.serverStatistics.requestsCompleted >= 4 }
            return try connection.request("GET", "/metrics").text
        }
        #expect(text.contains(#"switchboard_http_requests_total{route="/healthz",method="GET",status="200"} 1"#))
        #expect(text.contains(#"switchboard_http_requests_total{route="/v1/ingest/{source}",method="POST",status="202"} 1"#))
        #expect(text.contains(#"switchboard_http_requests_total{route="/v1/ingest/{source}",method="POST",status="404"} 1"#))
        #expect(text.contains(#"switchboard_http_requests_total{route="unmatched",method="GET",status="404"} 1"#))
        #expect(text.contains("switchboard_ingest_duration_seconds_count 2"))
        #expect(text.contains("switchboard_delivery_queue_depth 0"))
        #expect(text.contains("# TYPE switchboard_delivery_attempt_duration_seconds histogram"))
        // The writer committed at least the ingested event; its busy time is a positive number of seconds.
        var counters: [String: Double] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("switchboard_store_") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { counters[String(parts[0])] = value }
        }
        #expect(counters["switchboard_store_write_commits_total", default: 0] >= 1, "\(counters)")
        #expect(counters["switchboard_store_write_items_total", default: 0] >= 1)
        #expect(counters["switchboard_store_writer_busy_seconds_total", default: 0] > 0)
        #expect(counters["switchboard_store_reconnects_total"] == 0)
    }

    @Test func healthzReportsAStoreThatCannotCommitAndRecovers() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (gateway, writer) = try gateway(directory)
        defer { gateway.shutdown(); writer.close() }
        let port = gateway.port
        let body = Array(#"{"event_type":"call_ringing","timestamp_utc":1,"payload":{"call_id":2}}"#.utf8)
        let blocker = try SQLiteConnection(path: directory.file("gw.sqlite"))
        try blocker.exec("BEGIN IMMEDIATE")
        let during = try await blocking { () -> (Int, Int) in
            let connection = try RawHTTPConnection(port: port)
            let ingest = try connection.request("POST", "/v1/ingest/salpre", headers: [("X-T", "t")], body: body).status
            return (ingest, try connection.request("GET", "/healthz").status)
        }
        #expect(during == (503, 503))
        try blocker.exec("ROLLBACK")
        blocker.close()
        let after = try await blocking { () -> (Int, Int) in
            let connection = try RawHTTPConnection(port: port)
            let ingest = try connection.request("POST", "/v1/ingest/salpre", headers: [("X-T", "t")], body: body).status
            return (ingest, try connection.request("GET", "/healthz").status)
        }
        #expect(after == (202, 200))
    }

    @Test func phoneNumbersAreMaskedInLogs() {
        // Issue 13 §6: all but the last 4 digits (it kept the first 2 and the last 2); more shapes in PhoneMaskTests.
        #expect(PhoneMask.mask("from +905555555555 to +14155550123") == "from +********5555 to +*******0123")
        #expect(PhoneMask.mask("+123456") == "+123456")  // too short to be a phone number
        #expect(PhoneMask.mask("no numbers") == "no numbers")
        let line = Logger.line(level: .info, message: "caller +905555555555", fields: ["to": "+14155550123"], at: 0)
        #expect(!line.contains("5555555555") && !line.contains("4155550123"))
    }

    @Test func logSettingsParse() throws {
        let config = try GatewayConfig.parse(Data(#"{"log": {"level": "warn", "mask_phone_numbers": false}}"#.utf8), environment: [:])
        #expect(config.logLevel == .warn)
        #expect(!config.maskPhoneNumbers)
        #expect(throws: ConfigError.self) { try GatewayConfig.parse(Data(#"{"log": {"level": "loud"}}"#.utf8), environment: [:]) }
    }
}
