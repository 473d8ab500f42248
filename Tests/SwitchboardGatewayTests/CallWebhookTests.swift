import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

@Suite("Management: per-call webhooks /v1/calls/{call}/webhook")
struct CallWebhookTests {
    private func destinations(_ fixture: ManagementFixture, call: Int) throws -> [String] {
        let callID = CallResolver.derivedID(source: "salpre", key: "\(call)")
        return try fixture.query("SELECT destination, url FROM deliveries WHERE call_id = ? ORDER BY created_at, rowid", [callID])
            .map { try $0.get("destination", as: String.self) }
    }

    @Test func insteadReplacesAndAlsoAddsToTheOtherDestinations() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let endpoint = try #require(try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "http://127.0.0.1:9/e/"}"#).string("id"))
        // Set before the call's first event: the one source's call id 7 resolves to the UUID ingest derives.
        let instead = try await fixture.call("PUT", "/v1/calls/7/webhook", #"{"url": "http://127.0.0.1:9/call7/", "mode": "instead"}"#)
        #expect(instead.status == 200, "\(instead.text)")
        let call7 = CallResolver.derivedID(source: "salpre", key: "7")
        #expect(instead.string("call_id") == call7)
        #expect(instead.string("mode") == "instead")
        #expect(instead.string("format") == "callingbox")
        let also = try await fixture.call("PUT", "/v1/calls/8/webhook", #"{"url": "http://127.0.0.1:9/call8/", "mode": "also"}"#)
        #expect(also.status == 200)
        try await fixture.ingest(ManagementFixture.salpre(call: 7))
        try await fixture.ingest(ManagementFixture.salpre(call: 8))
        try await fixture.ingest(ManagementFixture.salpre(call: 9))
        #expect(try destinations(fixture, call: 7) == ["call:\(call7)"])
        #expect(try destinations(fixture, call: 8) == ["call:\(CallResolver.derivedID(source: "salpre", key: "8"))", "endpoint:\(endpoint)"])
        #expect(try destinations(fixture, call: 9) == ["endpoint:\(endpoint)"])
        let row = try #require(try fixture.query("SELECT url, scheme, format, endpoint_id FROM deliveries WHERE destination = ?", ["call:\(call7)"]).first)
        #expect(try row.get("url", as: String.self) == "http://127.0.0.1:9/call7/")
        #expect(try row.get("scheme", as: String.self) == "callingbox")
        #expect(try row.get("endpoint_id", as: String?.self) == nil)

        // GET by the vendor id or the UUID; DELETE stops it.
        #expect(try await fixture.call("GET", "/v1/calls/7/webhook").string("url") == "http://127.0.0.1:9/call7/")
        #expect(try await fixture.call("GET", "/v1/calls/\(call7)/webhook").string("mode") == "instead")
        #expect(try await fixture.call("DELETE", "/v1/calls/7/webhook").status == 200)
        #expect(try await fixture.call("GET", "/v1/calls/7/webhook").status == 404)
        #expect(try await fixture.call("DELETE", "/v1/calls/7/webhook").status == 404)
        try await fixture.ingest(ManagementFixture.salpre("call_answered", call: 7, at: 1_760_084_600))
        #expect(try destinations(fixture, call: 7) == ["call:\(call7)", "endpoint:\(endpoint)"])
    }

    @Test func replacingKeepsTheFirstCreationTime() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let first = try await fixture.call("PUT", "/v1/calls/1/webhook", #"{"url": "http://127.0.0.1:9/a/"}"#)
        #expect(first.string("mode") == "instead")
        let second = try await fixture.call("PUT", "/v1/calls/1/webhook", #"{"url": "http://127.0.0.1:9/b/", "mode": "also"}"#)
        #expect(second.string("url") == "http://127.0.0.1:9/b/")
        #expect(second.string("created_at") == first.string("created_at"))
        #expect(try fixture.query("SELECT 1 FROM call_webhooks").count == 1)
    }

    @Test func ambiguousAndInvalidCallsAreExplained() async throws {
        let fixture = try ManagementFixture(sources: """
            [{"name": "salpre", "format": "salpre", "auth": {"scheme": "header-token", "header": "X-Salpre-Token", "value": "tok_123"}},
             {"name": "other", "format": "salpre", "auth": {"scheme": "header-token", "header": "X-Other-Token", "value": "tok_456"}}]
            """)
        defer { fixture.close() }
        let unknown = try await fixture.call("PUT", "/v1/calls/42/webhook", #"{"url": "http://127.0.0.1:9/a/"}"#)
        #expect(unknown.status == 422)
        #expect(unknown.errorMessage.hasPrefix("call:"))
        #expect(unknown.errorMessage.contains("?source="))
        // A source named in the query settles it.
        let named = try await fixture.call("PUT", "/v1/calls/42/webhook?source=other", #"{"url": "http://127.0.0.1:9/a/"}"#)
        #expect(named.string("call_id") == CallResolver.derivedID(source: "other", key: "42"))
        #expect(try await fixture.call("PUT", "/v1/calls/42/webhook?source=nobody", #"{"url": "http://127.0.0.1:9/a/"}"#).errorMessage.hasPrefix("source:"))
        // Once an event of the call has arrived, its vendor id resolves.
        try await fixture.ingest(ManagementFixture.salpre(call: 42))
        let known = try await fixture.call("PUT", "/v1/calls/42/webhook", #"{"url": "http://127.0.0.1:9/b/"}"#)
        #expect(known.string("call_id") == CallResolver.derivedID(source: "salpre", key: "42"))
        // A UUID is taken as given.
        let uuid = "0b9a4c1e-0000-4000-8000-000000000001"
        #expect(try await fixture.call("PUT", "/v1/calls/\(uuid.uppercased())/webhook", #"{"url": "http://127.0.0.1:9/c/"}"#).string("call_id") == uuid)
        for (body, field) in [(#"{"url": "http://127.0.0.1:9/a/", "mode": "sometimes"}"#, "mode:"), (#"{"mode": "also"}"#, "url:"),
                              (#"{"url": "gopher://x"}"#, "url:")] {
            let reply = try await fixture.call("PUT", "/v1/calls/\(uuid)/webhook", body)
            #expect(reply.status == 422, "\(body)")
            #expect(reply.errorMessage.hasPrefix(field), "\(body): \(reply.errorMessage)")
        }
    }

    @Test func perCallWebhooksNeedTheOrgDefaultSecret() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = LogWriter(fileDescriptor: open("/dev/null", O_WRONLY))
        defer { writer.close() }
        let config = try GatewayConfig.parse(Data("""
            {"listen": {"port": 0}, "store": {"path": "\(directory.file("g.sqlite"))"}, "api_keys": ["k"]}
            """.utf8))
        let gateway = Gateway(config: config, logger: Logger(writer: writer))
        try gateway.start()
        defer { gateway.shutdown() }
        let port = gateway.port
        let reply = try await blocking {
            try RawHTTPConnection(port: port).request("PUT", "/v1/calls/0b9a4c1e-0000-4000-8000-000000000001/webhook",
                                                      headers: [("Authorization", "Bearer k")], body: Array(#"{"url": "http://127.0.0.1:9/a/"}"#.utf8))
        }
        #expect(reply.status == 409)
        #expect(reply.text.contains("org_default_secret"))
    }

    @Test func callWebhooksSurviveARestart() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        _ = try await fixture.call("PUT", "/v1/calls/5/webhook", #"{"url": "http://127.0.0.1:9/a/"}"#)
        _ = try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "http://127.0.0.1:9/e/"}"#)
        let registry = DestinationRegistry()
        try registry.reload(from: try #require(fixture.gateway.database))
        #expect(registry.snapshot.endpoints.count == 1)
        #expect(registry.snapshot.callWebhooks.keys.sorted() == [CallResolver.derivedID(source: "salpre", key: "5")])
    }
}
