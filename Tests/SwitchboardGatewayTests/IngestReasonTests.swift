import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Issue 12 §4: the ingest 202 says why nothing was delivered, and `receive_test_events` is a top-level
/// boolean of both endpoint APIs' create and update bodies.
@Suite("Ingest: why nothing was delivered; receive_test_events")
struct IngestReasonTests {
    /// Posts a Salpre event; the 202 (or other) reply.
    private func ingest(_ fixture: ManagementFixture, _ body: String) async throws -> Reply {
        let port = fixture.gateway.port
        return Reply(try await blocking {
            try RawHTTPConnection(port: port).request("POST", "/v1/ingest/salpre",
                                                      headers: [("X-Salpre-Token", ManagementFixture.salpreToken)],
                                                      body: Array(body.utf8))
        })
    }

    private func expect(_ reply: Reply, deliveries: Int, reason: String?, _ comment: Comment,
                        sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.status == 202, comment, sourceLocation: sourceLocation)
        #expect(reply["deliveries"] as? Int == deliveries, comment, sourceLocation: sourceLocation)
        #expect(reply.string("id") != nil, comment, sourceLocation: sourceLocation)
        #expect(reply.string("reason") == reason, comment, sourceLocation: sourceLocation)
        #expect((reply["reason"] != nil) == (reason != nil), comment, sourceLocation: sourceLocation)
    }

    @Test func eachReasonWhenNothingIsDelivered() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        // No destination at all.
        expect(try await ingest(fixture, ManagementFixture.salpre(call: 1)), deliveries: 0, reason: "no_subscriber", "no endpoint")
        expect(try await ingest(fixture, ManagementFixture.salpre(call: 2, test: true)), deliveries: 0,
               reason: "test_event_no_subscriber", "a test event, no endpoint")
        // An endpoint for call.completed only: a ringing event is of a type nobody subscribes to, and a
        // test event still has no subscriber (the endpoint did not opt in).
        let completed = try await fixture.call("POST", "/v1/webhook_endpoints",
                                               #"{"url": "http://127.0.0.1:9/h/", "enabled_events": ["call.completed"]}"#)
        let id = try #require(completed.string("id"))
        expect(try await ingest(fixture, ManagementFixture.salpre(call: 3)), deliveries: 0, reason: "event_type_not_subscribed", "ringing")
        expect(try await ingest(fixture, ManagementFixture.salpre(call: 4, test: true)), deliveries: 0,
               reason: "test_event_no_subscriber", "test event, endpoint not opted in")
        // Opted in, but still not subscribed to the type.
        #expect(try await fixture.call("PATCH", "/v1/webhook_endpoints/\(id)", #"{"receive_test_events": true}"#).status == 200)
        expect(try await ingest(fixture, ManagementFixture.salpre(call: 5, test: true)), deliveries: 0,
               reason: "event_type_not_subscribed", "test event, opted in, other type")
        // Delivered: no reason.
        expect(try await ingest(fixture, ManagementFixture.salpre("call_ended", call: 6, test: true)), deliveries: 1,
               reason: nil, "test call.completed to the opted-in endpoint")
        expect(try await ingest(fixture, ManagementFixture.salpre("call_ended", call: 7)), deliveries: 1, reason: nil, "live")
        // CallingBox sends one terminal event per call: a second one for call 7 is routed, then dropped.
        expect(try await ingest(fixture, ManagementFixture.salpre("call_ended", call: 7, at: 1_760_084_600)), deliveries: 0,
               reason: "call_output_already_sent", "a second terminal event")
    }

    @Test func receiveTestEventsOnCreateAndUpdateOfBothAPIs() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let endpoint = try await fixture.call("POST", "/v1/webhook_endpoints",
                                              #"{"url": "http://127.0.0.1:9/cb/", "receive_test_events": true}"#)
        #expect(endpoint.status == 201 && endpoint["receive_test_events"] as? Bool == true, "\(endpoint.text)")
        let webhook = try await fixture.call("POST", "/v1/webhooks",
                                             #"{"name": "n", "url": "http://127.0.0.1:9/oi/", "events": ["call.ended"], "receive_test_events": true}"#)
        #expect(webhook.status == 201 && webhook["receive_test_events"] as? Bool == true, "\(webhook.text)")
        let endpointID = try #require(endpoint.string("id"))
        let webhookID = try #require(webhook.string("id"))
        // Both receive a test call's end (CallingBox call.completed, OneInbox call.ended).
        expect(try await ingest(fixture, ManagementFixture.salpre("call_ended", call: 1, test: true)), deliveries: 2, reason: nil, "opted in")
        // Defaults: false on create.
        let plain = try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "http://127.0.0.1:9/p/"}"#)
        #expect(plain["receive_test_events"] as? Bool == false)
        // Update through both APIs; unchanged when absent.
        let off = try await fixture.call("PATCH", "/v1/webhook_endpoints/\(endpointID)", #"{"receive_test_events": false}"#)
        #expect(off["receive_test_events"] as? Bool == false)
        let offToo = try await fixture.call("PATCH", "/v1/webhooks/\(webhookID)", #"{"receive_test_events": false}"#)
        #expect(offToo["receive_test_events"] as? Bool == false)
        #expect(try await fixture.call("PATCH", "/v1/webhooks/\(webhookID)", #"{"name": "m"}"#)["receive_test_events"] as? Bool == false)
        expect(try await ingest(fixture, ManagementFixture.salpre("call_ended", call: 2, test: true)), deliveries: 0,
               reason: "test_event_no_subscriber", "opted out again")
        // Not a boolean: 422 naming it, on create and update of both APIs.
        let cases: [(String, String, String)] = [
            ("POST", "/v1/webhook_endpoints", #"{"url": "http://127.0.0.1:9/x/", "receive_test_events": "true"}"#),
            ("POST", "/v1/webhooks", #"{"name": "n", "url": "http://127.0.0.1:9/x/", "events": ["call.ended"], "receive_test_events": 1}"#),
            ("PATCH", "/v1/webhook_endpoints/\(endpointID)", #"{"receive_test_events": "yes"}"#),
            ("PATCH", "/v1/webhooks/\(webhookID)", #"{"receive_test_events": 0}"#),
        ]
        for (method, path, body) in cases {
            let reply = try await fixture.call(method, path, body)
            #expect(reply.status == 422, "\(method) \(path) \(body)")
            #expect(reply.errorMessage.hasPrefix("receive_test_events: must be true or false"), "\(reply.errorMessage)")
        }
    }
}
