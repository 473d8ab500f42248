import Foundation
import SwitchboardCore
import SwitchboardHTTP
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Issue 17: OneInbox webhooks with `"signature": "v1a"` (Standard Webhooks, Ed25519) over real HTTP:
/// the key pair (the `whsk_` key kept, the `whpk_` key shown), deliveries signed at send time with the
/// live keys, rotation's overlap, and the `signature` field's validation. (The receiver's side with
/// Python `cryptography`: `Tests/interop/test_standardwebhooks_v1a.py`.)
@Suite("Management: OneInbox webhooks signed v1a")
struct OneInboxV1aWebhookTests {
    private let scheme = StandardWebhooksV1aSignature()

    private func webhook(_ url: String, signature: String = "v1a") -> String {
        #"{"name": "CRM", "url": "\#(url)", "events": ["call.started"], "signature": "\#(signature)"}"#
    }

    @Test func aV1aWebhookKeepsItsSecretKeyAndShowsItsPublicKey() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let created = try await fixture.call("POST", "/v1/webhooks", webhook("http://127.0.0.1:9/oi/hook"))
        #expect(created.status == 201, "\(created.text)")
        #expect(Set(created.json.keys) == ["id", "name", "url", "events", "signature", "public_key", "status", "receive_test_events",
                                           "created_at", "updated_at"])
        #expect(created.string("signature") == "v1a")
        let id = try #require(created.string("id"))
        let publicKey = try #require(created.string("public_key"))
        #expect(try publicKey.hasPrefix("whpk_") && Base64.decode(publicKey.dropFirst(5)).count == 32)
        let row = try #require(try fixture.query("SELECT scheme FROM endpoints WHERE id = ?", [id]).first)
        #expect(try row.get("scheme", as: String.self) == "standard-webhooks-v1a")
        let stored = try #require(try fixture.query("SELECT secret FROM endpoint_secrets WHERE endpoint_id = ?", [id]).first)
        let secretKey = try stored.get("secret", as: String.self)
        #expect(secretKey.hasPrefix("whsk_") && StandardWebhooksV1aSignature.publicKey(forSecretKey: secretKey) == publicKey)

        // Public, so every answer shows it; the secret key never appears.
        let fetched = try await fixture.call("GET", "/v1/webhooks/\(id)")
        #expect(fetched.string("public_key") == publicKey && fetched["secret"] == nil)
        #expect(try await fixture.call("GET", "/v1/webhooks").data.first?["public_key"] as? String == publicKey)
        let patched = try await fixture.call("PATCH", "/v1/webhooks/\(id)", #"{"name": "B", "signature": "v1a"}"#)
        #expect(patched.status == 200 && patched.string("public_key") == publicKey && patched.string("name") == "B")
        for answer in [created, fetched, patched] { #expect(!answer.text.contains("whsk_")) }

        // The signature is chosen at creation.
        let switched = try await fixture.call("PATCH", "/v1/webhooks/\(id)", #"{"signature": "v1", "name": "C"}"#)
        #expect(switched.status == 422)
        #expect(switched.errorMessage.hasPrefix("signature: cannot be changed (this webhook signs v1a)"), "\(switched.errorMessage)")
        #expect(try await fixture.call("GET", "/v1/webhooks/\(id)").string("name") == "B")
        let bad = try await fixture.call("POST", "/v1/webhooks", webhook("http://127.0.0.1:9/oi/hook", signature: "v2"))
        #expect(bad.status == 422 && bad.errorMessage == #"signature: must be "v1" or "v1a", got "v2""#)

        // v1 stays the default, and can be asked for by name.
        let plain = try await fixture.call("POST", "/v1/webhooks", webhook("http://127.0.0.1:9/oi/hook", signature: "v1"))
        #expect(plain.string("signature") == "v1" && plain.string("secret")?.hasPrefix("whsec_") == true && plain["public_key"] == nil)
        let plainID = try #require(plain.string("id"))
        #expect(try await fixture.call("PATCH", "/v1/webhooks/\(plainID)", #"{"signature": "v1a"}"#).status == 422)
    }

    @Test func deliveriesAreSignedWithTheLiveKeysAndRotationOverlaps() async throws {
        let sink = try RecordingSink()
        defer { sink.stop() }
        let fixture = try ManagementFixture(delivery: #"{"allow_private_networks": true, "secret_rotation_overlap_seconds": 600}"#)
        defer { fixture.close() }
        let created = try await fixture.call("POST", "/v1/webhooks", webhook(sink.url))
        let id = try #require(created.string("id"))
        let first = try #require(created.string("public_key"))
        try await fixture.ingest(ManagementFixture.salpre("call_answered", call: 1))
        #expect(try await blocking { eventually { sink.all.count == 1 } })

        let rotated = try await fixture.call("POST", "/v1/webhooks/\(id)/rotate_secret")
        #expect(rotated.status == 200, "\(rotated.text)")
        let second = try #require(rotated.string("public_key"))
        #expect(second != first && rotated["secret"] == nil)
        #expect(try await fixture.call("GET", "/v1/webhooks/\(id)").string("public_key") == second)
        try await fixture.ingest(ManagementFixture.salpre("call_answered", call: 2))
        #expect(try await blocking { eventually { sink.all.count == 2 } })

        let now = Int64(Date().timeIntervalSince1970)
        let (before, during) = (sink.all[0], sink.all[1])
        try scheme.verify(body: before.body, headers: fields(before), secrets: [first], now: now)
        #expect(throws: SignatureFailure.signatureMismatch) {
            try scheme.verify(body: before.body, headers: fields(before), secrets: [second], now: now)
        }
        // In the overlap: two v1a signatures, the new key's first; either public key alone verifies.
        let items = (during.headers["webhook-signature"] ?? "").split(separator: " ")
        #expect(items.count == 2 && items.allSatisfy { $0.hasPrefix("v1a,") })
        for key in [second, first] { try scheme.verify(body: during.body, headers: fields(during), secrets: [key], now: now) }
        #expect(during.headers["webhook-id"] == during.json?["id"]?.stringValue)

        // Revoked at once (grace 0): only the newest key signs.
        let third = try #require(try await fixture.call("POST", "/v1/webhooks/\(id)/rotate_secret",
                                                        #"{"grace_period_seconds": 0}"#).string("public_key"))
        #expect(try await fixture.call("POST", "/v1/webhooks/\(id)/test").status == 202)
        #expect(try await blocking { eventually { sink.all.count == 3 } })
        let after = sink.all[2]
        #expect(!(after.headers["webhook-signature"] ?? "").contains(" "))
        try scheme.verify(body: after.body, headers: fields(after), secrets: [third], now: now)
        #expect(throws: SignatureFailure.signatureMismatch) {
            try scheme.verify(body: after.body, headers: fields(after), secrets: [second, first], now: now)
        }
    }

    private func fields(_ received: RecordingSink.Received) -> [HeaderField] {
        ["webhook-id", "webhook-timestamp", "webhook-signature"].compactMap { name in
            received.headers[name].map { HeaderField(name, $0) }
        }
    }
}

/// `switchboard sign`/`verify --scheme standard-webhooks-v1a`: the PROVIDERS.md §8 vector, two keys, refusals.
@Suite("Command line: standard-webhooks-v1a")
struct StandardWebhooksV1aCommandTests {
    private func run(_ arguments: [String]) -> (status: Int32, out: String, err: String) {
        let captured = CapturedOutput()
        let status = SwitchboardCLI.main(arguments, output: captured.output)
        return (status, captured.out, captured.err)
    }

    @Test func signPrintsTheVectorsHeadersAndVerifyChecksThem() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("body.bin"), tampered = directory.file("tampered.bin")
        let body = #"{"type":"call.completed","timestamp":"2026-01-01T00:00:00Z","data":{"call_id":"call_123","status":"completed"}}"#
        try Data(body.utf8).write(to: URL(fileURLWithPath: path))
        try Data((body + " ").utf8).write(to: URL(fileURLWithPath: tampered))
        let signed = run(["sign", "--scheme", "standard-webhooks-v1a", "--private-key", "whsk_lRrbb82NG1TRxRFM2OKjQCGgRuWcFaYZuXFI8r9rVYk=",
                          "--id", "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", "--timestamp", "1767225600", "--in", path])
        #expect(signed.status == 0, "\(signed.err)")
        #expect(signed.out == "webhook-id: msg_2KWPBgLlAfxdpx2AI54pPJ85f4W\nwebhook-timestamp: 1767225600\n"
            + "webhook-signature: v1a,sM3N8g8x8bZcQv2oDjmtK2NLr1nwFNJ8D1lZUwj4p4HoG/5F3pat4vfhUwFGMxzdTrvK4haH453fukK3t0LOAA==\n")
        let headers = signed.out.split(separator: "\n").flatMap { ["--header", String($0)] }
        let key = ["--public-key", "whpk_dnKQbuc3/Wh5dP6nyPWLNoye+77d8l+AIGIrs6MrW3g=", "--tolerance", "0"]
        let verified = run(["verify", "--scheme", "standard-webhooks-v1a", "--in", path] + key + headers)
        #expect(verified.status == 0 && verified.out == "ok\n", "\(verified.err)")
        let refused = run(["verify", "--scheme", "standard-webhooks-v1a", "--in", tampered] + key + headers)
        #expect(refused.status == 1 && refused.err.hasPrefix("switchboard verify: signature mismatch"), "\(refused.err)")

        // Two keys (a rotation's overlap): two signatures, each public key verifies alone.
        let old = try StandardWebhooksV1aSignature.KeyPair.generate(), new = try StandardWebhooksV1aSignature.KeyPair.generate()
        let both = run(["sign", "--scheme", "standard-webhooks-v1a", "--private-key", new.secretKey, "--private-key", old.secretKey,
                        "--in", path])
        #expect(both.status == 0 && both.out.contains("webhook-signature: v1a,") && both.out.contains(" v1a,"), "\(both.err)")
        for publicKey in [new.publicKey, old.publicKey] {
            let ok = run(["verify", "--scheme", "standard-webhooks-v1a", "--in", path, "--public-key", publicKey]
                         + both.out.split(separator: "\n").flatMap { ["--header", String($0)] })
            #expect(ok.status == 0, "\(ok.err)")
        }
        let wrong = run(["verify", "--scheme", "standard-webhooks-v1a", "--in", path, "--public-key", new.secretKey] + headers)
        #expect(wrong.status == 2 && wrong.err.contains("invalid --public-key: the public key is not whpk_"), "\(wrong.err)")
        let secret = run(["sign", "--scheme", "standard-webhooks-v1a", "--secret", "whsec_x", "--in", path])
        #expect(secret.status == 2 && secret.err.contains("--secret is not used by standard-webhooks-v1a: give --private-key"))
    }
}
