import Foundation
import SwitchboardCore
import Testing
@testable import SwitchboardGateway

@Suite("Configuration: incoming_call on Twilio, TeXML and Vonage sources")
struct ProviderIncomingCallConfigTests {
    private static let auths = [
        "twilio": #"{"scheme": "twilio", "secret": "0123456789abcdef0123456789abcdef"}, "public_url": "https://gw.example/v1/ingest/p""#,
        "telnyx-texml": #"{"scheme": "telnyx", "public_key": "Ky7GGagoDTfM2J9MWMRl2pG9EurazTlFyY27sR9zNcU="}"#,
        "vonage": #"{"scheme": "vonage", "secret": "vonage_signature_secret_1"}"#,
    ]

    private func failure(_ format: String, _ block: String) -> String {
        let json = #"{"sources": [{"name": "p", "format": "\#(format)", "auth": \#(Self.auths[format] ?? ""), "incoming_call": \#(block)}]}"#
        do {
            _ = try GatewayConfig.parse(Data(json.utf8), environment: [:])
            return "accepted"
        } catch {
            return (error as? ConfigError)?.description ?? "\(error)"
        }
    }

    private func decision(_ timeout: Int) -> String {
        #"{"decision": {"url": "https://d.example/", "format": "callingbox", "secret": "s", "timeout_ms": \#(timeout)}, "fallback": {"action": "reject"}}"#
    }

    @Test func timeoutMsMayNotExceedTheProvidersWait() {
        #expect(failure("vonage", decision(4_000)) == "accepted")
        #expect(failure("vonage", decision(4_001))
            == "sources[0].incoming_call.decision.timeout_ms: must be at most 4000 for this source's format (Vonage waits 5 s for the NCCO, less 1 s for the network and the fallback), got 4001")
        #expect(failure("twilio", decision(14_000)) == "accepted")
        #expect(failure("twilio", decision(15_000)).hasPrefix("sources[0].incoming_call.decision.timeout_ms: must be at most 14000"))
        #expect(failure("telnyx-texml", decision(20_000)).hasPrefix("sources[0].incoming_call.decision.timeout_ms: must be at most 14000"))
    }

    @Test func answersMustBeSayableInTheProvidersLanguage() {
        #expect(failure("twilio", #"{"fallback": {"action": "answer"}}"#)
            == "sources[0].incoming_call.fallback.client_websocket_url: an answer for twiml needs client_websocket_url (the provider has no URL of its own)")
        #expect(failure("telnyx-texml", #"{"rules": [{"action": "answer", "client_websocket_url": "ws://a.example/"}]}"#)
            == "sources[0].incoming_call.rules[0].client_websocket_url: texml streams only to wss:// URLs, got \"ws://a.example/\"")
        #expect(failure("vonage", #"{"fallback": {"action": "answer", "client_websocket_url": "ws://a.example/"}}"#) == "accepted")
        #expect(failure("twilio", #"{"fallback": {"action": "reject", "reason": "busy"}}"#) == "accepted")
        #expect(failure("twilio", #"{"fallback": {"action": "answer", "reason": "busy", "client_websocket_url": "wss://a.example/"}}"#)
            == "sources[0].incoming_call.fallback.reason: must be \"rejected\" or \"busy\" on a reject, got \"busy\"")
    }

    @Test func rulesMayGiveStreamParameters() throws {
        let json = #"{"sources": [{"name": "p", "format": "vonage", "auth": \#(Self.auths["vonage"] ?? ""), "incoming_call": {"rules": [{"action": "answer", "client_websocket_url": "wss://a.example/", "parameters": {"b": "2", "a": "1"}}]}}]}"#
        let config = try GatewayConfig.parse(Data(json.utf8), environment: [:])
        #expect(config.sources.first?.incomingCall?.rules.first?.answer.parameters
            == [CallAnswer.StreamParameter("a", "1"), CallAnswer.StreamParameter("b", "2")])
        #expect(failure("twilio", #"{"fallback": {"action": "reject", "parameters": {"a": "1"}}}"#)
            == "sources[0].incoming_call.fallback.parameters: applies to an answer only")
    }
}
