import SwitchboardCore
import Testing

@Suite("Answer languages: the same decision said as Inkbox JSON, TwiML, TeXML or NCCO")
struct AnswerLanguageTests {
    private let connect = CallAnswer(action: .answer, websocketURL: "wss://agent.example/ws?a=1&b=\"2\"<x>")

    private func text(_ language: AnswerLanguage, _ answer: CallAnswer) -> (String, String) {
        let rendered = language.render(answer)
        return (rendered.contentType, String(decoding: rendered.body, as: UTF8.self))
    }

    @Test func twimlConnectsAStreamWithTheURLEscapedAsAnAttribute() {
        let (type, body) = text(.twiml, connect)
        #expect(type == "text/xml")
        #expect(body == #"<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://agent.example/ws?a=1&amp;b=&quot;2&quot;&lt;x&gt;" /></Connect></Response>"#)
        #expect(text(.texml, connect).1 == body)
    }

    @Test func twimlRejectsWithTheReasonWhenGiven() {
        #expect(text(.twiml, CallAnswer(action: .reject)).1 == #"<?xml version="1.0" encoding="UTF-8"?><Response><Reject /></Response>"#)
        #expect(text(.texml, CallAnswer(action: .reject, reason: .busy)).1
            == #"<?xml version="1.0" encoding="UTF-8"?><Response><Reject reason="busy" /></Response>"#)
    }

    @Test func nccoConnectsAWebSocketAt16kHzAndRejectsWithTheEmptyNCCO() {
        let (type, body) = text(.ncco, CallAnswer(action: .answer, websocketURL: "wss://agent.example/ws"))
        #expect(type == "application/json")
        #expect(body == #"[{"action":"connect","endpoint":[{"type":"websocket","uri":"wss://agent.example/ws","content-type":"audio/l16;rate=16000"}]}]"#)
        #expect(text(.ncco, CallAnswer(action: .reject, reason: .busy)).1 == "[]")
    }

    @Test func inkboxKeepsItsJSONAnswer() {
        #expect(text(.inkbox, CallAnswer(action: .reject, reason: .busy)) == ("application/json", #"{"action":"reject"}"#))
        #expect(AnswerLanguage.inkbox.problem(CallAnswer(action: .answer)) == nil)
    }

    @Test func anAnswerWithoutAURLOrWithWsIsRefusedWhereTheLanguageCannotSayIt() {
        #expect(AnswerLanguage.twiml.problem(CallAnswer(action: .answer))?.hasPrefix("an answer for twiml needs client_websocket_url") == true)
        #expect(AnswerLanguage.texml.problem(CallAnswer(action: .answer, websocketURL: "ws://a.example/x"))?.contains("wss://") == true)
        #expect(AnswerLanguage.ncco.problem(CallAnswer(action: .answer, websocketURL: "ws://a.example/x")) == nil)
        #expect(AnswerLanguage.ncco.problem(CallAnswer(action: .reject)) == nil)
    }

    @Test func formatsNameTheirLanguageAndTheProvidersWait() {
        #expect(AnswerLanguage.of(format: "twilio") == .twiml)
        #expect(AnswerLanguage.of(format: "telnyx-texml") == .texml)
        #expect(AnswerLanguage.of(format: "vonage") == .ncco)
        #expect(AnswerLanguage.of(format: "salpre") == nil)
        #expect(AnswerLanguage.ncco.maxTimeoutMilliseconds == 4_000)
        #expect(AnswerLanguage.twiml.maxTimeoutMilliseconds == 14_000)
    }

    @Test func aDecisionMayGiveARejectReason() throws {
        #expect(try CallAnswer.parse(Array(#"{"action":"reject","reason":"busy"}"#.utf8)) == CallAnswer(action: .reject, reason: .busy))
        #expect(try CallAnswer.parse(Array(#"{"action":"answer","reason":"whatever","client_websocket_url":"wss://a.example"}"#.utf8))
            == CallAnswer(action: .answer, websocketURL: "wss://a.example"))
        #expect(throws: CallAnswerProblem.invalidReason(#""later""#)) { try CallAnswer.parse(Array(#"{"action":"reject","reason":"later"}"#.utf8)) }
        // An Inkbox handler's own members pass unchanged, as before.
        #expect(try CallAnswer.parse(Array(#"{"action":"reject","reason":"later","parameters":1}"#.utf8), extras: false) == CallAnswer(action: .reject))
    }

    @Test func streamParametersGoWhereTheLanguageHasAPlace() throws {
        let answer = try CallAnswer.parse(Array(#"{"action":"answer","client_websocket_url":"wss://a.example/ws","parameters":{"tenant":"t1","q":"<&>"}}"#.utf8))
        #expect(answer.parameters == [CallAnswer.StreamParameter("tenant", "t1"), CallAnswer.StreamParameter("q", "<&>")])
        #expect(text(.twiml, answer).1 == #"<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://a.example/ws"><Parameter name="tenant" value="t1" /><Parameter name="q" value="&lt;&amp;&gt;" /></Stream></Connect></Response>"#)
        #expect(text(.ncco, answer).1 == #"[{"action":"connect","endpoint":[{"type":"websocket","uri":"wss://a.example/ws","content-type":"audio/l16;rate=16000","headers":{"tenant":"t1","q":"<&>"}}]}]"#)
        #expect(text(.inkbox, answer).1 == #"{"action":"answer","client_websocket_url":"wss://a.example/ws"}"#)
        #expect(throws: CallAnswerProblem.parameterNotText("n", "a number")) {
            try CallAnswer.parse(Array(#"{"action":"answer","parameters":{"n":1}}"#.utf8))
        }
    }
}
