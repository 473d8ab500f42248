import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// The facts of a call (issue 12 §6) through the running gateway: real HTTP ingest, real SQLite, the
/// bodies as committed for a CallingBox endpoint.
@Suite("Ingest: the facts of a call")
struct CallFactsIngestTests {
    /// The committed CallingBox bodies, in commit order.
    private func callingBoxBodies(_ fixture: ManagementFixture) throws -> [JSONValue] {
        try fixture.query("SELECT body FROM deliveries WHERE format = 'callingbox' ORDER BY created_at, rowid").map {
            try JSONReader.parse(try $0.get("body", as: [UInt8].self))
        }
    }

    @Test func aSalpreCallThatRangAndEndedUnansweredIsNoAnswerAndAnAnsweredOneIsMeasuredFromTheAnswer() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let created = try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "http://127.0.0.1:9/cb/"}"#)
        #expect(created.status == 201 || created.status == 200)
        #expect(try await fixture.ingest(ManagementFixture.salpre("call_ringing", call: 5, at: 1_000)) == 202)
        #expect(try await fixture.ingest(ManagementFixture.salpre("call_ended", call: 5, at: 1_030)) == 202)
        #expect(try await fixture.ingest(ManagementFixture.salpre("call_ringing", call: 6, at: 2_000)) == 202)
        #expect(try await fixture.ingest(ManagementFixture.salpre("call_answered", call: 6, at: 2_010)) == 202)
        #expect(try await fixture.ingest(ManagementFixture.salpre("error", call: 6, at: 2_052)) == 202)

        let bodies = try callingBoxBodies(fixture)
        #expect(bodies.compactMap { $0["type"]?.stringValue }
                == ["call.ringing", "call.no_answer", "call.ringing", "call.answered", "call.failed"])
        let unanswered = bodies[1]["data"]?["call"]
        #expect(unanswered?["status"] == "no_answer")
        #expect(unanswered?["answered_at"] == .null)
        #expect(unanswered?["ended_at"] == "1970-01-01T00:17:10Z")
        #expect(unanswered?["duration_seconds"] == 0)
        let failed = bodies[4]["data"]?["call"]
        #expect(failed?["ended_at"] == "1970-01-01T00:34:12Z")
        #expect(failed?["duration_seconds"] == 42)
    }
}
