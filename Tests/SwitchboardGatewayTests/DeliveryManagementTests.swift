import Foundation
import SwitchboardCore
import SwitchboardHTTP
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

@Suite("Management: /v1/webhook_deliveries and routing to endpoints")
struct DeliveryManagementTests {
    private func endpoint(_ fixture: ManagementFixture, _ body: String) async throws -> String {
        let reply = try await fixture.call("POST", "/v1/webhook_endpoints", body)
        return try #require(reply.string("id"), "\(reply.text)")
    }

    @Test func anIngestedEventReachesMatchingEndpointsOnly() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let all = try await endpoint(fixture, #"{"url": "http://127.0.0.1:9/all/"}"#)
        let ringing = try await endpoint(fixture, #"{"url": "http://127.0.0.1:9/ringing/", "enabled_events": ["call.ringing"]}"#)
        let completed = try await endpoint(fixture, #"{"url": "http://127.0.0.1:9/done/", "enabled_events": ["call.completed"]}"#)
        let off = try await endpoint(fixture, #"{"url": "http://127.0.0.1:9/off/"}"#)
        _ = try await fixture.call("PATCH", "/v1/webhook_endpoints/\(off)", #"{"status": "disabled"}"#)
        let oneInbox = try #require(try await fixture.call("POST", "/v1/webhooks",
                                                           #"{"name": "oi", "url": "http://127.0.0.1:9/oi/", "events": ["call.started"]}"#).string("id"))
        #expect(try await fixture.ingest(ManagementFixture.salpre("call_ringing")) == 202)
        #expect(try await fixture.ingest(ManagementFixture.salpre("call_answered", at: 1_760_084_576)) == 202)
        // The disabled endpoint stays subscribed: its deliveries are recorded `held`, not sent.
        let held = try fixture.query("SELECT endpoint_id, event_type FROM deliveries WHERE status = 'held' ORDER BY created_at, rowid")
        #expect(try held.map { "\(try $0.get("endpoint_id", as: String.self)):\(try $0.get("event_type", as: String.self))" }
                == ["\(off):call.ringing", "\(off):call.answered"])
        let rows = try fixture.query("""
            SELECT endpoint_id, destination, url, format, scheme, event_type, body FROM deliveries WHERE status = 'pending'
            ORDER BY created_at, rowid
            """)
        let seen = try rows.map { "\(try $0.get("endpoint_id", as: String.self)):\(try $0.get("event_type", as: String.self))" }
        #expect(seen == ["\(all):call.ringing", "\(ringing):call.ringing", "\(all):call.answered", "\(oneInbox):call.started"])
        for row in rows {
            let endpointID = try row.get("endpoint_id", as: String.self)
            #expect(try row.get("destination", as: String.self) == "endpoint:\(endpointID)")
            let body = try JSONReader.parse(try row.get("body", as: [UInt8].self))
            if endpointID == oneInbox {
                #expect(try row.get("format", as: String.self) == "oneinbox")
                #expect(try row.get("scheme", as: String.self) == "standard-webhooks")
                #expect(body["event"]?.stringValue == "call.started")
            } else {
                #expect(try row.get("scheme", as: String.self) == "callingbox")
                #expect(body["type"]?.stringValue == (try row.get("event_type", as: String.self)))
            }
        }
        #expect(!seen.contains { $0.hasPrefix(completed) || $0.hasPrefix(off) })
    }

    @Test func testEventsGoOnlyToEndpointsThatOptIn() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        _ = try await endpoint(fixture, #"{"url": "http://127.0.0.1:9/plain/"}"#)
        let tests = try await endpoint(fixture, #"{"url": "http://127.0.0.1:9/tests/", "receive_test_events": true}"#)
        #expect(try await fixture.ingest(ManagementFixture.salpre(test: true)) == 202)
        let rows = try fixture.query("SELECT endpoint_id FROM deliveries")
        #expect(try rows.map { try $0.get("endpoint_id", as: String.self) } == [tests])
    }

    @Test func listingFiltersAndLimits() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let first = try await endpoint(fixture, #"{"url": "http://127.0.0.1:9/one/"}"#)
        let second = try await endpoint(fixture, #"{"url": "http://127.0.0.1:9/two/", "enabled_events": ["call.answered"]}"#)
        for call in 1...3 {
            try await fixture.ingest(ManagementFixture.salpre("call_ringing", call: call))
            try await fixture.ingest(ManagementFixture.salpre("call_answered", call: call, at: 1_760_084_600))
        }
        let all = try await fixture.call("GET", "/v1/webhook_deliveries")
        #expect(all.status == 200)
        #expect(all.data.count == 9)
        // Newest first.
        let created = all.data.compactMap { $0["created_at"] as? String }
        #expect(created == created.sorted(by: >))
        let delivery = try #require(all.data.first)
        for key in ["id", "org_id", "endpoint_id", "call_id", "event_type", "url", "status", "attempt_count", "manual_retry_count",
                    "next_attempt_at", "last_error", "last_response_status", "delivered_at", "created_at", "updated_at"] {
            #expect(delivery[key] != nil, "\(key)")
        }
        #expect(delivery["status"] as? String == "pending")
        #expect(try await fixture.call("GET", "/v1/webhook_deliveries?endpoint_id=\(second)").data.count == 3)
        #expect(try await fixture.call("GET", "/v1/webhook_deliveries?endpoint_id=\(first)&limit=2").data.count == 2)
        let callID = CallResolver.derivedID(source: "salpre", key: "2")
        let ofCall = try await fixture.call("GET", "/v1/webhook_deliveries?call_id=\(callID)")
        #expect(ofCall.data.count == 3)
        #expect(ofCall.data.allSatisfy { $0["call_id"] as? String == callID })
        #expect(try await fixture.call("GET", "/v1/webhook_deliveries?status=delivered").data.isEmpty)
        #expect(try await fixture.call("GET", "/v1/webhook_deliveries?status=pending&limit=100").data.count == 9)
        // The vendor's call id names the call as well as its UUID.
        let ofVendorCall = try await fixture.call("GET", "/v1/webhook_deliveries?call_id=2")
        #expect(ofVendorCall.data.map { $0["id"] as? String } == ofCall.data.map { $0["id"] as? String })
        for (query, field) in [("limit=0", "limit"), ("limit=101", "limit"), ("limit=x", "limit"), ("status=failed", "status"),
                               ("endpoint_id=abc", "endpoint_id"), ("call_id=", "call_id"), ("starting_after=x", "starting_after"),
                               ("starting_after=00000000-0000-4000-8000-000000000000", "starting_after"),
                               ("ending_before=\(first)&starting_after=\(first)", "ending_before")] {
            let reply = try await fixture.call("GET", "/v1/webhook_deliveries?\(query)")
            #expect(reply.status == 422, "\(query)")
            #expect(reply.errorMessage.hasPrefix("\(field):"), "\(query): \(reply.errorMessage)")
        }
    }

    @Test func redeliverRequeuesTheSameDelivery() async throws {
        let sink = try RecordingSink { _ in HTTPResponse(status: 503) }
        defer { sink.stop() }
        let fixture = try ManagementFixture(delivery: #"{"allow_private_networks": true, "retry_schedule_seconds": [0]}"#)
        defer { fixture.close() }
        _ = try await endpoint(fixture, #"{"url": "\#(sink.url)"}"#)
        try await fixture.ingest(ManagementFixture.salpre())
        let id = try #require(try await fixture.call("GET", "/v1/webhook_deliveries").data.first?["id"] as? String)
        let exhaustedCount = { (count: Int) async throws -> Bool in
            try await blocking {
                eventually { (try? fixture.query("SELECT 1 FROM deliveries WHERE status = 'exhausted' AND attempt_count = ?", [count]).count) == 1 }
            }
        }
        #expect(try await exhaustedCount(1))
        let exhausted = try await fixture.call("GET", "/v1/webhook_deliveries/\(id)")
        #expect(exhausted.string("status") == "exhausted")
        #expect(exhausted["last_response_status"] as? Int == 503)
        #expect(exhausted.string("last_error") != nil)

        let replayed = try await fixture.call("POST", "/v1/webhook_deliveries/\(id)/redeliver")
        #expect(replayed.status == 200, "\(replayed.text)")
        #expect(replayed.string("id") == id)
        #expect(replayed.string("status") == "pending")
        #expect(replayed["manual_retry_count"] as? Int == 1)
        #expect(replayed["attempt_count"] as? Int == 1)
        // The deliverer sends it again, with the same id (the receiver's idempotency key), once.
        #expect(try await exhaustedCount(2))
        let ids = sink.all.compactMap { $0.headers["CallingBox-Event-Id"] }
        #expect(ids == [id, id])
        #expect(try await fixture.call("POST", "/v1/webhook_deliveries/\(id)/redeliver")["manual_retry_count"] as? Int == 2)
        let missing = try await fixture.call("POST", "/v1/webhook_deliveries/00000000-0000-4000-8000-000000000000/redeliver")
        #expect(missing.status == 404)
        #expect(missing.errorType == "not_found")
        #expect(try await fixture.call("GET", "/v1/webhook_deliveries/nope").status == 404)
    }

    @Test func anEndpointTheDelivererDisablesStopsBeingRouted() async throws {
        let sink = try RecordingSink { _ in HTTPResponse(status: 410) }
        defer { sink.stop() }
        let fixture = try ManagementFixture(delivery: #"{"allow_private_networks": true}"#)
        defer { fixture.close() }
        let id = try await endpoint(fixture, #"{"url": "\#(sink.url)"}"#)
        try await fixture.ingest(ManagementFixture.salpre(call: 1))
        #expect(try await blocking { eventually { fixture.gateway.destinations?.snapshot.endpoints.first?.id == id
                && (try? fixture.query("SELECT 1 FROM endpoints WHERE disabled_reason = 'gone'").count) == 1 } })
        #expect(try await fixture.call("GET", "/v1/webhook_endpoints/\(id)").string("disabled_reason") == "gone")
        // Still subscribed, but what it is routed now is held, not sent.
        try await fixture.ingest(ManagementFixture.salpre(call: 2))
        #expect(try fixture.query("SELECT 1 FROM deliveries WHERE status = 'held'").count == 1)
        _ = try await blocking { usleep(200_000) }
        #expect(sink.all.count == 1)
    }

    @Test func routingIsPureAndOrdersDestinations() throws {
        // The pure router: an `instead` call webhook replaces everything, `also` adds before the rest.
        let mappings = try MappingLoader.load(directory: "mappings")
        var translator = Translator(mappings: mappings)
        guard case .event(var event) = try translator.decode(Array(ManagementFixture.salpre().utf8), format: "salpre",
                                                             source: "salpre", receivedAt: 1_760_084_555) else {
            Issue.record("no event")
            return
        }
        translator.correlate(&event)
        let source = SourceConfig(name: "salpre", format: "salpre", auth: .headerToken(header: "X", value: "y"),
                                  webhookURL: "http://127.0.0.1:9/source/", webhookFormat: "callingbox", unknownEvents: .skip)
        var snapshot = DestinationRegistry.Snapshot()
        snapshot.endpoints = [DestinationRegistry.Endpoint(EndpointRecord(id: "e1", api: .callingBox, name: nil, url: "http://127.0.0.1:9/e1/",
                                                                          enabledEvents: ["*"], receiveTestEvents: false, now: 0))]
        let destinations = { (snapshot: DestinationRegistry.Snapshot) throws -> [String] in
            try IngestService.route(event, source: source, destinations: snapshot, translator: &translator).map(\.destination)
        }
        #expect(try destinations(snapshot) == ["endpoint:e1", "source:salpre"])
        snapshot.callWebhooks[event.call.id] = CallWebhookRecord(callID: event.call.id, url: "http://127.0.0.1:9/call/", mode: .also,
                                                                 createdAt: 0, updatedAt: 0)
        #expect(try destinations(snapshot) == ["call:\(event.call.id)", "endpoint:e1", "source:salpre"])
        snapshot.callWebhooks[event.call.id]?.mode = .instead
        #expect(try destinations(snapshot) == ["call:\(event.call.id)"])
    }
}
