import Foundation
import SwitchboardCore
import SwitchboardHTTP
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Redelivery, held deliveries of disabled endpoints, attempt history and the test-event header, over
/// loopback HTTP against a real store and real receivers.
@Suite("Redelivery and held deliveries")
struct RedeliveryTests {
    private func endpoint(_ fixture: ManagementFixture, _ body: String) async throws -> (id: String, secret: String) {
        let reply = try await fixture.call("POST", "/v1/webhook_endpoints", body)
        return (try #require(reply.string("id"), "\(reply.text)"), try #require(reply.string("signing_secret")))
    }

    private func statuses(_ fixture: ManagementFixture) throws -> [String] {
        try fixture.query("SELECT status FROM deliveries ORDER BY created_at, rowid").map { try $0.get("status", as: String.self) }
    }

    private func waitFor(_ condition: @escaping @Sendable () -> Bool) async throws -> Bool {
        try await blocking { eventually(10, condition) }
    }

    private func fields(_ received: RecordingSink.Received) -> [HeaderField] {
        received.headers.map { HeaderField($0.name, $0.value) }
    }

    @Test func redeliverGoesToTheCurrentURLSignedWithTheCurrentSecret() async throws {
        let old = try RecordingSink { _ in HTTPResponse(status: 503) }
        defer { old.stop() }
        let new = try RecordingSink()
        defer { new.stop() }
        let fixture = try ManagementFixture(delivery: """
            {"allow_private_networks": true, "retry_schedule_seconds": [0], "secret_rotation_overlap_seconds": 0}
            """)
        defer { fixture.close() }
        let (id, firstSecret) = try await endpoint(fixture, #"{"url": "\#(old.url)"}"#)
        try await fixture.ingest(ManagementFixture.salpre())
        #expect(try await waitFor { (try? statuses(fixture)) == ["exhausted"] })
        let deliveryID = try #require(old.all.first?.headers["CallingBox-Event-Id"])

        #expect(try await fixture.call("PATCH", "/v1/webhook_endpoints/\(id)", #"{"url": "\#(new.url)"}"#).status == 200)
        let rotated = try await fixture.call("POST", "/v1/webhook_endpoints/\(id)/rotate_secret")
        let secret = try #require(rotated.string("signing_secret"))
        let replayed = try await fixture.call("POST", "/v1/webhook_deliveries/\(deliveryID)/redeliver")
        #expect(replayed.status == 200, "\(replayed.text)")
        #expect(replayed.string("url") == new.url)
        #expect(try await waitFor { new.all.count == 1 })
        let sent = try #require(new.all.first)
        #expect(sent.headers["CallingBox-Event-Id"] == deliveryID)
        #expect(sent.body == old.all.first?.body)
        let now = Int64(Date().timeIntervalSince1970)
        try CallingBoxSignature().verify(body: sent.body, headers: fields(sent), secrets: [secret], now: now)
        #expect(throws: SignatureFailure.self) {
            try CallingBoxSignature().verify(body: sent.body, headers: fields(sent), secrets: [firstSecret], now: now)
        }
        #expect(try await waitFor { (try? statuses(fixture)) == ["delivered"] })
        #expect(try await fixture.call("GET", "/v1/webhook_deliveries/\(deliveryID)").string("url") == new.url)
        #expect(old.all.count == 1)
    }

    @Test func aOneInboxDeliveryIsRedeliveredToTheWebhooksCurrentURL() async throws {
        let old = try RecordingSink { _ in HTTPResponse(status: 503) }
        defer { old.stop() }
        let new = try RecordingSink()
        defer { new.stop() }
        let fixture = try ManagementFixture(delivery: #"{"allow_private_networks": true, "retry_schedule_seconds": [0]}"#)
        defer { fixture.close() }
        let created = try await fixture.call("POST", "/v1/webhooks", #"{"name": "oi", "url": "\#(old.url)", "events": ["call.started"]}"#)
        let id = try #require(created.string("id"))
        // The secret is shown once, on create; a PATCH does not show it.
        let secret = try #require(created.string("secret"))
        try await fixture.ingest(ManagementFixture.salpre("call_answered"))
        #expect(try await waitFor { (try? statuses(fixture)) == ["exhausted"] })
        let deliveryID = try #require(try fixture.query("SELECT id FROM deliveries").first?.get("id", as: String.self))
        let moved = try await fixture.call("PATCH", "/v1/webhooks/\(id)", #"{"url": "\#(new.url)"}"#)
        #expect(moved.status == 200 && moved.string("secret") == nil)
        #expect(try await fixture.call("POST", "/v1/webhook_deliveries/\(deliveryID)/redeliver").status == 200)
        #expect(try await waitFor { new.all.count == 1 })
        let sent = try #require(new.all.first)
        #expect(sent.headers["webhook-id"] == deliveryID)
        try StandardWebhooksSignature().verify(body: sent.body, headers: fields(sent), secrets: [secret],
                                               now: Int64(Date().timeIntervalSince1970))
        let items = try await fixture.call("GET", "/v1/webhooks/\(id)/deliveries")
        #expect(try await waitFor { (try? statuses(fixture)) == ["delivered"] })
        #expect((items["items"] as? [[String: Any]])?.count == 1)
    }

    @Test func redeliverOnADisabledOrDeletedEndpointIsRefused() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let (id, _) = try await endpoint(fixture, #"{"url": "http://127.0.0.1:9/off/"}"#)
        #expect(try await fixture.call("PATCH", "/v1/webhook_endpoints/\(id)", #"{"status": "disabled"}"#).status == 200)
        try await fixture.ingest(ManagementFixture.salpre())
        let deliveryID = try #require(try fixture.query("SELECT id FROM deliveries").first?.get("id", as: String.self))
        let disabled = try await fixture.call("POST", "/v1/webhook_deliveries/\(deliveryID)/redeliver")
        #expect(disabled.status == 409)
        #expect(disabled.errorType == "endpoint_disabled")
        #expect(try statuses(fixture) == ["held"])
        #expect(try await fixture.call("DELETE", "/v1/webhook_endpoints/\(id)").status == 200)
        let deleted = try await fixture.call("POST", "/v1/webhook_deliveries/\(deliveryID)/redeliver")
        #expect(deleted.status == 409)
        #expect(deleted.errorType == "endpoint_deleted")
        #expect(try statuses(fixture) == ["canceled"])
        let listed = try await fixture.call("GET", "/v1/webhook_deliveries?status=canceled")
        #expect(listed.data.map { $0["id"] as? String } == [deliveryID])
    }

    @Test func aDisabledEndpointsDeliveriesAreHeldAndReleasedInOrder() async throws {
        // The first attempt fails and the retry is an hour away: the delivery is pending when the endpoint
        // is disabled, and becomes held with the ones routed meanwhile.
        let sink = try RecordingSink { number in HTTPResponse(status: number == 1 ? 503 : 200) }
        defer { sink.stop() }
        let fixture = try ManagementFixture(delivery: #"{"allow_private_networks": true, "retry_schedule_seconds": [0, 3600]}"#)
        defer { fixture.close() }
        let (id, _) = try await endpoint(fixture, #"{"url": "\#(sink.url)"}"#)
        try await fixture.ingest(ManagementFixture.salpre("call_ringing"))
        #expect(try await waitFor { (try? fixture.query("SELECT 1 FROM deliveries WHERE attempt_count = 1").count) == 1 })
        #expect(try await fixture.call("PATCH", "/v1/webhook_endpoints/\(id)", #"{"status": "disabled"}"#).status == 200)
        #expect(try statuses(fixture) == ["held"])
        try await fixture.ingest(ManagementFixture.salpre("call_answered", at: 1_760_084_576))
        try await fixture.ingest(ManagementFixture.salpre("call_ended", at: 1_760_084_600))
        #expect(try statuses(fixture) == ["held", "held", "held"])
        let metrics = try await fixture.call("GET", "/metrics").text
        #expect(metrics.contains("switchboard_delivery_held 3\n"))
        #expect(metrics.contains("switchboard_delivery_queue_depth 0\n"))
        #expect(metrics.contains("switchboard_delivery_oldest_pending_age_seconds 0\n"))
        let held = try await fixture.call("GET", "/v1/webhook_deliveries?status=held")
        #expect(held.data.count == 3)
        _ = try await blocking { usleep(200_000) }
        #expect(sink.all.count == 1)

        #expect(try await fixture.call("PATCH", "/v1/webhook_endpoints/\(id)", #"{"status": "enabled"}"#).status == 200)
        #expect(try await waitFor { (try? statuses(fixture)) == ["delivered", "delivered", "delivered"] })
        let types = sink.all.dropFirst().compactMap { $0.headers["CallingBox-Event-Type"] }
        #expect(types == ["call.ringing", "call.answered", "call.completed"])
        #expect(try await fixture.call("GET", "/metrics").text.contains("switchboard_delivery_held 0\n"))
    }

    @Test func attemptHistoryListsEveryAttempt() async throws {
        let sink = try RecordingSink { number in
            HTTPResponse(status: 503, headers: ["Content-Type": "text/plain"], body: Array("down \(number)".utf8))
        }
        defer { sink.stop() }
        let fixture = try ManagementFixture(delivery: #"{"allow_private_networks": true, "retry_schedule_seconds": [0, 0, 0]}"#)
        defer { fixture.close() }
        _ = try await endpoint(fixture, #"{"url": "\#(sink.url)"}"#)
        try await fixture.ingest(ManagementFixture.salpre())
        #expect(try await waitFor { (try? statuses(fixture)) == ["exhausted"] })
        let id = try #require(try fixture.query("SELECT id FROM deliveries").first?.get("id", as: String.self))
        let all = try await fixture.call("GET", "/v1/webhook_deliveries/\(id)/attempts")
        #expect(all.status == 200, "\(all.text)")
        #expect(all["has_more"] as? Bool == false)
        #expect(all.data.map { $0["attempt"] as? Int } == [1, 2, 3])
        #expect(all.data.map { $0["response_body"] as? String } == ["down 1", "down 2", "down 3"])
        let first = try #require(all.data.first)
        #expect(first["response_status"] as? Int == 503)
        #expect(first["error"] as? String == "HTTP 503")
        #expect(first["started_at"] is String && first["duration_ms"] is Int)
        let page = try await fixture.call("GET", "/v1/webhook_deliveries/\(id)/attempts?limit=2")
        #expect(page.data.count == 2 && page["has_more"] as? Bool == true)
        let rest = try await fixture.call("GET", "/v1/webhook_deliveries/\(id)/attempts?limit=2&starting_after=2")
        #expect(rest.data.map { $0["attempt"] as? Int } == [3])
        #expect(rest["has_more"] as? Bool == false)
        #expect(try await fixture.call("GET", "/v1/webhook_deliveries/00000000-0000-4000-8000-000000000000/attempts").status == 404)
    }

    @Test func testEventsCarryTheTestHeaderOnEveryFormat() async throws {
        let sink = try RecordingSink()
        defer { sink.stop() }
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        _ = try await endpoint(fixture, #"{"url": "\#(sink.url)", "receive_test_events": true}"#)
        let oneInbox = try await fixture.call("POST", "/v1/webhooks", """
            {"name": "oi", "url": "\(sink.url)", "events": ["call.started"], "receive_test_events": true}
            """)
        #expect(oneInbox.status == 201)
        try await fixture.ingest(ManagementFixture.salpre("call_answered", test: true))
        #expect(try await waitFor { sink.all.count == 2 })
        try await fixture.ingest(ManagementFixture.salpre("call_answered", call: 2))
        #expect(try await waitFor { sink.all.count == 4 })
        let marked = sink.all.map { ($0.headers["webhook-id"] != nil ? "oneinbox" : "callingbox", $0.headers["X-Switchboard-Test"]) }
        #expect(marked.prefix(2).allSatisfy { $0.1 == "1" }, "\(marked)")
        #expect(Set(marked.prefix(2).map(\.0)) == ["oneinbox", "callingbox"])
        #expect(marked.dropFirst(2).allSatisfy { $0.1 == nil }, "\(marked)")
    }
}
