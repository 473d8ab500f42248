import Foundation
import SwitchboardCore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Twilio and Vonage incoming calls answered by the running gateway over real HTTP: the rule or the
/// decision endpoint's answer in TwiML or NCCO, the fallback past the deadline, Vonage's GET answer URL
/// (the interop suite checks the same against the providers' SDKs, for TeXML too).
@Suite("Incoming calls: Twilio TwiML and Vonage NCCO answers")
struct ProviderAnswerTests {
    static let twilioToken = "0123456789abcdef0123456789abcdef"
    static let vonageSecret = "vonage_signature_secret_for_tests"
    static let publicURL = "https://hooks.example.com/v1/ingest/tw"

    final class Fixture: @unchecked Sendable {
        let directory: TemporaryDirectory
        let endpoint: DecisionEndpoint
        let gateway: Gateway

        init() throws {
            directory = try TemporaryDirectory()
            endpoint = try DecisionEndpoint()
            let json = """
            {"listen": {"host": "127.0.0.1", "port": 0}, "store": {"path": "\(directory.file("gw.sqlite"))"},
             "api_keys": ["sk_test_answers"], "delivery": {"allow_private_networks": true},
             "sources": [
              {"name": "tw", "format": "twilio", "public_url": "\(ProviderAnswerTests.publicURL)",
               "auth": {"scheme": "twilio", "secret": "\(ProviderAnswerTests.twilioToken)"},
               "incoming_call": {"rules": [{"match": {"caller": {"prefix": "+1999"}}, "action": "answer",
                                            "client_websocket_url": "wss://rule.example/ws?a=1&b=2"}],
                                 "fallback": {"action": "reject", "reason": "busy"}}},
              {"name": "vo", "format": "vonage", "auth": {"scheme": "vonage", "secret": "\(ProviderAnswerTests.vonageSecret)"},
               "incoming_call": {"decision": {"url": "\(endpoint.url("/answer"))", "format": "callingbox",
                                              "secret": "\(IncomingCallFixture.callingboxSecret)", "timeout_ms": 1000},
                                 "fallback": {"action": "reject"}}},
              {"name": "vo-slow", "format": "vonage", "auth": {"scheme": "vonage", "secret": "\(ProviderAnswerTests.vonageSecret)"},
               "incoming_call": {"decision": {"url": "\(endpoint.url("/slow"))", "format": "callingbox",
                                              "secret": "\(IncomingCallFixture.callingboxSecret)", "timeout_ms": 200},
                                 "fallback": {"action": "reject"}}}]}
            """
            gateway = Gateway(config: try GatewayConfig.parse(Data(json.utf8), environment: [:]),
                              logger: Logger(writer: LogWriter(fileDescriptor: open("/dev/null", O_WRONLY))))
            try gateway.start()
        }

        func request(_ method: String, _ target: String, headers: [(String, String)], body: [UInt8] = [])
            async throws -> RawHTTPConnection.Response {
            let port = gateway.port
            return try await blocking { try RawHTTPConnection(port: port).request(method, target, headers: headers, body: body) }
        }

        func close() {
            gateway.shutdown()
            endpoint.stop()
        }
    }

    private func twilioCall(caller: String) throws -> (body: [UInt8], headers: [(String, String)]) {
        let form = "AccountSid=AC00000000000000000000000000000000&CallSid=CA\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
            + "&CallStatus=ringing&Direction=inbound&From=\(caller.replacingOccurrences(of: "+", with: "%2B"))&To=%2B15551234567"
        let body = Array(form.utf8)
        let signed = try TwilioSignature().sign(SignedRequest(body: body, url: Self.publicURL), secrets: [Self.twilioToken],
                                                timestamp: 0, id: nil)
        return (body, signed.map { ($0.name, $0.value) } + [("Content-Type", "application/x-www-form-urlencoded")])
    }

    /// Vonage's answer request as the JSON body a GET's query becomes, and its signed JWT.
    private func vonageAnswer() throws -> (query: String, body: [UInt8], headers: [(String, String)]) {
        let uuid = UUID().uuidString.lowercased()
        let pairs = [("to", "442079460000"), ("from", "447700900000"), ("uuid", uuid), ("conversation_uuid", "CON-\(uuid)")]
        let body = JSONWriter.bytes(.object(JSONObject(pairs.map { ($0.0, JSONValue.string($0.1)) })))
        let signed = try VonageSignature().sign(body: body, secrets: [Self.vonageSecret],
                                                timestamp: Int64(Date().timeIntervalSince1970), id: UUID().uuidString)
        return (pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&"), body, signed.map { ($0.name, $0.value) })
    }

    @Test func aTwilioRuleAnswersWithTwiMLAndTheFallbackRejectsBusy() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let ruled = try twilioCall(caller: "+19995550100")
        let answer = try await fixture.request("POST", "/v1/ingest/tw", headers: ruled.headers, body: ruled.body)
        #expect(answer.status == 200)
        #expect(answer.header("Content-Type") == "text/xml")
        #expect(answer.text == #"<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://rule.example/ws?a=1&amp;b=2" /></Connect></Response>"#)
        let other = try twilioCall(caller: "+14155550123")
        let rejected = try await fixture.request("POST", "/v1/ingest/tw", headers: other.headers, body: other.body)
        #expect(rejected.text == #"<?xml version="1.0" encoding="UTF-8"?><Response><Reject reason="busy" /></Response>"#)
        // A tampered body is refused before anything is decided; a GET is not Twilio's.
        var tampered = other.body
        tampered[tampered.count - 1] = UInt8(ascii: "8")
        #expect(try await fixture.request("POST", "/v1/ingest/tw", headers: other.headers, body: tampered).status == 401)
        #expect(try await fixture.request("GET", "/v1/ingest/tw?CallSid=CA1", headers: []).status == 405)
        #expect(AnswerLanguage.allCases.filter(\.answersGet) == [.ncco])
    }

    @Test func aVonageGetAnswerURLIsDecidedByTheEndpointInNCCO() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let call = try vonageAnswer()
        let answer = try await fixture.request("GET", "/v1/ingest/vo?\(call.query)", headers: call.headers)
        #expect(answer.status == 200)
        #expect(answer.header("Content-Type") == "application/json")
        #expect(answer.text == #"[{"action":"connect","endpoint":[{"type":"websocket","uri":"wss://agent.example/ws/1","content-type":"audio/l16;rate=16000"}]}]"#)
        let asked = try #require(fixture.endpoint.received("/answer").first)
        #expect(asked.json?["type"]?.stringValue == "call.incoming")
        // POSTed as JSON, the same request is answered the same way.
        let posted = try vonageAnswer()
        let again = try await fixture.request("POST", "/v1/ingest/vo", headers: posted.headers + [("Content-Type", "application/json")], body: posted.body)
        #expect(again.text.hasPrefix(#"[{"action":"connect""#))
    }

    @Test func aSlowVonageDecisionGetsTheEmptyNCCO() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let call = try vonageAnswer()
        let answer = try await fixture.request("POST", "/v1/ingest/vo-slow", headers: call.headers + [("Content-Type", "application/json")], body: call.body)
        #expect(answer.status == 200)
        #expect(answer.text == "[]")
    }
}
