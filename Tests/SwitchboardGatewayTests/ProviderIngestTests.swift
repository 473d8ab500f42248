import Foundation
import SwitchboardCore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Sources verified by the voice providers' schemes (issue 16 part 2), over real HTTP: Twilio's form
/// callbacks checked against the configured `public_url`, the preflight's verdicts for schemes that
/// sign the body (Vonage's `payload_hash`) and for those that do not (Vapi's secret), Telnyx keys.
@Suite("Ingest from the voice providers' sources")
struct ProviderIngestTests {
    static let publicURL = "https://hooks.example.com/v1/ingest/twilio"
    static let token = "twilio-auth-token"
    static let seed = [UInt8](repeating: 7, count: 32)

    private static func config(_ directory: TemporaryDirectory, publicURL: String = publicURL) throws -> GatewayConfig {
        let publicKey = Base64.encode(try Ed25519.publicKey(forSeed: seed))
        return try GatewayConfig.parse(Data("""
        {"listen": {"host": "127.0.0.1", "port": 0}, "store": {"path": "\(directory.file("gw.sqlite"))"},
         "sources": [
           {"name": "twilio", "format": "twilio", "public_url": "\(publicURL)", "auth": {"scheme": "twilio", "secret": "\(token)"}},
           {"name": "vonage", "format": "callingbox", "auth": {"scheme": "vonage", "secret": "vonage-signature-secret"}},
           {"name": "vapi", "format": "callingbox", "auth": {"scheme": "vapi", "secret": "vapi-server-secret"}},
           {"name": "telnyx", "format": "callingbox", "auth": {"scheme": "telnyx", "public_key": "\(publicKey)"}}]}
        """.utf8), environment: [:])
    }

    private static func gateway(_ directory: TemporaryDirectory) throws -> (Gateway, LogWriter) {
        let writer = LogWriter(fileDescriptor: open("/dev/null", O_WRONLY))
        let gateway = Gateway(config: try config(directory), logger: Logger(writer: writer))
        try gateway.start()
        return (gateway, writer)
    }

    static func statusCallback(_ status: String, sequence: Int) -> [UInt8] {
        Array(("AccountSid=AC00000000000000000000000000000000&CallSid=CA11111111111111111111111111111111"
               + "&CallStatus=\(status)&CallbackSource=call-progress-events&SequenceNumber=\(sequence)"
               + "&Timestamp=Mon%2C+16+Aug+2010+03%3A45%3A01+%2B0000&From=%2B15005550006&To=%2B15551234567"
               + "&Direction=inbound&CallDuration=12").utf8)
    }

    private static func twilioHeaders(_ body: [UInt8], url: String = publicURL) throws -> [(String, String)] {
        try TwilioSignature().sign(SignedRequest(body: body, url: url), secrets: [token], timestamp: 0, id: nil)
            .map { ($0.name, $0.value) } + [("Content-Type", "application/x-www-form-urlencoded")]
    }

    private static func message(_ response: RawHTTPConnection.Response) -> String {
        (response.json?["error"] as? [String: Any])?["message"] as? String ?? ""
    }

    /// The answer to a request head declaring a 1 MiB body, read before any of the body is sent.
    private static func answerBeforeBody(_ port: Int, source: String, headers: [(String, String)]) throws -> RawHTTPConnection.Response {
        try IngestPreflightTests.answerBeforeBody(port, source: source, headers: headers.map { "\($0.0): \($0.1)\r\n" }.joined())
    }

    @Test func twilioFormCallbacksSignedOverThePublicURLAreAcceptedAndAnotherURLIsNamedInThe401() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (gateway, writer) = try Self.gateway(directory)
        defer { gateway.shutdown(); writer.close() }
        let port = gateway.port
        let body = Self.statusCallback("completed", sequence: 3)
        let signed = try Self.twilioHeaders(body)
        // What the gateway itself sees (loopback, its own port) is not what Twilio signed behind the proxy.
        let ownURL = "http://127.0.0.1:\(port)/v1/ingest/twilio"
        let elsewhere = try Self.twilioHeaders(body, url: ownURL)
        let conflicting = Array("AccountSid=AC1&CallSid=CA1&CallStatus=completed&CallStatus=busy".utf8)
        let answers = try await blocking {
            [try RawHTTPConnection(port: port).request("POST", "/v1/ingest/twilio", headers: signed, body: body),
             try RawHTTPConnection(port: port).request("POST", "/v1/ingest/twilio", headers: signed, body: body),
             try RawHTTPConnection(port: port).request("POST", "/v1/ingest/twilio", headers: elsewhere, body: body),
             try RawHTTPConnection(port: port).request("POST", "/v1/ingest/twilio", headers: try Self.twilioHeaders(conflicting),
                                                       body: conflicting),
             try Self.answerBeforeBody(port, source: "twilio", headers: [])]
        }
        #expect(answers[0].status == 202, "\(answers[0].text)")
        #expect(answers[0].json?["reason"] as? String == "no_subscriber")
        #expect(answers[1].status == 200)
        #expect(answers[1].json?["duplicate"] as? Bool == true)
        #expect(answers[2].status == 401)
        #expect(Self.message(answers[2]) == "signature mismatch: no X-Twilio-Signature over \(Self.publicURL) matches a configured auth token")
        #expect(answers[3].status == 400)
        #expect(answers[3].json.flatMap { ($0["error"] as? [String: Any])?["type"] as? String } == "invalid_form")
        #expect(Self.message(answers[3]) == "malformed form body: field CallStatus appears more than once with different values")
        #expect(answers[4].status == 401)
        #expect(Self.message(answers[4]) == "missing header X-Twilio-Signature")
        #expect(answers[4].header("Connection") == "close")
    }

    /// Before part 2 the preflight refused a valid Vonage token for its payload_hash over the empty
    /// body; a scheme that signs the body waits for it. Vapi's secret covers no body: refused at once.
    @Test func thePreflightWaitsForTheBodyOnlyWhereTheSchemeSignsIt() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (gateway, writer) = try Self.gateway(directory)
        defer { gateway.shutdown(); writer.close() }
        let port = gateway.port
        let now = Int64(Date().timeIntervalSince1970)
        let body = Array(#"{"id": "evt_1", "type": "call.completed", "created": 1713268800, "api_version": "2026-04", "data": {"call": {"id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "status": "completed", "duration_seconds": 34}}}"#.utf8)
        let vonage = try VonageSignature().sign(body: body, secrets: ["vonage-signature-secret"], timestamp: now, id: "jti-1")
            .map { ($0.name, $0.value) }
        let telnyx = try TelnyxSignature().sign(body: body, secrets: [Base64.encode(Self.seed)], timestamp: now, id: nil)
            .map { ($0.name, $0.value) }
        let answers = try await blocking {
            [try RawHTTPConnection(port: port).request("POST", "/v1/ingest/vonage", headers: vonage, body: body),
             try RawHTTPConnection(port: port).request("POST", "/v1/ingest/vonage", headers: vonage, body: body + [0x20]),
             try RawHTTPConnection(port: port).request("POST", "/v1/ingest/telnyx", headers: telnyx, body: body),
             try Self.answerBeforeBody(port, source: "vapi", headers: [("X-Vapi-Secret", "wrong")]),
             try Self.answerBeforeBody(port, source: "telnyx", headers: [])]
        }
        #expect(answers[0].status == 202, "\(answers[0].text)")
        #expect(answers[1].status == 401)
        #expect(Self.message(answers[1]) == "signature mismatch: the token's payload_hash is not the SHA-256 of the body")
        #expect(answers[2].status == 202, "\(answers[2].text)")
        #expect(answers[3].status == 401)
        #expect(Self.message(answers[3]).hasPrefix("signature mismatch"))
        #expect(answers[3].header("Connection") == "close")
        #expect(answers[4].status == 401)
        #expect(Self.message(answers[4]) == "missing header telnyx-signature-ed25519")
    }

    /// `public_url` applies on SIGHUP like the secrets: the next request is checked against the new URL.
    @Test func aReloadedPublicURLAppliesToTheNextRequest() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (gateway, writer) = try Self.gateway(directory)
        defer { gateway.shutdown(); writer.close() }
        let moved = "https://edge.example.com/twilio"
        let changes = ConfigChanges(from: try Self.config(directory), to: try Self.config(directory, publicURL: moved))
        #expect(changes.live == ["sources.twilio.public_url"])
        #expect(changes.restartRequired.isEmpty)
        #expect(try gateway.reload(changes))
        let port = gateway.port
        let body = Self.statusCallback("ringing", sequence: 1)
        let (old, new) = (try Self.twilioHeaders(body), try Self.twilioHeaders(body, url: moved))
        let answers = try await blocking {
            [try RawHTTPConnection(port: port).request("POST", "/v1/ingest/twilio", headers: old, body: body),
             try RawHTTPConnection(port: port).request("POST", "/v1/ingest/twilio", headers: new, body: body)]
        }
        #expect(answers[0].status == 401)
        #expect(Self.message(answers[0]).contains(moved))
        #expect(answers[1].status == 202, "\(answers[1].text)")
    }
}
