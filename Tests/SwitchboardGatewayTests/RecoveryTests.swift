import Foundation
import SwitchboardCore
import SwitchboardHTTP
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// `POST /v1/webhook_endpoints/{id}/recover` and `POST /v1/webhooks/{id}/recover` after a receiver outage.
@Suite("Bulk recovery")
struct RecoveryTests {
    private func statuses(_ fixture: ManagementFixture) throws -> [String] {
        try fixture.query("SELECT status FROM deliveries ORDER BY created_at, rowid").map { try $0.get("status", as: String.self) }
    }

    private func waitFor(_ condition: @escaping @Sendable () -> Bool) async throws -> Bool {
        try await blocking { eventually(10, condition) }
    }

    @Test func exhaustedDeliveriesInTheWindowAreQueuedAgainInOrder() async throws {
        // Down for the first three requests, then back.
        let sink = try RecordingSink { number in HTTPResponse(status: number <= 3 ? 503 : 200) }
        defer { sink.stop() }
        let fixture = try ManagementFixture(delivery: #"{"allow_private_networks": true, "retry_schedule_seconds": [0]}"#)
        defer { fixture.close() }
        let id = try #require(try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "\#(sink.url)"}"#).string("id"))
        try await fixture.ingest(ManagementFixture.salpre("call_ringing", call: 1))
        try await fixture.ingest(ManagementFixture.salpre("call_ringing", call: 2))
        #expect(try await waitFor { (try? statuses(fixture)) == ["exhausted", "exhausted"] })
        try await fixture.ingest(ManagementFixture.salpre("call_answered", call: 1, at: 1_760_084_576))
        #expect(try await waitFor { (try? statuses(fixture)) == ["exhausted", "exhausted", "exhausted"] })

        // The outage disabled the endpoint meanwhile; a later event is held.
        #expect(try await fixture.call("PATCH", "/v1/webhook_endpoints/\(id)", #"{"status": "disabled"}"#).status == 200)
        try await fixture.ingest(ManagementFixture.salpre("call_ended", call: 1, at: 1_760_084_600))
        let now = Date().timeIntervalSince1970
        let before = try await fixture.call("POST", "/v1/webhook_endpoints/\(id)/recover",
                                             #"{"since": "\#(Timestamp.iso8601(now - 600))", "until": \#(Int(now) - 300)}"#)
        #expect(before.status == 202, "\(before.text)")
        #expect(before["redelivered"] as? Int == 0)
        let recovered = try await fixture.call("POST", "/v1/webhook_endpoints/\(id)/recover", #"{"since": \#(Int(now) - 600)}"#)
        #expect(recovered.status == 202, "\(recovered.text)")
        #expect(recovered["redelivered"] as? Int == 3)
        // Held with the one routed while disabled; enabling releases all four, each call's in order.
        #expect(try statuses(fixture) == ["held", "held", "held", "held"])
        #expect(try await fixture.call("PATCH", "/v1/webhook_endpoints/\(id)", #"{"status": "enabled"}"#).status == 200)
        #expect(try await waitFor { (try? statuses(fixture)) == ["delivered", "delivered", "delivered", "delivered"] })
        let call1 = CallResolver.derivedID(source: "salpre", key: "1")
        let order = sink.all.dropFirst(3).filter { $0.headers["X-CallingBox-Call-Id"] == call1 }.compactMap { $0.headers["CallingBox-Event-Type"] }
        #expect(order == ["call.ringing", "call.answered", "call.completed"])
        let delivery = try await fixture.call("GET", "/v1/webhook_deliveries?call_id=2")
        #expect(delivery.data.map { $0["manual_retry_count"] as? Int } == [1])
    }

    @Test func retryingDeliveriesAreDueNowAndTheRequestIsChecked() async throws {
        let sink = try RecordingSink { number in HTTPResponse(status: number == 1 ? 503 : 200) }
        defer { sink.stop() }
        let fixture = try ManagementFixture(delivery: #"{"allow_private_networks": true, "retry_schedule_seconds": [0, 3600]}"#)
        defer { fixture.close() }
        let id = try #require(try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "\#(sink.url)"}"#).string("id"))
        try await fixture.ingest(ManagementFixture.salpre())
        #expect(try await waitFor { (try? fixture.query("SELECT 1 FROM deliveries WHERE attempt_count = 1").count) == 1 })
        let path = "/v1/webhook_endpoints/\(id)/recover"
        let now = Int(Date().timeIntervalSince1970)
        for (body, field) in [("{}", "since"), (#"{"since": "yesterday"}"#, "since"), (#"{"since": true}"#, "since"),
                              (#"{"since": \#(now - 31 * 86_400)}"#, "since"),
                              (#"{"since": \#(now - 60), "until": \#(now - 120)}"#, "until"),
                              (#"{"since": \#(now - 60), "from": 1}"#, "from"), (#"{"since": \#(now * 1000)}"#, "since")] {
            let reply = try await fixture.call("POST", path, body)
            #expect(reply.status == 422, "\(body)")
            #expect(reply.errorMessage.hasPrefix("\(field):"), "\(body): \(reply.errorMessage)")
        }
        let recovered = try await fixture.call("POST", path, #"{"since": \#(now - 60)}"#)
        #expect(recovered["redelivered"] as? Int == 1, "\(recovered.text)")
        #expect(try await waitFor { (try? statuses(fixture)) == ["delivered"] })

        // Each API recovers its own endpoints.
        #expect(try await fixture.call("POST", "/v1/webhooks/\(id)/recover", #"{"since": \#(now - 60)}"#).status == 404)
        let webhook = try #require(try await fixture.call("POST", "/v1/webhooks",
                                                          #"{"name": "oi", "url": "\#(sink.url)", "events": ["call.started"]}"#).string("id"))
        let oneInbox = try await fixture.call("POST", "/v1/webhooks/\(webhook)/recover", #"{"since": \#(now - 60)}"#)
        #expect(oneInbox.status == 202)
        #expect(oneInbox["redelivered"] as? Int == 0)
    }
}

/// The log lines of issue 12 §7 that belong to delivery: one JSON line each.
@Suite("Delivery log lines")
struct DeliveryLogTests {
    @Test func exhaustionAutoDisableAndRecoveryAreLogged() async throws {
        let sink = try RecordingSink { _ in HTTPResponse(status: 410) }
        defer { sink.stop() }
        let logs = try TemporaryDirectory()
        defer { logs.remove() }
        let logFile = logs.file("gateway.log")
        let fixture = try ManagementFixture(delivery: #"{"allow_private_networks": true}"#, logFile: logFile)
        let id = try #require(try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "\#(sink.url)"}"#).string("id"))
        try await fixture.ingest(ManagementFixture.salpre())
        #expect(try await blocking { eventually { (try? fixture.query("SELECT 1 FROM endpoints WHERE status = 'disabled'").count) == 1 } })
        let since = Int(Date().timeIntervalSince1970) - 60
        #expect(try await fixture.call("POST", "/v1/webhook_endpoints/\(id)/recover", #"{"since": \#(since)}"#)["redelivered"] as? Int == 1)
        fixture.close()
        let lines = try String(contentsOfFile: logFile, encoding: .utf8).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let byMessage = Dictionary(lines.map { ($0["msg"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        let disabled = try #require(byMessage["endpoint auto-disabled"])
        #expect(disabled["endpoint"] as? String == id)
        #expect(disabled["reason"] as? String == "gone")
        #expect(disabled["last_error"] as? String == "HTTP 410")
        let exhausted = try #require(byMessage["delivery exhausted"])
        #expect(exhausted["attempts"] as? Int == 1)
        #expect((exhausted["destination"] as? String)?.hasSuffix("/…") == true)
        let recovery = try #require(byMessage["recovery queued"])
        #expect(recovery["endpoint"] as? String == id)
        #expect(recovery["redelivered"] as? Int == 1)
    }
}
