import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// The Salpre example events of the vendor page, as one call (is_test false: they are to be delivered).
private let salpreCall: [String] = [
    #"{"event_type":"call_initiated","timestamp_utc":1760084505,"payload":{"call_id":1,"from":"+905555555555","to":"+905555555554","direction":"outbound","source":"salprebox:SALPRE_AABBCCDD"},"is_test":false}"#,
    #"{"event_type":"call_ringing","timestamp_utc":1760084555,"payload":{"from":"+905555555555","to":"+905555555554","source":"salprebox:SALPRE_AABBCCDD","direction":"outbound","call_id":1},"is_test":false}"#,
    #"{"event_type":"call_answered","timestamp_utc":1760084576,"payload":{"from":"+905555555555","to":"+905555555554","source":"salprebox:SALPRE_AABBCCDD","direction":"outbound","call_id":1},"is_test":false}"#,
    #"{"event_type":"transcript","timestamp_utc":1760084622,"payload":{"call":{"id":1,"from":"+905555555555","to":"+905555555554","source":"salprebox:SALPRE_AABBCCDD","direction":"outbound"},"type":"customer","transcript":"Hello, how are you?","timestamp_utc":"111111"},"is_test":false}"#,
    #"{"event_type":"call_ended","timestamp_utc":1760084597,"payload":{"from":"+905555555555","to":"+905555555554","direction":"outbound","source":"salprebox:SALPRE_AABBCCDD","call_id":1,"transcript":[{"type":"ai","message":"Greeting message"}]},"is_test":false}"#,
    #"{"event_type":"error","timestamp_utc":1760084656,"payload":{"call":{"id":1,"from":"+905555555555","to":"+905555555554","source":"salprebox:SALPRE_AABBCCDD","direction":"outbound"},"error_message":"Error message"},"is_test":false}"#,
]

/// A gateway with one Salpre source (header token) whose events go to a CallingBox-style webhook_url.
final class IngestFixture: @unchecked Sendable {
    let directory: TemporaryDirectory
    let writer: LogWriter
    var gateway: Gateway

    /// A gateway whose store lives in `directory` (a fresh temporary directory by default).
    convenience init(directory: TemporaryDirectory? = nil) throws {
        let directory = try directory ?? TemporaryDirectory()
        try self.init(directory: directory, config: try Self.config(directory))
    }

    /// A gateway running `config`, a variation of ``config(_:)`` whose store is in a temporary directory.
    convenience init(config: GatewayConfig) throws {
        let path = config.store.path
        let directory = TemporaryDirectory(existing: (path as NSString).deletingLastPathComponent)
        try self.init(directory: directory, config: config)
    }

    private init(directory: TemporaryDirectory, config: GatewayConfig) throws {
        self.directory = directory
        writer = LogWriter(fileDescriptor: open("/dev/null", O_WRONLY))
        gateway = Gateway(config: config, logger: Logger(writer: writer))
        try gateway.start()
    }

    static func config(_ directory: TemporaryDirectory) throws -> GatewayConfig {
        let json = """
        {"listen": {"host": "127.0.0.1", "port": 0},
         "store": {"path": "\(directory.file("gw.sqlite"))", "busy_timeout_ms": 100},
         "org_default_secret": "whsec_test_org",
         "sources": [{"name": "salpre", "format": "salpre",
                      "auth": {"scheme": "header-token", "header": "X-Salpre-Token", "value": "env:SALPRE_TOKEN"},
                      "webhook_url": "https://hooks.example.test/salpre"}]}
        """
        return try GatewayConfig.parse(Data(json.utf8), environment: ["SALPRE_TOKEN": "tok_123"])
    }

    func restart() throws {
        gateway.shutdown()
        gateway = Gateway(config: try Self.config(directory), logger: Logger(writer: writer))
        try gateway.start()
    }

    func post(_ body: String, source: String = "salpre", token: String? = "tok_123") async throws -> RawHTTPConnection.Response {
        let port = gateway.port
        return try await blocking {
            try RawHTTPConnection(port: port).request("POST", "/v1/ingest/\(source)",
                                                      headers: token.map { [("X-Salpre-Token", $0)] } ?? [],
                                                      body: Array(body.utf8))
        }
    }

    func count(_ table: String) throws -> Int {
        try gateway.database?.read { try $0.scalar("SELECT count(*) FROM \(table)", as: Int.self) } ?? -1
    }

    func close() {
        gateway.shutdown()
        writer.close()
        directory.remove()
    }
}

private func errorType(_ response: RawHTTPConnection.Response) -> String? {
    (response.json?["error"] as? [String: Any])?["type"] as? String
}

private func errorMessage(_ response: RawHTTPConnection.Response) -> String {
    ((response.json?["error"] as? [String: Any])?["message"] as? String) ?? ""
}

@Suite("Ingest: POST /v1/ingest/{source}")
struct IngestTests {
    @Test func aCallIsCommittedWithItsDeliveriesAndAcknowledged() async throws {
        let fixture = try IngestFixture()
        defer { fixture.close() }
        var deliveries: [Int] = []
        for body in salpreCall {
            let response = try await fixture.post(body)
            #expect(response.status == 202, "\(response.text)")
            deliveries.append(response.json?["deliveries"] as? Int ?? -1)
        }
        // transcript: CallingBox has none; error after call_ended: only one terminal event per call.
        #expect(deliveries == [1, 1, 1, 0, 1, 0])
        #expect(try fixture.count("events") == 6)
        #expect(try fixture.count("deliveries") == 4)
        let rows = try #require(try fixture.gateway.database?.read { connection in
            try connection.query("SELECT id, event_type, url, scheme, body FROM deliveries ORDER BY created_at, event_type")
        })
        for row in rows {
            let body = try JSONReader.parse(try row.get("body", as: [UInt8].self))
            // The envelope id is the delivery id: stable across retries and replays.
            #expect(body["id"]?.stringValue == (try row.get("id", as: String.self)))
            #expect(try row.get("url", as: String.self) == "https://hooks.example.test/salpre")
            #expect(try row.get("scheme", as: String.self) == "callingbox")
        }
        #expect(Set(try rows.map { try $0.get("event_type", as: String.self) }) == ["call.queued", "call.ringing", "call.answered", "call.completed"])
    }

    @Test func theSameEventAgainIsADuplicateAndNothingIsSentTwice() async throws {
        let fixture = try IngestFixture()
        defer { fixture.close() }
        let first = try await fixture.post(salpreCall[1])
        let again = try await fixture.post(salpreCall[1])
        #expect(first.status == 202)
        #expect(again.status == 200)
        #expect(again.json?["duplicate"] as? Bool == true)
        #expect(again.json?["id"] as? String == first.json?["id"] as? String)
        #expect(try fixture.count("deliveries") == 1)
        // Across a restart too.
        try fixture.restart()
        let afterRestart = try await fixture.post(salpreCall[1])
        #expect(afterRestart.json?["duplicate"] as? Bool == true)
        #expect(try fixture.count("events") == 1)
    }

    @Test func authenticationFailuresAre401WithTheReason() async throws {
        let fixture = try IngestFixture()
        defer { fixture.close() }
        let missing = try await fixture.post(salpreCall[0], token: nil)
        #expect(missing.status == 401)
        #expect(errorType(missing) == "unauthorized")
        #expect(errorMessage(missing).contains("X-Salpre-Token"))
        let wrong = try await fixture.post(salpreCall[0], token: "tok_999")
        #expect(wrong.status == 401)
        #expect(errorMessage(wrong).contains("mismatch") || errorMessage(wrong).contains("match"))
        #expect(try fixture.count("events") == 0)
    }

    @Test func badInputGetsAClearErrorAndNothingIsStored() async throws {
        let fixture = try IngestFixture()
        defer { fixture.close() }
        let unknownSource = try await fixture.post(salpreCall[0], source: "nobody")
        #expect(unknownSource.status == 404)
        #expect(errorType(unknownSource) == "unknown_source")
        let notJSON = try await fixture.post("{not json")
        #expect(notJSON.status == 400)
        #expect(errorType(notJSON) == "invalid_json")
        let noCall = try await fixture.post(#"{"event_type":"call_ringing","timestamp_utc":1,"payload":{"from":"+1"}}"#)
        #expect(noCall.status == 422)
        #expect(errorMessage(noCall).contains("call.key"))
        let duplicateKeys = try await fixture.post(#"{"event_type":"call_ringing","event_type":"error","payload":{}}"#)
        #expect(duplicateKeys.status == 400)
        let deep = try await fixture.post(#"{"event_type":"call_initiated","payload":"# + String(repeating: "[", count: 10_000)
                                          + String(repeating: "]", count: 10_000) + "}")
        #expect(deep.status == 400)
        #expect(errorMessage(deep).hasPrefix("JSON nested deeper than 64 levels"))
        let unknown = try await fixture.post(#"{"event_type":"call_teleported","timestamp_utc":1,"payload":{"call_id":3}}"#)
        #expect(unknown.status == 200)
        #expect(unknown.json?["skipped"] as? String == "unknown event type 'call_teleported'")
        #expect(try fixture.count("events") == 0)
    }

    @Test func testEventsAreRecordedButNotDelivered() async throws {
        let fixture = try IngestFixture()
        defer { fixture.close() }
        let test = salpreCall[1].replacingOccurrences(of: #""is_test":false"#, with: #""is_test":true"#)
        let response = try await fixture.post(test)
        #expect(response.status == 202)
        #expect(response.json?["deliveries"] as? Int == 0)
        #expect(try fixture.count("events") == 1)
        #expect(try fixture.count("deliveries") == 0)
    }

    @Test func whenTheStoreCannotCommitTheAnswerIs503AndNothingIsAcknowledged() async throws {
        let fixture = try IngestFixture()
        defer { fixture.close() }
        // Another process-like connection holds the write lock; our busy timeout is 100 ms.
        let blocker = try SQLiteConnection(path: fixture.directory.file("gw.sqlite"))
        try blocker.exec("BEGIN IMMEDIATE")
        let refused = try await fixture.post(salpreCall[0])
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") == "1")
        #expect(errorType(refused) == "store_unavailable")
        try blocker.exec("ROLLBACK")
        blocker.close()
        // It recovers by itself once the fault clears.
        let accepted = try await fixture.post(salpreCall[0])
        #expect(accepted.status == 202)
        #expect(try fixture.count("events") == 1)
    }
}

@Suite("Ingest configuration")
struct IngestConfigTests {
    private func failure(_ json: String, environment: [String: String] = [:]) -> String? {
        do {
            _ = try GatewayConfig.parse(Data(json.utf8), environment: environment)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func sourcesSecretsAndDeliveryParse() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try "whsec_from_file\n".write(toFile: directory.file("secret"), atomically: true, encoding: .utf8)
        let config = try GatewayConfig.parse(Data("""
        {"api_keys": ["sk_test"], "org_default_secret": "file:\(directory.file("secret"))",
         "delivery": {"timeout_ms": 500, "retry_schedule_seconds": [0, 1, 2], "jitter": 0, "allow_private_networks": true,
                      "allow_cidrs": ["10.0.0.0/8", "fd00::/8"]},
         "sources": [{"name": "cb", "format": "callingbox", "auth": {"scheme": "callingbox", "secrets": ["whsec_a", "env:B"]}}]}
        """.utf8), environment: ["B": "whsec_b"])
        #expect(config.apiKeys == ["sk_test"])
        #expect(config.orgDefaultSecret == "whsec_from_file")
        #expect(config.delivery.retryScheduleSeconds == [0, 1, 2])
        #expect(config.delivery.allowCIDRs == ["10.0.0.0/8", "fd00::/8"])
        #expect(config.sources.first?.auth == .signature(scheme: "callingbox", secrets: ["whsec_a", "whsec_b"], toleranceSeconds: 300))
    }

    @Test func mistakesAreNamed() {
        #expect(failure(#"{"sources": [{"name": "s", "format": "salpre"}]}"#)
                == "sources[0].auth: is required: every source is authenticated")
        #expect(failure(#"{"sources": [{"name": "S!", "format": "salpre", "auth": {}}]}"#)?.contains("sources[0].name") == true)
        #expect(failure(#"{"sources": [{"name": "s", "format": "salpre", "auth": {"scheme": "header-token", "header": "X-T", "value": "env:NOPE"}}]}"#)
                == "sources[0].auth.value: environment variable NOPE is not set")
        #expect(failure(#"{"sources": [{"name": "s", "format": "salpre", "auth": {"scheme": "magic"}}]}"#)?.contains("sources[0].auth.scheme") == true)
        #expect(failure(#"{"sources": [{"name": "s", "format": "salpre", "auth": {"scheme": "inkbox", "secret": "x"}, "extra": 1}]}"#)
                == "sources[0].extra: unknown key")
        #expect(failure(#"{"sources": [{"name": "s", "format": "f", "auth": {"scheme": "inkbox", "secret": "x"}}, {"name": "s", "format": "f", "auth": {"scheme": "inkbox", "secret": "x"}}]}"#)
                == #"sources: the name "s" is used twice"#)
        #expect(failure(#"{"delivery": {"allow_cidrs": ["10.0.0.0/33"]}}"#)?.contains("allow_cidrs[0]") == true)
        #expect(failure(#"{"delivery": {"retry_schedule_seconds": []}}"#)?.contains("1 to 50") == true)
        #expect(failure(#"{"api_keys": ["sk", ""]}"#) == "api_keys[1]: is empty")
        #expect(failure(#"{"api_keys": ["env:KEY"]}"#, environment: ["KEY": "sk_live"]) == nil)
        #expect(failure(#"{"api_keys": ["env:KEY"]}"#) == "api_keys[0]: environment variable KEY is not set")
    }

    @Test func anUnknownFormatFailsAtStart() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try GatewayConfig.parse(Data("""
        {"listen": {"port": 0}, "store": {"path": "\(directory.file("g.sqlite"))"},
         "sources": [{"name": "x", "format": "telepathy", "auth": {"scheme": "inkbox", "secret": "k"}}]}
        """.utf8), environment: [:])
        let writer = LogWriter(fileDescriptor: open("/dev/null", O_WRONLY))
        defer { writer.close() }
        let gateway = Gateway(config: config, logger: Logger(writer: writer))
        #expect(throws: ConfigError.self) { try gateway.start() }
        #expect(gateway.database == nil)
    }
}

@Suite("Ingest durability of once-per-call rules")
struct IngestClaimDurabilityTests {
    private static let ended = #"{"event_type":"call_ended","timestamp_utc":1760084597,"payload":{"call_id":77},"is_test":false}"#
    private static let error = #"{"event_type":"error","timestamp_utc":1760084656,"payload":{"call":{"id":77},"error_message":"late"},"is_test":false}"#

    /// A terminal event refused with 503 must still be delivered when the vendor retries it: the
    /// "one terminal event per call" claim exists only once a delivery for it is committed.
    @Test func aTerminalEventRetriedAfter503IsDelivered() async throws {
        let fixture = try IngestFixture()
        defer { fixture.close() }
        let blocker = try SQLiteConnection(path: fixture.directory.file("gw.sqlite"))
        try blocker.exec("BEGIN IMMEDIATE")
        let refused = try await fixture.post(Self.ended)
        try blocker.exec("ROLLBACK")
        blocker.close()
        #expect(refused.status == 503)
        let retried = try await fixture.post(Self.ended)
        #expect(retried.status == 202)
        #expect(retried.json?["deliveries"] as? Int == 1)
    }

    /// After a restart, a second terminal event of a call is still suppressed (claims are stored).
    @Test func claimsSurviveARestart() async throws {
        let fixture = try IngestFixture()
        defer { fixture.close() }
        #expect(try await fixture.post(Self.ended).json?["deliveries"] as? Int == 1)
        try fixture.restart()
        let late = try await fixture.post(Self.error)
        #expect(late.status == 202)
        #expect(late.json?["deliveries"] as? Int == 0)
    }
}
