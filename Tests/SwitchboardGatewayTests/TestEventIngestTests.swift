import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Test events over real HTTP ingest (issue 12 §4): Salpre's `is_test` must be a JSON boolean, and a
/// test event delivered to a CallingBox endpoint that opted in says so with `"livemode": false`.
@Suite("Ingest: test events say what they are")
struct TestEventIngestTests {
    /// A Salpre `call_initiated` of `call` whose `is_test` member is `flag`, written as JSON text.
    private static func salpre(call: Int, isTest flag: String) -> String {
        #"{"event_type":"call_initiated","timestamp_utc":1760084505,"payload":{"call_id":\#(call),"from":"+15550100","to":"+15550199","direction":"outbound"},"is_test":\#(flag)}"#
    }

    @Test(arguments: [#""false""#, #""no""#, "0", "1", #""true""#, "{}"])
    func aSalpreIsTestThatIsNotABooleanIs422NamingIt(_ flag: String) async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let created = try await fixture.call("POST", "/v1/webhook_endpoints",
                                             #"{"url": "http://127.0.0.1:9/cb/", "receive_test_events": true}"#)
        #expect(created.status == 201 || created.status == 200)
        let port = fixture.gateway.port
        let body = Self.salpre(call: 1, isTest: flag)
        let response = Reply(try await blocking {
            try RawHTTPConnection(port: port).request("POST", "/v1/ingest/salpre", headers: [("X-Salpre-Token", ManagementFixture.salpreToken)],
                                                      body: Array(body.utf8))
        })
        #expect(response.status == 422)
        #expect(response.errorType == "invalid_event")
        #expect(response.errorMessage.contains("is_test must be a JSON boolean (true or false)"), "\(response.errorMessage)")
        // Refused, so nothing was stored: not taken as a test event, not delivered anywhere.
        #expect(try fixture.query("SELECT id FROM events").isEmpty)
        #expect(try fixture.query("SELECT id FROM deliveries").isEmpty)
    }

    @Test func booleanOrAbsentIsTestIsAcceptedAndATestEventCarriesLivemodeFalse() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let created = try await fixture.call("POST", "/v1/webhook_endpoints",
                                             #"{"url": "http://127.0.0.1:9/cb/", "receive_test_events": true}"#)
        #expect(created.status == 201 || created.status == 200)
        #expect(try await fixture.ingest(Self.salpre(call: 1, isTest: "true")) == 202)
        #expect(try await fixture.ingest(Self.salpre(call: 2, isTest: "false")) == 202)
        #expect(try await fixture.ingest(#"{"event_type":"call_initiated","timestamp_utc":1760084505,"payload":{"call_id":3}}"#) == 202)
        var livemode: [String: String] = [:]
        for row in try fixture.query("SELECT body FROM deliveries WHERE format = 'callingbox'") {
            let body = try JSONReader.parse(try row.get("body", as: [UInt8].self))
            let key = body["data"]?["call"]?["metadata"]?["vendor_call_id"]?.stringValue ?? "?"
            livemode[key] = body["livemode"].map { JSONWriter.string($0) } ?? "absent"
        }
        // Test event: "livemode": false at the top level; live events carry no livemode member.
        #expect(livemode == ["1": "false", "2": "absent", "3": "absent"])
    }
}
