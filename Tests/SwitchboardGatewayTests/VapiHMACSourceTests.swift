import Foundation
import SwitchboardCore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// A `vapi` source with an `auth.hmac` block: the keys parse with Vapi's defaults, each mistake is
/// one line naming its key, a changed plan applies on reload, and over real HTTP a signed request
/// passes the preflight and is accepted while a tampered or stale one is 401.
@Suite("Vapi sources with an HMAC plan")
struct VapiHMACSourceTests {
    private static let secret = "vapi-hmac-secret"

    private func parse(_ auth: String, extra: String = "") throws -> GatewayConfig {
        try GatewayConfig.parse(Data(#"{"sources": [{"name": "vapi", "format": "callingbox", \#(extra)"auth": \#(auth)}]}"#.utf8),
                                environment: ["VAPI_HMAC_SECRET": Self.secret])
    }

    private func problem(_ auth: String, extra: String = "") -> String? {
        do {
            try ConfigCheck.run(try parse(auth, extra: extra))
            return nil
        } catch {
            return (error as? ConfigError)?.description ?? "\(error)"
        }
    }

    @Test func theBlockParsesWithVapisDefaultsAndEveryKey() throws {
        let minimal = try parse(#"{"scheme": "vapi", "hmac": {"secret": "env:VAPI_HMAC_SECRET"}}"#)
        #expect(minimal.sources[0].auth == .signature(scheme: "vapi", secrets: [Self.secret], toleranceSeconds: 300))
        #expect(minimal.sources[0].hmacPlan == (try HMACPlan()))
        let full = try parse("""
        {"scheme": "vapi", "tolerance_seconds": 60, "hmac": {"secret": "c2VjcmV0", "algorithm": "sha512",
         "signature_header": "x-sig", "timestamp_header": "x-ts", "include_timestamp": true,
         "payload_format": "{method}:{url}:{svix-id}:{timestamp}:{body}", "signature_prefix": "v1=",
         "signature_encoding": "base64", "message_id_header": "svix-id", "secret_is_base64": true}}
        """, extra: #""public_url": "https://hooks.example.com/v1/ingest/vapi", "#)
        try ConfigCheck.run(full)
        #expect(full.sources[0].auth == .signature(scheme: "vapi", secrets: ["c2VjcmV0"], toleranceSeconds: 60))
        #expect(full.sources[0].publicURL == "https://hooks.example.com/v1/ingest/vapi")
        #expect(full.sources[0].hmacPlan == (try HMACPlan(
            algorithm: .sha512, signatureHeader: "x-sig", timestampHeader: "x-ts", payloadFormat: "{method}:{url}:{svix-id}:{timestamp}:{body}",
            signaturePrefix: "v1=", signatureEncoding: .base64, messageIdHeader: "svix-id", secretIsBase64: true)))
        let untimed = try parse(#"{"scheme": "vapi", "hmac": {"secret": "k", "include_timestamp": false, "message_id_header": null}}"#)
        #expect(untimed.sources[0].hmacPlan?.payloadFormat == "{body}")
    }

    @Test func eachMistakeIsOneLineNamingItsKey() {
        #expect(problem(#"{"scheme": "vapi", "hmac": {}}"#) == "sources[0].auth.hmac.secret: is required: the HMAC credential's secret key")
        #expect(problem(#"{"scheme": "vapi", "hmac": {"secret": "k", "algorithm": "md5"}}"#)
                == #"sources[0].auth.hmac.algorithm: must be one of sha256, sha512, sha1, got "md5""#)
        #expect(problem(#"{"scheme": "vapi", "hmac": {"secret": "k", "signature_encoding": "base32"}}"#)
                == #"sources[0].auth.hmac.signature_encoding: must be "hex" or "base64", got "base32""#)
        #expect(problem(#"{"scheme": "vapi", "hmac": {"secret": "k", "secret_key": "k"}}"#) == "sources[0].auth.hmac.secret_key: unknown key")
        #expect(problem(#"{"scheme": "vapi", "hmac": {"secret": "k", "include_timestamp": "yes"}}"#)
                == "sources[0].auth.hmac.include_timestamp: must be true or false")
        #expect(problem(#"{"scheme": "vapi", "hmac": {"secret": "k", "include_timestamp": false, "payload_format": "{timestamp}.{body}"}}"#)
                == "sources[0].auth.hmac.payload_format: uses {timestamp} but include_timestamp is false")
        #expect(problem(#"{"scheme": "vapi", "hmac": {"secret": "k", "signature_header": "x sig"}}"#)
                == "sources[0].auth.hmac.signature_header: 'x sig' is not a valid header name")
        #expect(problem(#"{"scheme": "vapi", "hmac": {"secret": "not base64!", "secret_is_base64": true}}"#)
                == "sources[0].auth.hmac.secret: not usable: the secret is not base64 (secret_is_base64 is true)")
        #expect(problem(#"{"scheme": "vapi", "secret": "s", "hmac": {"secret": "k"}}"#)
                == "sources[0].auth.secret: does not apply with hmac: vapi sends one credential per server; the HMAC key is hmac.secret")
        #expect(problem(#"{"scheme": "vapi", "hmac": {"secret": "k", "payload_format": "{url}{body}"}}"#)?
                .hasPrefix("sources[0].public_url: is required for scheme vapi") == true)
        #expect(problem(#"{"scheme": "vapi", "hmac": {"secret": "k"}}"#, extra: #""public_url": "https://h.example.com/x", "#)?
                .hasPrefix("sources[0].public_url: applies only to schemes that sign the request URL") == true)
        #expect(problem(#"{"scheme": "retell", "secret": "k", "hmac": {"secret": "k"}}"#) == "sources[0].auth.hmac: unknown key")
        #expect(problem(#"{"scheme": "vapi", "hmac": {"secret": "c2VjcmV0", "secret_is_base64": true}, "secret_previous": "not base64!", "secret_previous_expires_at": 1}"#)
                == "sources[0].auth.secret_previous: not usable by scheme vapi: the secret is not base64 (secret_is_base64 is true)")
    }

    @Test func aChangedPlanIsAppliedLive() throws {
        let old = try parse(#"{"scheme": "vapi", "secret": "s"}"#)
        let new = try parse(#"{"scheme": "vapi", "hmac": {"secret": "k", "algorithm": "sha1"}}"#)
        let changes = ConfigChanges(from: old, to: new)
        #expect(changes.live == ["sources.vapi.auth"])
        #expect(changes.restartRequired.isEmpty)
        #expect(changes.effective.sources[0].hmacPlan?.algorithm == .sha1)
    }

    @Test func signedRequestsAreAcceptedTamperedAndStaleOnesRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try GatewayConfig.parse(Data("""
        {"listen": {"host": "127.0.0.1", "port": 0}, "store": {"path": "\(directory.file("gw.sqlite"))"},
         "sources": [{"name": "vapi", "format": "callingbox", "auth": {"scheme": "vapi", "hmac": {"secret": "\(Self.secret)", "signature_prefix": "sha256="}}}]}
        """.utf8), environment: [:])
        let writer = LogWriter(fileDescriptor: open("/dev/null", O_WRONLY))
        let gateway = Gateway(config: config, logger: Logger(writer: writer))
        try gateway.start()
        defer { gateway.shutdown(); writer.close() }
        let port = gateway.port
        let body = Array(#"{"id": "evt_h1", "type": "call.completed", "created": 1713268800, "api_version": "2026-04", "data": {"call": {"id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "status": "completed", "duration_seconds": 34}}}"#.utf8)
        let scheme = try SignatureSchemes.scheme(named: "vapi", hmacPlan: try HMACPlan(signaturePrefix: "sha256="))
        let now = Int64(Date().timeIntervalSince1970)
        let fresh = try scheme.sign(body: body, secrets: [Self.secret], timestamp: now, id: nil).map { ($0.name, $0.value) }
        let stale = try scheme.sign(body: body, secrets: [Self.secret], timestamp: now - 3600, id: nil).map { ($0.name, $0.value) }
        let answers = try await blocking {
            [try RawHTTPConnection(port: port).request("POST", "/v1/ingest/vapi", headers: fresh, body: body),
             try RawHTTPConnection(port: port).request("POST", "/v1/ingest/vapi", headers: fresh, body: body + [0x20]),
             try RawHTTPConnection(port: port).request("POST", "/v1/ingest/vapi", headers: stale, body: body),
             try RawHTTPConnection(port: port).request("POST", "/v1/ingest/vapi", headers: [("X-Vapi-Secret", Self.secret)], body: body)]
        }
        let messages = answers.map { ($0.json?["error"] as? [String: Any])?["message"] as? String ?? "" }
        #expect(answers[0].status == 202, "\(answers[0].text)")
        #expect(answers[1].status == 401)
        #expect(messages[1].hasPrefix("signature mismatch"))
        #expect(answers[2].status == 401)
        #expect(messages[2].hasPrefix("stale timestamp"))
        #expect(answers[3].status == 401)
        #expect(messages[3] == "missing header x-signature")
    }
}
