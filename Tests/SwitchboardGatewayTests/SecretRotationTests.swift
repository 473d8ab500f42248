import Foundation
import SwitchboardCore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Issue 12 §2: rotation on both endpoint APIs, `grace_period_seconds`, at most two live secrets, and
/// secrets shown once. (Signatures a receiver sees across rotations: `Tests/interop/test_secret_rotation.py`.)
@Suite("Management: secret rotation")
struct SecretRotationTests {
    private static let webhook = #"{"name": "CRM", "url": "http://127.0.0.1:9/oi/hook", "events": ["call.started"]}"#

    private func secrets(_ fixture: ManagementFixture, _ id: String) throws -> [(secret: String, expires: Double?)] {
        try fixture.query("SELECT secret, expires_at FROM endpoint_secrets WHERE endpoint_id = ? ORDER BY created_at", [id]).map {
            (try $0.get("secret", as: String.self), try $0.get("expires_at", as: Double?.self))
        }
    }

    @Test func oneInboxWebhooksRotateAndShowTheSecretOnce() async throws {
        let fixture = try ManagementFixture(delivery: #"{"allow_private_networks": true, "secret_rotation_overlap_seconds": 600}"#)
        defer { fixture.close() }
        let created = try await fixture.call("POST", "/v1/webhooks", Self.webhook)
        let id = try #require(created.string("id"))
        let first = try #require(created.string("secret"))
        let rotated = try await fixture.call("POST", "/v1/webhooks/\(id)/rotate_secret")
        #expect(rotated.status == 200, "\(rotated.text)")
        #expect(rotated.string("id") == id && rotated.string("name") == "CRM")
        let second = try #require(rotated.string("secret"))
        #expect(second != first && second.hasPrefix("whsec_"))
        #expect(try Base64.decode(second.dropFirst(6)).count == 32)
        // The previous secret overlaps for the configured 600 s.
        let rows = try secrets(fixture, id)
        #expect(rows.map(\.secret) == [first, second])
        let now = Date().timeIntervalSince1970
        #expect(abs((rows[0].expires ?? 0) - now - 600) < 5 && rows[1].expires == nil)
        // Shown once: not in a read, a list or an update.
        #expect(try await fixture.call("GET", "/v1/webhooks/\(id)")["secret"] == nil)
        #expect(try await fixture.call("GET", "/v1/webhooks").data.first?["secret"] == nil)
        #expect(try await fixture.call("PATCH", "/v1/webhooks/\(id)", #"{"name": "B"}"#)["secret"] == nil)
        // Unknown and deleted webhooks, and CallingBox ids on the OneInbox route, are 404.
        #expect(try await fixture.call("POST", "/v1/webhooks/\(UUID().uuidString)/rotate_secret").status == 404)
        let endpoint = try #require(try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "http://127.0.0.1:9/h/"}"#).string("id"))
        #expect(try await fixture.call("POST", "/v1/webhooks/\(endpoint)/rotate_secret").status == 404)
        #expect(try await fixture.call("POST", "/v1/webhooks/\(id)/rotate_secret", key: nil).status == 401)
    }

    @Test func gracePeriodSecondsSetsTheOverlapAndZeroRevokes() async throws {
        let fixture = try ManagementFixture(delivery: #"{"allow_private_networks": true, "secret_rotation_overlap_seconds": 600}"#)
        defer { fixture.close() }
        let created = try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "http://127.0.0.1:9/h/"}"#)
        let id = try #require(created.string("id"))
        let first = try #require(created.string("signing_secret"))
        let second = try #require(try await fixture.call("POST", "/v1/webhook_endpoints/\(id)/rotate_secret",
                                                         #"{"grace_period_seconds": 30}"#).string("signing_secret"))
        var rows = try secrets(fixture, id)
        #expect(rows.map(\.secret) == [first, second])
        #expect(abs((rows[0].expires ?? 0) - Date().timeIntervalSince1970 - 30) < 5)
        let third = try await fixture.call("POST", "/v1/webhook_endpoints/\(id)/rotate_secret", #"{"grace_period_seconds": 0}"#)
        #expect(third.status == 200, "\(third.text)")
        rows = try secrets(fixture, id)
        #expect(rows.map(\.secret) == [try #require(third.string("signing_secret"))])
        #expect(rows[0].expires == nil)
        // The same on the OneInbox route.
        let webhook = try #require(try await fixture.call("POST", "/v1/webhooks", Self.webhook).string("id"))
        let revoked = try await fixture.call("POST", "/v1/webhooks/\(webhook)/rotate_secret", #"{"grace_period_seconds": 0}"#)
        #expect(try secrets(fixture, webhook).map(\.secret) == [try #require(revoked.string("secret"))])
    }

    @Test func gracePeriodSecondsIsValidated() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let id = try #require(try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "http://127.0.0.1:9/h/"}"#).string("id"))
        let webhook = try #require(try await fixture.call("POST", "/v1/webhooks", Self.webhook).string("id"))
        let cases = [
            (#"{"grace_period_seconds": -1}"#, "grace_period_seconds: must be an integer from 0 to 2592000, got -1"),
            (#"{"grace_period_seconds": 2592001}"#, "grace_period_seconds: must be an integer from 0 to 2592000, got 2592001"),
            (#"{"grace_period_seconds": 1.5}"#, "grace_period_seconds: must be an integer from 0 to 2592000, got 1.5"),
            (#"{"grace_period_seconds": "60"}"#, "grace_period_seconds: must be an integer from 0 to 2592000, got string"),
            (#"{"grace_period_seconds": true}"#, "grace_period_seconds: must be an integer from 0 to 2592000, got boolean"),
            (#"{"grace": 60}"#, "grace: unknown field"),
        ]
        for path in ["/v1/webhook_endpoints/\(id)/rotate_secret", "/v1/webhooks/\(webhook)/rotate_secret"] {
            for (body, message) in cases {
                let reply = try await fixture.call("POST", path, body)
                #expect(reply.status == 422, "\(path) \(body)")
                #expect(reply.errorType == "validation_error")
                #expect(reply.errorMessage == message, "\(body): \(reply.errorMessage)")
            }
            #expect(try await fixture.call("POST", path, "[1]").status == 400)
        }
        // Nothing was rotated.
        #expect(try secrets(fixture, id).count == 1 && secrets(fixture, webhook).count == 1)
        // An explicit null is the default.
        #expect(try await fixture.call("POST", "/v1/webhook_endpoints/\(id)/rotate_secret", #"{"grace_period_seconds": null}"#).status == 200)
    }
}
