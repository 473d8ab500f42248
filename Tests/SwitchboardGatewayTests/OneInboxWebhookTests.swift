import Foundation
import SwitchboardCore
import SwitchboardHTTP
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

@Suite("Management: OneInbox /v1/webhooks")
struct OneInboxWebhookTests {
    private static let create = #"{"name": "CRM", "url": "http://127.0.0.1:9/oi/hook", "events": ["call.started", "call.ended"]}"#

    @Test func theWebhookShapeAndStatusMapping() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let created = try await fixture.call("POST", "/v1/webhooks", Self.create)
        #expect(created.status == 201, "\(created.text)")
        #expect(Set(created.json.keys) == ["id", "name", "url", "events", "signature", "secret", "status", "receive_test_events", "created_at", "updated_at"])
        let id = try #require(created.string("id"))
        #expect(created.string("name") == "CRM")
        #expect(created["events"] as? [String] == ["call.started", "call.ended"])
        #expect(created.string("status") == "active")
        let secret = try #require(created.string("secret"))
        #expect(secret.hasPrefix("whsec_"))
        #expect(try Base64.decode(secret.dropFirst(6)).count == 32)
        let row = try #require(try fixture.query("SELECT api, format, scheme, status FROM endpoints WHERE id = ?", [id]).first)
        #expect(try row.get("api", as: String.self) == "oneinbox")
        #expect(try row.get("format", as: String.self) == "oneinbox")
        #expect(try row.get("scheme", as: String.self) == "standard-webhooks")

        // The secret is shown once (issue 12 §2): in the create (and rotate) answer, never in a read,
        // a list or an update.
        let fetched = try await fixture.call("GET", "/v1/webhooks/\(id)")
        #expect(fetched.status == 200 && fetched["secret"] == nil)
        let listed = try await fixture.call("GET", "/v1/webhooks")
        #expect(listed.data.map { $0["id"] as? String } == [id])
        #expect(listed.data.first?["secret"] == nil)

        let paused = try await fixture.call("PATCH", "/v1/webhooks/\(id)", #"{"status": "inactive", "name": null}"#)
        #expect(paused.status == 200, "\(paused.text)")
        #expect(paused.string("status") == "disabled")
        #expect(paused.string("name") == "CRM")
        #expect(paused["secret"] == nil)
        #expect(try fixture.query("SELECT status, disabled_reason FROM endpoints WHERE id = ?", [id]).first?.get("disabled_reason", as: String.self) == "manual")
        let active = try await fixture.call("PATCH", "/v1/webhooks/\(id)", #"{"status": "active", "events": ["transcript.final"], "url": "http://127.0.0.1:9/oi/2"}"#)
        #expect(active.string("status") == "active")
        #expect(active["events"] as? [String] == ["transcript.final"])
        #expect(active.string("url") == "http://127.0.0.1:9/oi/2")
        #expect(try await fixture.call("PATCH", "/v1/webhooks/\(id)", #"{"status": "disabled"}"#).string("status") == "disabled")

        #expect(try await fixture.call("DELETE", "/v1/webhooks/\(id)").status == 200)
        #expect(try await fixture.call("GET", "/v1/webhooks/\(id)").status == 404)
    }

    @Test func validationNamesTheField() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let long = String(repeating: "n", count: 256)
        let cases: [(String, String)] = [
            (#"{"url": "http://127.0.0.1:9/h/", "events": ["call.ended"]}"#, "name: is required"),
            (#"{"name": "", "url": "http://127.0.0.1:9/h/", "events": ["call.ended"]}"#, "name: must be 1 to 255"),
            (#"{"name": "\#(long)", "url": "http://127.0.0.1:9/h/", "events": ["call.ended"]}"#, "name: must be 1 to 255"),
            (#"{"name": "n", "events": ["call.ended"]}"#, "url: is required"),
            (#"{"name": "n", "url": "mailto:a@b.c", "events": ["call.ended"]}"#, #"url: scheme "mailto""#),
            (#"{"name": "n", "url": "http://127.0.0.1:9/h/"}"#, "events: is required"),
            (#"{"name": "n", "url": "http://127.0.0.1:9/h/", "events": []}"#, "events: must have 1 to 20 items"),
            (#"{"name": "n", "url": "http://127.0.0.1:9/h/", "events": ["*"]}"#, "events[0]: unknown event"),
            (#"{"name": "n", "url": "http://127.0.0.1:9/h/", "events": ["call.completed"]}"#, "events[0]: unknown event"),
        ]
        for (body, message) in cases {
            let reply = try await fixture.call("POST", "/v1/webhooks", body)
            #expect(reply.status == 422, "\(body)")
            #expect(reply.errorMessage.hasPrefix(message), "\(body): \(reply.errorMessage)")
        }
        let id = try #require(try await fixture.call("POST", "/v1/webhooks", Self.create).string("id"))
        let bad = try await fixture.call("PATCH", "/v1/webhooks/\(id)", #"{"status": "enabled"}"#)
        #expect(bad.status == 422)
        #expect(bad.errorMessage.hasPrefix("status:"))
        #expect(try await fixture.call("POST", "/v1/webhooks", Self.create, key: nil).status == 401)
    }

    @Test func aTestSendQueuesASignedTestDelivery() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let id = try #require(try await fixture.call("POST", "/v1/webhooks", Self.create).string("id"))
        let queued = try await fixture.call("POST", "/v1/webhooks/\(id)/test")
        #expect(queued.status == 202, "\(queued.text)")
        #expect(queued.string("webhook_id") == id)
        #expect(queued.string("event") == "call.started")
        #expect(queued.string("status") == "pending")
        let deliveryID = try #require(queued.string("id"))
        let row = try #require(try fixture.query("""
            SELECT d.body, d.scheme, d.endpoint_id, d.destination, e.is_test, e.source FROM deliveries d JOIN events e ON e.id = d.event_id
            WHERE d.id = ?
            """, [deliveryID]).first)
        #expect(try row.get("scheme", as: String.self) == "standard-webhooks")
        #expect(try row.get("destination", as: String.self) == "endpoint:\(id)")
        #expect(try row.get("is_test", as: Bool.self))
        #expect(try row.get("source", as: String.self) == TestDelivery.source)
        let body = try JSONReader.parse(try row.get("body", as: [UInt8].self))
        #expect(body["test"] == .bool(true))
        #expect(body["event"]?.stringValue == "call.started")
        #expect(body["id"]?.stringValue == deliveryID)
        // Each test is its own delivery.
        #expect(try await fixture.call("POST", "/v1/webhooks/\(id)/test").string("id") != deliveryID)
        #expect(try await fixture.call("POST", "/v1/webhooks/00000000-0000-4000-8000-000000000000/test").status == 404)
    }

    @Test func deliveryHistoryPagesWithTheLatestAttempt() async throws {
        let sink = try RecordingSink { _ in HTTPResponse(status: 500, body: Array("oops".utf8)) }
        defer { sink.stop() }
        let fixture = try ManagementFixture(delivery: #"{"allow_private_networks": true, "retry_schedule_seconds": [0]}"#)
        defer { fixture.close() }
        let id = try #require(try await fixture.call("POST", "/v1/webhooks",
                                                     #"{"name": "n", "url": "\#(sink.url)", "events": ["call.started"]}"#).string("id"))
        for call in 1...3 { try await fixture.ingest(ManagementFixture.salpre("call_answered", call: call)) }
        // One attempt each (the schedule has one), answered 500: all three end exhausted.
        #expect(try await blocking {
            eventually { (try? fixture.query("SELECT 1 FROM deliveries WHERE status = 'exhausted'").count) == 3 }
        })
        let page = try await fixture.call("GET", "/v1/webhooks/\(id)/deliveries?limit=2&offset=0")
        #expect(page.status == 200, "\(page.text)")
        #expect(page["total"] as? Int == 3)
        #expect(page["limit"] as? Int == 2)
        #expect(page["offset"] as? Int == 0)
        let items = try #require(page["items"] as? [[String: Any]])
        #expect(items.count == 2)
        let item = try #require(items.first)
        #expect(Set(item.keys) == ["id", "webhook_id", "event", "status", "attempt", "response_status", "response_body", "error",
                                   "next_retry_at", "completed_at", "created_at"])
        #expect(item["webhook_id"] as? String == id)
        #expect(item["event"] as? String == "call.started")
        #expect(item["status"] as? String == "exhausted")
        #expect(item["attempt"] as? Int == 1)
        #expect(item["response_status"] as? Int == 500)
        #expect(item["response_body"] as? String == "oops")
        #expect(item["error"] is String)
        #expect(item["next_retry_at"] is NSNull)
        #expect(item["completed_at"] is String)
        let rest = try await fixture.call("GET", "/v1/webhooks/\(id)/deliveries?limit=2&offset=2")
        #expect((rest["items"] as? [[String: Any]])?.count == 1)
        #expect(try await fixture.call("GET", "/v1/webhooks/\(id)/deliveries?offset=-1").status == 422)
        #expect(try await fixture.call("GET", "/v1/webhooks/00000000-0000-4000-8000-000000000000/deliveries").status == 404)
    }
}
