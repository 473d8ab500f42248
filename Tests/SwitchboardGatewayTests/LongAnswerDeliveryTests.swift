import Foundation
import SwitchboardHTTP
import SwitchboardStore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Issue 13 §5: a 2xx answer with a long body is a success; only the first 1 MiB is read.
@Suite("Delivery: a 200 with a body over 1 MiB is delivered")
struct LongAnswerDeliveryTests {
    @Test func aTwoMebibyteAnswerIsDeliveredAtTheFirstAttempt() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let answer = HTTPResponseFixture.bytes(2 << 20)
        let sink = try RecordingSink { _ in answer }
        defer { sink.stop() }
        let config = try GatewayConfig.parse(Data("""
        {"listen": {"host": "127.0.0.1", "port": 0}, "store": {"path": "\(directory.file("gw.sqlite"))"},
         "org_default_secret": "whsec_org_secret",
         "delivery": {"timeout_ms": 5000, "retry_schedule_seconds": [0, 1, 1], "jitter": 0, "allow_private_networks": true},
         "sources": [{"name": "salpre", "format": "salpre",
                      "auth": {"scheme": "header-token", "header": "X-Salpre-Token", "value": "t"},
                      "webhook_url": "\(sink.url)"}]}
        """.utf8), environment: [:])
        let writer = LogWriter(fileDescriptor: open("/dev/null", O_WRONLY))
        let gateway = Gateway(config: config, logger: Logger(writer: writer))
        try gateway.start()
        defer { gateway.shutdown(); writer.close() }
        let port = gateway.port
        let event = #"{"event_type":"call_initiated","timestamp_utc":1760084505,"payload":{"call_id":7,"from":"+905555555555","to":"+905555555554","direction":"outbound"},"is_test":false}"#
        let status = try await blocking {
            try RawHTTPConnection(port: port).request("POST", "/v1/ingest/salpre", headers: [("X-Salpre-Token", "t")],
                                                      body: Array(event.utf8)).status
        }
        #expect(status == 202)
        let rows = try await blocking { () -> [(String, Int, Int?)] in
            _ = eventually(10) {
                (try? gateway.database?.read { try $0.scalar("SELECT count(*) FROM deliveries WHERE status = 'pending'", as: Int.self) }) == 0
            }
            return try gateway.database?.read { connection in
                try connection.query("SELECT status, attempt_count, last_response_status FROM deliveries").map {
                    (try $0.get("status", as: String.self), try $0.get("attempt_count", as: Int.self),
                     try $0.get("last_response_status", as: Int?.self))
                }
            } ?? []
        }
        print("2 MiB 200 answer: deliveries \(rows.map { "\($0.0) after \($0.1) attempt(s)" })")
        #expect(!rows.isEmpty)
        for row in rows {
            #expect(row.0 == "delivered" && row.1 == 1 && row.2 == 200, "\(row)")
        }
        #expect(sink.all.count == rows.count, "one request per delivery: none retried")
    }
}

/// Response bodies for the sinks of these tests.
enum HTTPResponseFixture {
    /// 200 with `count` bytes of `x`.
    static func bytes(_ count: Int) -> SwitchboardHTTP.HTTPResponse {
        SwitchboardHTTP.HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"], body: Array(repeating: 0x78, count: count))
    }
}
