import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Issue 13 §4, over real HTTP: every list has a bounded page, every text field and body a bound, the
/// number of endpoints a cap, and ingest refuses ids no vendor sends.
@Suite("Management and ingest limits")
struct ManagementLimitsTests {
    static func endpoint(url: String = "http://127.0.0.1:9/hook/", description: String? = nil) -> String {
        let fields: [String: Any] = ["url": url] .merging(description.map { ["description": $0] } ?? [:]) { first, _ in first }
        return String(decoding: (try? JSONSerialization.data(withJSONObject: fields)) ?? Data(), as: UTF8.self)
    }

    static func webhook(_ index: Int) -> String {
        #"{"name": "w\#(index)", "url": "http://127.0.0.1:9/w\#(index)/", "events": ["call.started"]}"#
    }

    @Test func limitsMaxEndpointsCountsBothAPIsAndAnswers422() async throws {
        let fixture = try ManagementFixture(limits: #"{"max_endpoints": 3}"#)
        defer { fixture.close() }
        let first = try await fixture.call("POST", "/v1/webhook_endpoints", Self.endpoint())
        #expect(first.status == 201)
        #expect(try await fixture.call("POST", "/v1/webhook_endpoints", Self.endpoint()).status == 201)
        #expect(try await fixture.call("POST", "/v1/webhooks", Self.webhook(1)).status == 201)
        for (path, body) in [("/v1/webhook_endpoints", Self.endpoint()), ("/v1/webhooks", Self.webhook(2))] {
            let refused = try await fixture.call("POST", path, body)
            #expect(refused.status == 422)
            #expect(refused.errorType == "limit_exceeded")
            #expect(refused.errorMessage.contains("limits.max_endpoints"))
        }
        #expect(try fixture.query("SELECT 1 FROM endpoints").count == 3)
        // A deleted endpoint no longer counts.
        let id = try #require(first.string("id"))
        #expect(try await fixture.call("DELETE", "/v1/webhook_endpoints/\(id)").status == 200)
        #expect(try await fixture.call("POST", "/v1/webhooks", Self.webhook(3)).status == 201)
    }

    @Test func theDefaultCapIsTenThousand() throws {
        #expect(LimitsConfig().maxEndpoints == 10_000)
        let parsed = try GatewayConfig.parse(Data(#"{"limits": {"max_endpoints": 5}}"#.utf8), environment: [:])
        #expect(parsed.limits.maxEndpoints == 5)
        #expect(throws: ConfigError.self) { try GatewayConfig.parse(Data(#"{"limits": {"max_endpoint": 5}}"#.utf8), environment: [:]) }
        #expect(throws: ConfigError.self) { try GatewayConfig.parse(Data(#"{"limits": {"max_endpoints": 0}}"#.utf8), environment: [:]) }
    }

    @Test func descriptionsAndURLsAreBounded() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let longest = try await fixture.call("POST", "/v1/webhook_endpoints", Self.endpoint(description: String(repeating: "d", count: 1_024)))
        #expect(longest.status == 201)
        let tooLong = try await fixture.call("POST", "/v1/webhook_endpoints", Self.endpoint(description: String(repeating: "é", count: 1_025)))
        #expect(tooLong.status == 422)
        #expect(tooLong.errorMessage == "description: must be at most 1024 characters, got 1025")
        let id = try #require(longest.string("id"))
        let patched = try await fixture.call("PATCH", "/v1/webhook_endpoints/\(id)", Self.endpoint(description: String(repeating: "d", count: 5_000)))
        #expect(patched.status == 422)
        #expect(patched.errorMessage.hasPrefix("description: must be at most 1024 characters"))
        #expect(try await fixture.call("PATCH", "/v1/webhook_endpoints/\(id)", #"{"description": null}"#).status == 200)

        let longURL = "http://127.0.0.1:9/" + String(repeating: "u", count: 2_049 - 19)
        #expect(longURL.count == 2_049)
        for (method, path, body) in [("POST", "/v1/webhook_endpoints", Self.endpoint(url: longURL)),
                                     ("PATCH", "/v1/webhook_endpoints/\(id)", Self.endpoint(url: longURL)),
                                     ("POST", "/v1/webhooks", #"{"name": "n", "url": "\#(longURL)", "events": ["call.started"]}"#),
                                     ("PUT", "/v1/calls/7/webhook", #"{"url": "\#(longURL)", "mode": "also"}"#)] {
            let refused = try await fixture.call(method, path, body)
            #expect(refused.status == 422, "\(method) \(path)")
            #expect(refused.errorMessage == "url: must be at most 2048 characters, got 2049", "\(method) \(path)")
        }
        #expect(try await fixture.call("POST", "/v1/webhook_endpoints", Self.endpoint(url: String(longURL.dropLast()))).status == 201)
    }

    @Test func aManagementBodyOver64KiBIs413WithAJSONError() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let padding = String(repeating: " ", count: 64 * 1024)
        let refused = try await fixture.call("POST", "/v1/webhook_endpoints", Self.endpoint() + padding)
        #expect(refused.status == 413)
        #expect(refused.errorType == "body_too_large")
        #expect(refused.errorMessage.contains("65536"))
        // Exactly 64 KiB is read (and then judged on its fields).
        let body = Self.endpoint()
        let fits = try await fixture.call("POST", "/v1/webhook_endpoints", body + String(repeating: " ", count: 64 * 1024 - body.utf8.count))
        #expect(fits.status == 201)
        #expect(try fixture.query("SELECT 1 FROM endpoints").count == 1)
    }

    @Test func everyListHasAPageOfAtMost100() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        for index in 0..<12 { #expect(try await fixture.call("POST", "/v1/webhooks", Self.webhook(index)).status == 201) }
        let firstPage = try await fixture.call("GET", "/v1/webhooks")
        #expect(firstPage.data.count == 10)
        #expect(firstPage["has_more"] as? Bool == true)
        let last = try #require(firstPage.data.last?["id"] as? String)
        let rest = try await fixture.call("GET", "/v1/webhooks?starting_after=\(last)")
        #expect(rest.data.count == 2)
        #expect(rest["has_more"] as? Bool == false)
        let webhookID = try #require(rest.data.first?["id"] as? String)
        for path in ["/v1/webhooks?limit=101", "/v1/webhook_endpoints?limit=101", "/v1/webhook_deliveries?limit=101",
                     "/v1/webhooks/\(webhookID)/deliveries?limit=101", "/v1/decisions?limit=101"] {
            let refused = try await fixture.call("GET", path)
            #expect(refused.status == 422, "\(path)")
            #expect(refused.errorMessage.hasPrefix("limit: must be an integer from 1 to 100"), "\(path)")
        }
        #expect(try await fixture.call("GET", "/v1/webhooks?limit=100").data.count == 12)
    }

    @Test func decisionsPageByCursor() async throws {
        let fixture = try IncomingCallFixture()
        defer { fixture.close() }
        for _ in 0..<3 { #expect(try await fixture.call("ib-keyed").status == 200) }
        let all = try await fixture.awaitDecisions("ib-keyed", count: 3).compactMap { $0["id"] as? String }
        #expect(all.count == 3)
        let first = try await fixture.get("/v1/decisions?source=ib-keyed&limit=2").json ?? [:]
        #expect((first["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == Array(all.prefix(2)))
        #expect(first["has_more"] as? Bool == true)
        let rest = try await fixture.get("/v1/decisions?source=ib-keyed&limit=2&starting_after=\(all[1])").json ?? [:]
        #expect((rest["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [all[2]])
        #expect(rest["has_more"] as? Bool == false)
        let newer = try await fixture.get("/v1/decisions?source=ib-keyed&ending_before=\(all[2])").json ?? [:]
        #expect((newer["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == Array(all.prefix(2)))
    }

    @Test func idsOver256BytesAreRefusedAtIngestNamingTheField() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        func salpre(callID: String) -> String {
            #"{"event_type":"call_ringing","timestamp_utc":1760084555,"payload":{"call_id":"\#(callID)","from":"+15550100","to":"+15550199"}}"#
        }
        let port = fixture.gateway.port
        let huge = salpre(callID: String(repeating: "9", count: 900_000))
        let refused = try await blocking {
            Reply(try RawHTTPConnection(port: port).request("POST", "/v1/ingest/salpre",
                                                            headers: [("X-Salpre-Token", ManagementFixture.salpreToken)],
                                                            body: Array(huge.utf8)))
        }
        #expect(refused.status == 422)
        #expect(refused.errorType == "invalid_event")
        #expect(refused.errorMessage == "call_ringing: call.key must be at most 256 bytes, got 900000 (looked at $.payload.call_id, $.payload.call.id)")
        #expect(try fixture.query("SELECT 1 FROM events").isEmpty)
        #expect(try await fixture.ingest(salpre(callID: String(repeating: "9", count: 257))) == 422)
        #expect(try await fixture.ingest(salpre(callID: String(repeating: "9", count: 256))) == 202)

        // The same bound on ids a management request names.
        let call = String(repeating: "c", count: 257)
        let webhook = try await fixture.call("PUT", "/v1/calls/\(call)/webhook", #"{"url": "http://127.0.0.1:9/c/", "mode": "also"}"#)
        #expect(webhook.status == 422)
        #expect(webhook.errorMessage == "call: must be at most 256 bytes, got 257")
        let listed = try await fixture.call("GET", "/v1/webhook_deliveries?call_id=\(call)")
        #expect(listed.status == 422)
        #expect(listed.errorMessage == "call_id: must be at most 256 bytes, got 257")
    }
}
