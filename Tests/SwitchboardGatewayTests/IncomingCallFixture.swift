import Foundation
import SwitchboardCore
import SwitchboardHTTP
import SwitchboardTestSupport
@testable import SwitchboardGateway

/// A gateway with Inkbox sources whose `incoming_call` blocks point at a `DecisionEndpoint`, one source
/// per endpoint behaviour, plus sources decided by rules and sources accepting unsigned requests.
final class IncomingCallFixture: @unchecked Sendable {
    static let inkboxSecret = "whsec_inkbox_signing_key_1"
    static let callingboxSecret = "whsec_decision_callingbox"
    /// Standard Webhooks secrets are `whsec_` + base64.
    static let oneinboxSecret = "whsec_ZGVjaXNpb24tZW5kcG9pbnQta2V5LTI0Yg=="
    static let apiKey = "sk_test_bridge"
    static let fallbackURL = "wss://fallback.example/ws"

    let directory: TemporaryDirectory
    let writer: LogWriter
    let endpoint: DecisionEndpoint
    let sink: RecordingSink
    var gateway: Gateway

    init() throws {
        directory = try TemporaryDirectory()
        writer = LogWriter(fileDescriptor: open("/dev/null", O_WRONLY))
        endpoint = try DecisionEndpoint()
        sink = try RecordingSink()
        gateway = Gateway(config: try Self.config(directory, endpoint, sink), logger: Logger(writer: writer))
        try gateway.start()
    }

    private static func decided(_ endpoint: DecisionEndpoint, _ name: String, path: String, format: String = "callingbox", timeout: Int = 1_000,
                         extra: String = "") -> String {
        let secret = ["callingbox": Self.callingboxSecret, "oneinbox": Self.oneinboxSecret, "inkbox": Self.inkboxSecret][format] ?? ""
        return """
        {"name": "\(name)", "format": "inkbox", "auth": {"scheme": "inkbox", "secret": "\(Self.inkboxSecret)"}, \(extra)
         "incoming_call": {"decision": {"url": "\(endpoint.url(path))", "format": "\(format)", "secret": "\(secret)",
                                        "timeout_ms": \(timeout)},
                           "fallback": {"action": "answer", "client_websocket_url": "\(Self.fallbackURL)"}}}
        """
    }

    static func config(_ directory: TemporaryDirectory, _ endpoint: DecisionEndpoint, _ sink: RecordingSink) throws -> GatewayConfig {
        let sources = [
            decided(endpoint, "ib-answer", path: "/answer", extra: #""webhook_url": "\#(sink.url)","#),
            decided(endpoint, "ib-reject", path: "/reject", format: "oneinbox"),
            decided(endpoint, "ib-inkbox", path: "/answer", format: "inkbox"),
            decided(endpoint, "ib-slow", path: "/slow", timeout: 200),
            decided(endpoint, "ib-hold", path: "/hold", timeout: 10_000),
            decided(endpoint, "ib-500", path: "/500"),
            decided(endpoint, "ib-garbage", path: "/garbage"),
            decided(endpoint, "ib-ignore", path: "/ignore"),
            decided(endpoint, "ib-http-ws", path: "/http-ws"),
            decided(endpoint, "ib-long", path: "/long"),
            """
            {"name": "ib-rules", "format": "inkbox", "auth": {"scheme": "inkbox", "secret": "\(Self.inkboxSecret)"},
             "incoming_call": {"rules": [
                {"match": {"caller": {"exact": "+15550000001"}}, "action": "reject"},
                {"match": {"callee": {"prefix": "+1800"}}, "action": "answer", "client_websocket_url": "wss://tollfree.example/ws"},
                {"match": {"known_contact": true}, "action": "answer", "client_websocket_url": "wss://known.example/ws"},
                {"match": {"known_contact": false, "time": {"zone": "Asia/Tokyo", "from": "00:00", "to": "24:00"}},
                 "action": "answer", "client_websocket_url": "wss://anytime.example/ws"}],
              "fallback": {"action": "reject"}}}
            """,
            """
            {"name": "ib-unsigned", "format": "inkbox", "auth": {"scheme": "inkbox"}, "allow_unsigned": true,
             "incoming_call": {"fallback": {"action": "answer"}}}
            """,
            """
            {"name": "ib-keyed", "format": "inkbox", "auth": {"scheme": "inkbox", "secret": "\(Self.inkboxSecret)"},
             "incoming_call": {"fallback": {"action": "answer"}}}
            """,
        ]
        let json = """
        {"listen": {"host": "127.0.0.1", "port": 0, "connection_limit_per_ip": 1000},
         "store": {"path": "\(directory.file("gw.sqlite"))", "busy_timeout_ms": 100},
         "api_keys": ["\(Self.apiKey)"],
         "org_default_secret": "whsec_test_org",
         "delivery": {"allow_private_networks": true, "retry_schedule_seconds": [0, 1], "jitter": 0},
         "sources": [\(sources.joined(separator: ",\n"))]}
        """
        return try GatewayConfig.parse(Data(json.utf8), environment: [:])
    }

    func restart() throws {
        gateway.shutdown()
        gateway = Gateway(config: try Self.config(directory, endpoint, sink), logger: Logger(writer: writer))
        try gateway.start()
    }

    /// An Inkbox `incoming_call` body (the SDK's fixture shape).
    static func body(call: String = UUID().uuidString.lowercased(), caller: String = "+14155550123",
                     callee: String = "+14155550100", knownContact: Bool = true) -> [UInt8] {
        let contacts = knownContact ? #"[{"id": "c7d8e9f0-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "name": "Ada Lovelace", "memories": ["prefers mornings"]}]"# : "[]"
        return Array("""
        {"id": "\(call)", "local_phone_number": "\(callee)", "remote_phone_number": "\(caller)", "direction": "inbound",
         "status": "initiated", "client_websocket_url": null, "use_inkbox_tts": null, "use_inkbox_stt": null,
         "hangup_reason": null, "started_at": null, "ended_at": null, "created_at": "2026-04-16T12:00:00Z",
         "updated_at": "2026-04-16T12:00:00Z", "contacts": \(contacts),
         "agent_identities": [{"id": "a1b2c3d4-0000-4000-8000-000000000001", "agent_handle": "front-desk", "display_name": "Front Desk"}]}
        """.utf8)
    }

    /// The headers Inkbox sends: request id, timestamp, `sha256=` HMAC over `{id}.{timestamp}.{body}`.
    static func signed(_ body: [UInt8], requestID: String = "req_\(UUID().uuidString)", secret: String = inkboxSecret,
                       timestamp: Int64 = Int64(Date().timeIntervalSince1970)) throws -> [(String, String)] {
        try InkboxSignature().sign(body: body, secrets: [secret], timestamp: timestamp, id: requestID).map { ($0.name, $0.value) }
    }

    func post(_ source: String, _ body: [UInt8], headers: [(String, String)]) async throws -> RawHTTPConnection.Response {
        let port = gateway.port
        return try await blocking {
            try RawHTTPConnection(port: port).request("POST", "/v1/ingest/\(source)",
                                                      headers: headers + [("Content-Type", "application/json")], body: body)
        }
    }

    /// Posts a freshly signed call and returns the answer's JSON object.
    func call(_ source: String, body: [UInt8] = IncomingCallFixture.body(), requestID: String = "req_\(UUID().uuidString)")
        async throws -> (status: Int, answer: [String: Any]) {
        let response = try await post(source, body, headers: try Self.signed(body, requestID: requestID))
        return (response.status, response.json ?? [:])
    }

    func get(_ target: String) async throws -> RawHTTPConnection.Response {
        let port = gateway.port
        return try await blocking {
            try RawHTTPConnection(port: port).request("GET", target, headers: [("Authorization", "Bearer \(IncomingCallFixture.apiKey)")])
        }
    }

    /// The decisions of a source, newest first.
    func decisions(_ source: String) async throws -> [[String: Any]] {
        try await get("/v1/decisions?source=\(source)").json?["data"] as? [[String: Any]] ?? []
    }

    func close() {
        gateway.shutdown()
        endpoint.stop()
        sink.stop()
        writer.close()
        directory.remove()
    }
}

extension IncomingCallFixture {
    /// The decisions of `source` once at least `count` are recorded (the record follows the answer).
    func awaitDecisions(_ source: String, count: Int = 1) async throws -> [[String: Any]] {
        for _ in 0..<250 {
            let found = try await decisions(source)
            if found.count >= count { return found }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await decisions(source)
    }
}
