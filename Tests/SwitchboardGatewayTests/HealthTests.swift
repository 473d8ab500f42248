import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Issue 13 §5: the unauthenticated `/healthz` names its checks and their state only; the detail goes to
/// the log and to the authenticated `GET /v1/health`.
@Suite("Health: nothing internal on /healthz, the detail behind an API key")
struct HealthTests {
    @Test func aFailingStoreShowsOnlyTheCheckNameAnonymouslyAndTheDetailWithAKey() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let storePath = directory.file("gw.sqlite")
        let config = try GatewayConfig.parse(Data("""
        {"listen": {"host": "127.0.0.1", "port": 0}, "store": {"path": "\(storePath)", "busy_timeout_ms": 50},
         "api_keys": ["sk_health"],
         "sources": [{"name": "salpre", "format": "salpre", "auth": {"scheme": "header-token", "header": "X-T", "value": "t"}}]}
        """.utf8), environment: [:])
        let logPath = directory.file("log.jsonl")
        let writer = LogWriter(fileDescriptor: open(logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600))
        let gateway = Gateway(config: config, logger: Logger(writer: writer))
        try gateway.start()
        let port = gateway.port
        let key = [("Authorization", "Bearer sk_health")]
        let body = Array(#"{"event_type":"call_ringing","timestamp_utc":1,"payload":{"call_id":2}}"#.utf8)

        let healthy = try await blocking { try RawHTTPConnection(port: port).request("GET", "/healthz") }
        #expect(healthy.status == 200 && healthy.text == #"{"status":"ok"}"#)

        // Another connection holds the write lock: the next commit fails with SQLite's "database is locked".
        let blocker = try SQLiteConnection(path: storePath)
        try blocker.exec("BEGIN IMMEDIATE")
        let during = try await blocking { () -> [RawHTTPConnection.Response] in
            let connection = try RawHTTPConnection(port: port)
            return [try connection.request("POST", "/v1/ingest/salpre", headers: [("X-T", "t")], body: body),
                    try connection.request("GET", "/healthz"),
                    try connection.request("GET", "/v1/health"),
                    try connection.request("GET", "/v1/health", headers: key)]
        }
        try blocker.exec("ROLLBACK")
        blocker.close()
        print("/healthz while the store fails: \(during[1].status) \(during[1].text)")
        #expect(during[0].status == 503)
        #expect(during[1].status == 503 && during[1].header("Retry-After") == "1")
        #expect(during[1].text == #"{"status":"unavailable","checks":{"store":"failing"}}"#)
        for leak in ["locked", "SQLITE", "sqlite", "errno", "code", storePath, directory.path] {
            #expect(!during[1].text.contains(leak), "\(leak)")
        }
        #expect(during[2].status == 401, "the detail needs an API key")
        #expect(!during[2].text.contains("locked"))
        #expect(during[3].status == 503)
        let detail = try #require(during[3].json)
        #expect(detail["status"] as? String == "unavailable")
        let store = try #require((detail["checks"] as? [String: Any])?["store"] as? [String: Any])
        #expect(store["status"] as? String == "failing" && store["operation"] as? String == "write")
        #expect((store["error"] as? String)?.contains("locked") == true, "\(store)")
        #expect(store["since"] is String && store["checked_at"] is String && store["critical"] as? Bool == true)

        // The store works again: the next commit clears the failure, and both routes say ok.
        let after = try await blocking { () -> [RawHTTPConnection.Response] in
            let connection = try RawHTTPConnection(port: port)
            return [try connection.request("POST", "/v1/ingest/salpre", headers: [("X-T", "t")], body: body),
                    try connection.request("GET", "/healthz"), try connection.request("GET", "/v1/health", headers: key),
                    try connection.request("GET", "/metrics")]
        }
        // The ingest 503 was a refusal; /healthz's 503 answered a question and is no refusal.
        #expect(after[3].text.contains(#"switchboard_http_rejected_total{reason="store_unavailable"} 1"#))
        #expect(after[3].text.contains(#"switchboard_http_rejected_total{reason="unauthorized"} 1"#))
        #expect(!after[3].text.contains("http_503"))
        #expect(after[0].status == 202)
        #expect(after[1].status == 200 && after[1].text == #"{"status":"ok"}"#)
        #expect(after[2].status == 200)
        #expect(((after[2].json?["checks"] as? [String: Any])?["store"] as? [String: Any])?["status"] as? String == "ok")

        gateway.shutdown()
        writer.close()
        let lines = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let failing = lines.filter { $0["msg"] as? String == "health check failing" }
        #expect(failing.count == 1, "logged once per change")
        #expect(failing.first?["check"] as? String == "store" && (failing.first?["error"] as? String)?.contains("locked") == true)
        #expect(lines.filter { $0["msg"] as? String == "health check recovered" }.count == 1)
    }

    @Test func theStatusComesFromTheChecks() {
        let failure = HealthCheck.Failure(operation: "read", error: "disk I/O error", since: 0)
        let ok = HealthCheck(critical: true, failure: nil, checkedAt: 0)
        let criticalFailing = HealthCheck(critical: true, failure: failure, checkedAt: 0)
        let optionalFailing = HealthCheck(critical: false, failure: failure, checkedAt: 0)
        #expect(HealthReport(checks: ["store": ok]).status == "ok")
        #expect(HealthReport(checks: ["store": ok, "extra": optionalFailing]).status == "degraded")
        #expect(HealthReport(checks: ["store": ok, "extra": optionalFailing]).httpStatus == 200)
        #expect(HealthReport(checks: ["store": criticalFailing, "extra": optionalFailing]).status == "unavailable")
        #expect(HealthReport(checks: ["store": criticalFailing]).httpStatus == 503)
        let degraded = HealthReport(checks: ["store": ok, "extra": optionalFailing])
        #expect(degraded.publicBody == ["status": "degraded", "checks": ["extra": "failing", "store": "ok"]])
        #expect(!JSONWriter.string(degraded.publicBody).contains("disk"))
        #expect(JSONWriter.string(degraded.detailBody).contains("disk I/O error"))
    }
}
