import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

@Suite("Management: CallingBox /v1/webhook_endpoints")
struct CallingBoxEndpointTests {
    @Test func createListGetPatchDelete() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let created = try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "http://127.0.0.1:9/hooks/a", "description": "CRM"}"#)
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.string("id"))
        #expect(ResourceID.normalised(id) == id)
        #expect(created.string("org_id") == ManagementAPI.orgID(storePath: fixture.directory.file("gw.sqlite")))
        #expect(created["enabled_events"] as? [String] == ["*"])
        #expect(created.string("status") == "enabled")
        #expect(created["consecutive_failures"] as? Int == 0)
        #expect(created["disabled_reason"] is NSNull)
        let secret = try #require(created.string("signing_secret"))
        #expect(secret.hasPrefix("whsec_") && secret.count == 6 + 64)
        // Stored with the API's format, scheme and the secret.
        let row = try #require(try fixture.query("SELECT api, format, scheme FROM endpoints WHERE id = ?", [id]).first)
        #expect(try row.get("api", as: String.self) == "callingbox")
        #expect(try row.get("format", as: String.self) == "callingbox")
        #expect(try row.get("scheme", as: String.self) == "callingbox")
        #expect(try fixture.query("SELECT secret FROM endpoint_secrets WHERE endpoint_id = ?", [id]).count == 1)

        let listed = try await fixture.call("GET", "/v1/webhook_endpoints")
        #expect(listed.status == 200)
        #expect(listed.data.map { $0["id"] as? String } == [id])
        #expect(listed.data.first?["signing_secret"] == nil)
        let fetched = try await fixture.call("GET", "/v1/webhook_endpoints/\(id.uppercased())")
        #expect(fetched.string("description") == "CRM")
        #expect(fetched["signing_secret"] == nil)

        let patched = try await fixture.call("PATCH", "/v1/webhook_endpoints/\(id)",
                                             #"{"url": "http://127.0.0.1:9/hooks/b", "description": null, "enabled_events": ["call.completed", "call.failed"]}"#)
        #expect(patched.status == 200, "\(patched.text)")
        #expect(patched.string("url") == "http://127.0.0.1:9/hooks/b")
        #expect(patched["description"] is NSNull)
        #expect(patched["enabled_events"] as? [String] == ["call.completed", "call.failed"])

        let deleted = try await fixture.call("DELETE", "/v1/webhook_endpoints/\(id)")
        #expect(deleted.status == 200)
        #expect(deleted["deleted"] as? Bool == true)
        #expect(try await fixture.call("GET", "/v1/webhook_endpoints/\(id)").status == 404)
        #expect(try await fixture.call("GET", "/v1/webhook_endpoints").data.isEmpty)
        #expect(try await fixture.call("DELETE", "/v1/webhook_endpoints/\(id)").status == 404)
        // Kept for its delivery history.
        #expect(try fixture.query("SELECT 1 FROM endpoints WHERE id = ? AND deleted_at IS NOT NULL", [id]).count == 1)
    }

    @Test func statusDisablesByHandAndReEnablingZeroesTheFailures() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let id = try #require(try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "http://127.0.0.1:9/h/"}"#).string("id"))
        let disabled = try await fixture.call("PATCH", "/v1/webhook_endpoints/\(id)", #"{"status": "disabled"}"#)
        #expect(disabled.string("status") == "disabled")
        #expect(disabled.string("disabled_reason") == "manual")
        #expect(disabled.string("disabled_at") != nil)
        // Still subscribed while disabled: its deliveries are recorded `held`.
        #expect(fixture.gateway.destinations?.snapshot.endpoints.map(\.id) == [id])
        // As the deliverer's auto-disable leaves it.
        _ = try await fixture.gateway.database?.write { connection in
            try connection.execute("UPDATE endpoints SET consecutive_failures = 10, disabled_reason = 'too_many_failures' WHERE id = ?", [id])
        }
        let enabled = try await fixture.call("PATCH", "/v1/webhook_endpoints/\(id)", #"{"status": "enabled"}"#)
        #expect(enabled.string("status") == "enabled")
        #expect(enabled["disabled_reason"] is NSNull)
        #expect(enabled["disabled_at"] is NSNull)
        #expect(enabled["consecutive_failures"] as? Int == 0)
        #expect(fixture.gateway.destinations?.snapshot.endpoints.map(\.id) == [id])
    }

    @Test func rotationKeepsThePreviousSecretForTheOverlap() async throws {
        let fixture = try ManagementFixture(delivery: #"{"allow_private_networks": true, "secret_rotation_overlap_seconds": 3600}"#)
        defer { fixture.close() }
        let created = try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "http://127.0.0.1:9/h/"}"#)
        let id = try #require(created.string("id"))
        let first = try #require(created.string("signing_secret"))
        let rotated = try await fixture.call("POST", "/v1/webhook_endpoints/\(id)/rotate_secret")
        #expect(rotated.status == 200, "\(rotated.text)")
        let second = try #require(rotated.string("signing_secret"))
        #expect(second != first && second.hasPrefix("whsec_"))
        let rows = try fixture.query("SELECT secret, created_at, expires_at FROM endpoint_secrets WHERE endpoint_id = ? ORDER BY created_at, expires_at IS NULL", [id])
        #expect(try rows.map { try $0.get("secret", as: String.self) } == [first, second])
        let expires = try rows[0].get("expires_at", as: Double.self)
        #expect(abs(expires - (try rows[1].get("created_at", as: Double.self)) - 3600) < 1)
        #expect(try rows[1].get("expires_at", as: Double?.self) == nil)
        // Rotating again within the overlap keeps two live secrets at most (issue 12 §2): the newest
        // is the only current one, the previous overlaps, the first is dropped.
        let third = try #require(try await fixture.call("POST", "/v1/webhook_endpoints/\(id)/rotate_secret").string("signing_secret"))
        #expect(try fixture.query("SELECT 1 FROM endpoint_secrets WHERE endpoint_id = ? AND expires_at IS NULL", [id]).count == 1)
        let live = try fixture.query("SELECT secret FROM endpoint_secrets WHERE endpoint_id = ? ORDER BY created_at", [id])
        #expect(try live.map { try $0.get("secret", as: String.self) } == [second, third])
    }

    @Test func aZeroOverlapRetiresTheOldSecretAtOnce() async throws {
        let fixture = try ManagementFixture(delivery: #"{"allow_private_networks": true, "secret_rotation_overlap_seconds": 0}"#)
        defer { fixture.close() }
        let id = try #require(try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "http://127.0.0.1:9/h/"}"#).string("id"))
        let second = try await fixture.call("POST", "/v1/webhook_endpoints/\(id)/rotate_secret").string("signing_secret")
        #expect(try fixture.query("SELECT secret FROM endpoint_secrets WHERE endpoint_id = ?", [id]).map { try $0.get("secret", as: String.self) } == [second])
    }

    @Test func authenticationIsRequired() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        for key in [nil, "sk_wrong", "", "sk_test_"] as [String?] {
            let reply = try await fixture.call("GET", "/v1/webhook_endpoints", key: key)
            #expect(reply.status == 401, "\(String(describing: key))")
            #expect(reply.errorType == "unauthorized")
            #expect(!reply.errorMessage.isEmpty)
        }
        #expect(try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "http://127.0.0.1:9/h/"}"#, key: "nope").status == 401)
        #expect(try fixture.query("SELECT 1 FROM endpoints").isEmpty)
        // Any configured key works; the scheme name is case-insensitive.
        #expect(try await fixture.call("GET", "/v1/webhook_endpoints", key: "sk_other").status == 200)
        let port = fixture.gateway.port
        let lower = try await blocking {
            try RawHTTPConnection(port: port).request("GET", "/v1/webhook_deliveries", headers: [("Authorization", "bearer sk_test_1")])
        }
        #expect(lower.status == 200)
    }

    @Test func withoutAPIKeysTheAPIsAreClosed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = LogWriter(fileDescriptor: open("/dev/null", O_WRONLY))
        defer { writer.close() }
        let config = try GatewayConfig.parse(Data(#"{"listen": {"port": 0}, "store": {"path": "\#(directory.file("g.sqlite"))"}}"#.utf8))
        let gateway = Gateway(config: config, logger: Logger(writer: writer))
        try gateway.start()
        defer { gateway.shutdown() }
        let port = gateway.port
        let reply = try await blocking {
            try RawHTTPConnection(port: port).request("GET", "/v1/webhook_endpoints", headers: [("Authorization", "Bearer x")])
        }
        #expect(reply.status == 401)
        #expect(reply.text.contains("no api_keys"))
    }

    @Test func invalidFieldsAre422NamingTheField() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let cases: [(String, String)] = [
            (#"{}"#, "url: is required"),
            (#"{"url": 5}"#, "url: must be a string"),
            (#"{"url": "ftp://h.example.test/"}"#, #"url: scheme "ftp" is not http or https"#),
            (#"{"url": "/relative"}"#, "url:"),
            (#"{"url": "https://"}"#, "url: no host"),
            (#"{"url": "https://u:p@h.example.test/"}"#, "url: user name or password"),
            (#"{"url": "http://127.0.0.1:9/h/", "enabled_events": []}"#, "enabled_events: must have"),
            (#"{"url": "http://127.0.0.1:9/h/", "enabled_events": ["call.started"]}"#, #"enabled_events[0]: unknown event "call.started""#),
            (#"{"url": "http://127.0.0.1:9/h/", "enabled_events": [1]}"#, "enabled_events[0]: must be a string"),
            (#"{"url": "http://127.0.0.1:9/h/", "colour": "red"}"#, "colour: unknown field"),
        ]
        for (body, message) in cases {
            let reply = try await fixture.call("POST", "/v1/webhook_endpoints", body)
            #expect(reply.status == 422, "\(body)")
            #expect(reply.errorType == "validation_error")
            #expect(reply.errorMessage.hasPrefix(message), "\(body): \(reply.errorMessage)")
        }
        let malformed = try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "a", "url": "b"}"#)
        #expect(malformed.status == 400)
        #expect(malformed.errorType == "invalid_json")
        let id = try #require(try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "http://127.0.0.1:9/h/"}"#).string("id"))
        let badStatus = try await fixture.call("PATCH", "/v1/webhook_endpoints/\(id)", #"{"status": "paused"}"#)
        #expect(badStatus.status == 422)
        #expect(badStatus.errorMessage.hasPrefix("status:"))
        let unknown = try await fixture.call("PATCH", "/v1/webhook_endpoints/00000000-0000-4000-8000-000000000000", #"{"status": "enabled"}"#)
        #expect(unknown.status == 404)
        #expect(unknown.errorType == "not_found")
        #expect(try await fixture.call("GET", "/v1/webhook_endpoints/not-a-uuid").status == 404)
        #expect(try fixture.query("SELECT 1 FROM endpoints").count == 1)
    }

    @Test func theOutboundPolicyRefusesPrivateAndUnresolvableDestinations() async throws {
        let fixture = try ManagementFixture(delivery: "{}")
        defer { fixture.close() }
        let loopback = try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "http://127.0.0.1:9/hook"}"#)
        #expect(loopback.status == 422)
        #expect(loopback.errorMessage.hasPrefix("url: host resolves to 127.0.0.1"), "\(loopback.errorMessage)")
        let metadata = try await fixture.call("POST", "/v1/webhooks", #"{"name": "n", "url": "http://169.254.169.254/", "events": ["call.ended"]}"#)
        #expect(metadata.status == 422)
        #expect(metadata.errorMessage.hasPrefix("url: host resolves to 169.254.169.254"), "\(metadata.errorMessage)")
        let perCall = try await fixture.call("PUT", "/v1/calls/1/webhook", #"{"url": "http://[::1]:9/"}"#)
        #expect(perCall.status == 422)
        let nowhere = try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "https://nowhere.invalid/hook"}"#)
        #expect(nowhere.status == 422)
        #expect(nowhere.errorMessage.hasPrefix("url: host does not resolve"), "\(nowhere.errorMessage)")
        #expect(try fixture.query("SELECT 1 FROM endpoints").isEmpty)
    }

    @Test func endpointsOfTheOtherAPIAreNotFoundHere() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let id = try #require(try await fixture.call("POST", "/v1/webhooks",
                                                     #"{"name": "x", "url": "http://127.0.0.1:9/h/", "events": ["call.ended"]}"#).string("id"))
        #expect(try await fixture.call("GET", "/v1/webhook_endpoints/\(id)").status == 404)
        #expect(try await fixture.call("GET", "/v1/webhook_endpoints").data.isEmpty)
    }
}
