import Foundation
import SwitchboardCore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Issue 12 §5: `*` is CallingBox's documented catalog only; the `call.incoming` decision request goes
/// to subscribers only when they name `call.incoming` themselves.
@Suite("Routing: * and call.incoming")
struct IncomingCallRoutingTests {
    private func createEndpoint(_ fixture: IncomingCallFixture, _ body: String) async throws -> String {
        let port = fixture.gateway.port
        let response = try await blocking {
            try RawHTTPConnection(port: port).request("POST", "/v1/webhook_endpoints",
                                                      headers: [("Authorization", "Bearer \(IncomingCallFixture.apiKey)")],
                                                      body: Array(body.utf8))
        }
        return try #require(response.json?["id"] as? String, "\(response.text)")
    }

    @Test func starLeavesOutCallIncomingAndAnExplicitSubscriptionGetsIt() async throws {
        let fixture = try IncomingCallFixture()
        defer { fixture.close() }
        let star = try await createEndpoint(fixture, #"{"url": "\#(fixture.sink.url)"}"#)
        let explicit = try await createEndpoint(fixture, #"{"url": "\#(fixture.sink.url)", "enabled_events": ["call.incoming"]}"#)
        let reply = try await fixture.call("ib-rules")
        #expect(reply.status == 200)
        // Only the endpoint that named call.incoming gets it (asynchronously); `*` does not.
        #expect(try await blocking { eventually { fixture.sink.all.count == 1 } })
        let received = try #require(fixture.sink.all.first)
        #expect(received.json?["type"]?.stringValue == "call.incoming")
        let rows = try fixture.gateway.database?.read { connection in
            try connection.query("SELECT endpoint_id FROM deliveries WHERE event_type = 'call.incoming' AND endpoint_id IS NOT NULL")
                .map { try $0.get("endpoint_id", as: String.self) }
        } ?? []
        #expect(rows == [explicit])
        #expect(!rows.contains(star))
    }

    @Test func theCatalogOfStar() {
        let callingBox = EventCatalog.subscribedTypes(["*"], api: .callingBox)
        #expect(callingBox == Set(EventCatalog.callingBoxDocumented))
        #expect(callingBox.count == 8 && !callingBox.contains("call.incoming"))
        #expect(EventCatalog.subscribedTypes(["call.completed", "call.incoming"], api: .callingBox) == ["call.completed", "call.incoming"])
        #expect(!EventCatalog.subscribedTypes(["*"], api: .oneInbox).contains("call.incoming"))
        let endpoint = DestinationRegistry.Endpoint(EndpointRecord(id: "e", api: .callingBox, name: nil, url: "http://x/",
                                                                   enabledEvents: ["*"], receiveTestEvents: false, now: 0))
        #expect(endpoint.wants("call.ringing") && endpoint.wants("call.canceled"))
        #expect(!endpoint.wants("call.incoming"))
    }
}
