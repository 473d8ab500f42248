import Foundation
import SwitchboardCore
import Testing
@testable import SwitchboardGateway

@Suite("Configuration: allow_unsigned and incoming_call")
struct IncomingCallConfigTests {
    private func source(_ body: String, format: String = "inkbox", auth: String = #"{"scheme": "inkbox", "secret": "whsec_k"}"#) -> String {
        #"{"sources": [{"name": "ib", "format": "\#(format)", "auth": \#(auth)\#(body.isEmpty ? "" : ", " + body)}]}"#
    }

    private func failure(_ json: String) -> String {
        do {
            _ = try GatewayConfig.parse(Data(json.utf8), environment: [:])
            return "accepted"
        } catch {
            return (error as? ConfigError)?.description ?? "\(error)"
        }
    }

    @Test func theDocumentedBlockParses() throws {
        let json = source(#"""
        "incoming_call": {"rules": [{"match": {"caller": {"prefix": "+90"}, "callee": {"exact": "+902125550100"},
                                               "known_contact": true,
                                               "time": {"zone": "Europe/Istanbul", "days": ["mon", "fri"], "from": "09:00", "to": "18:00"}},
                                     "action": "answer", "client_websocket_url": "wss://agent.example/ws"}],
                          "decision": {"url": "https://decide.example/hook", "format": "oneinbox", "secret": "env:DECIDE"},
                          "fallback": {"action": "reject"}}
        """#)
        let config = try GatewayConfig.parse(Data(json.utf8), environment: ["DECIDE": "whsec_c2VjcmV0"])
        let incoming = try #require(config.sources.first?.incomingCall)
        #expect(incoming.rules.first?.match.caller == .prefix("+90"))
        #expect(incoming.rules.first?.match.time?.days == [2, 6])
        #expect(incoming.decision?.timeoutMilliseconds == 2_000)
        #expect(incoming.decision?.format == "oneinbox")
        #expect(incoming.decision?.secret == "whsec_c2VjcmV0")
        #expect(incoming.fallback == CallAnswer(action: .reject))
        #expect(config.sources.first?.allowUnsigned == false)
    }

    @Test func allowUnsignedIsForInkboxAndLetsTheSecretGo() throws {
        let config = try GatewayConfig.parse(Data(source(#""allow_unsigned": true"#, auth: #"{"scheme": "inkbox"}"#).utf8))
        #expect(config.sources.first?.allowUnsigned == true)
        #expect(failure(source("", auth: #"{"scheme": "inkbox"}"#)) == "sources[0].auth.secret: is required for scheme inkbox")
        #expect(failure(source(#""allow_unsigned": true"#, format: "callingbox", auth: #"{"scheme": "callingbox", "secret": "whsec_k"}"#))
                == "sources[0].allow_unsigned: applies to scheme inkbox only")
        #expect(failure(source(#""allow_unsigned": true"#, auth: #"{"scheme": "inkbox", "secret": "whsec_k"}"#))
                == "sources[0].allow_unsigned: cannot be combined with a secret: with a signing key, every request must be signed")
    }

    @Test(arguments: [
        (#""incoming_call": {"fallback": {"action": "answer"}}"#, "callingbox",
         "sources[0].incoming_call: needs a format with an incoming-call request (inkbox, telnyx-texml, twilio, vonage), got callingbox"),
        (#""incoming_call": {"decision": {"url": "https://d.example/", "format": "callingbox", "secret": "s"}}"#, "inkbox",
         "sources[0].incoming_call.fallback: is required: it answers when no rule matches and the decision endpoint cannot"),
        (#""incoming_call": {"rules": [{"action": "answer"}, {"action": "reject"}], "fallback": {"action": "reject"}}"#, "inkbox",
         "sources[0].incoming_call.rules[0]: matches every call, so the rules after it can never match"),
        (#""incoming_call": {"fallback": {"action": "ignore"}}"#, "inkbox",
         "sources[0].incoming_call.fallback.action: must be \"answer\" or \"reject\", got \"ignore\""),
        (#""incoming_call": {"fallback": {"action": "answer", "client_websocket_url": "https://x"}}"#, "inkbox",
         "sources[0].incoming_call.fallback.client_websocket_url: must start with ws:// or wss://, got \"https://x\""),
        (#""incoming_call": {"rules": [{"match": {"caller": {"exact": "1", "prefix": "2"}}, "action": "answer"}], "fallback": {"action": "reject"}}"#,
         "inkbox", "sources[0].incoming_call.rules[0].match.caller: must have exactly one of exact or prefix"),
        (#""incoming_call": {"rules": [{"match": {"time": {"zone": "Nowhere/City", "from": "09:00", "to": "10:00"}}, "action": "answer"}], "fallback": {"action": "reject"}}"#,
         "inkbox", "sources[0].incoming_call.rules[0].match.time: zone: \"Nowhere/City\" is not a known IANA time zone"),
        (#""incoming_call": {"rules": [{"match": {"time": {"zone": "UTC", "from": "25:00", "to": "10:00"}}, "action": "answer"}], "fallback": {"action": "reject"}}"#,
         "inkbox", "sources[0].incoming_call.rules[0].match.time: from: \"25:00\" is not a time of day (00:00 to 23:59)"),
        (#""incoming_call": {"decision": {"url": "ftp://d.example/", "format": "callingbox", "secret": "s"}, "fallback": {"action": "reject"}}"#,
         "inkbox", "sources[0].incoming_call.decision.url: must be an http or https URL, got \"ftp://d.example/\""),
        (#""incoming_call": {"decision": {"url": "https://d.example/", "format": "inkbox", "secret": "s", "timeout_ms": 60000}, "fallback": {"action": "reject"}}"#,
         "inkbox", "sources[0].incoming_call.decision.timeout_ms: must be between 1 and 30000, got 60000"),
        (#""incoming_call": {"fallback": {"action": "reject"}, "fallbak": {}}"#, "inkbox", "sources[0].incoming_call.fallbak: unknown key"),
    ])
    func mistakesAreNamedWithTheirPath(body: String, format: String, message: String) {
        let auth = format == "inkbox" ? #"{"scheme": "inkbox", "secret": "whsec_k"}"# : #"{"scheme": "callingbox", "secret": "whsec_k"}"#
        #expect(failure(source(body, format: format, auth: auth)) == message)
    }
}
