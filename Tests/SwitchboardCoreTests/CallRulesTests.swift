import SwitchboardCore
import Testing

private let monday0930Istanbul = 1_776_061_800.0   // 2026-04-13 06:30Z
private let monday1800Istanbul = 1_776_092_400.0   // 2026-04-13 15:00Z
private let friday2230Istanbul = 1_776_454_200.0   // 2026-04-17 19:30Z
private let saturday0530Istanbul = 1_776_479_400.0 // 2026-04-18 02:30Z
private let friday0530Istanbul = 1_776_393_000.0   // 2026-04-17 02:30Z

@Suite("Call rules: numbers, known contacts, time windows in a named zone")
struct CallRulesTests {
    let facts = CallFacts(caller: "+905551112233", callee: "+902125550100", knownContact: true)

    @Test func numbersMatchExactlyOrByPrefix() {
        #expect(NumberMatch.exact("+905551112233").matches("+905551112233"))
        #expect(!NumberMatch.exact("+90555111223").matches("+905551112233"))
        #expect(NumberMatch.prefix("+90555").matches("+905551112233"))
        #expect(!NumberMatch.prefix("+90212").matches("+905551112233"))
        #expect(!NumberMatch.prefix("+90").matches(nil))
    }

    @Test func theFirstMatchingRuleWinsAndEveryConditionMustHold() throws {
        let rules = [
            CallRule(match: CallRuleMatch(caller: .prefix("+90555"), knownContact: false), answer: CallAnswer(action: .reject)),
            CallRule(match: CallRuleMatch(callee: .exact("+902125550100"), knownContact: true),
                     answer: CallAnswer(action: .answer, websocketURL: "wss://a.example/ws")),
            CallRule(match: CallRuleMatch(), answer: CallAnswer(action: .reject)),
        ]
        let first = try #require(CallRules.first(rules, facts: facts, at: 0))
        #expect(first.index == 1)
        #expect(first.answer == CallAnswer(action: .answer, websocketURL: "wss://a.example/ws"))
        let stranger = CallFacts(caller: "+905550000000", callee: nil, knownContact: false)
        #expect(CallRules.first(rules, facts: stranger, at: 0)?.index == 0)
        #expect(CallRules.first(Array(rules.prefix(2)), facts: CallFacts(caller: nil, callee: nil, knownContact: false), at: 0) == nil)
    }

    @Test func aDaytimeWindowIncludesItsStartAndExcludesItsEnd() throws {
        let window = try TimeWindow(zone: "Europe/Istanbul", days: ["mon", "tue"], from: "09:00", to: "18:00")
        #expect(window.contains(monday0930Istanbul))
        #expect(!window.contains(monday1800Istanbul))
        #expect(!window.contains(friday2230Istanbul))
    }

    @Test func anOvernightWindowBelongsToTheDayItStarts() throws {
        let window = try TimeWindow(zone: "Europe/Istanbul", days: ["fri"], from: "22:00", to: "06:00")
        #expect(window.contains(friday2230Istanbul))
        #expect(window.contains(saturday0530Istanbul))
        #expect(!window.contains(friday0530Istanbul)) // Thursday night's window, and Thursday is not listed
        #expect(!window.contains(monday0930Istanbul))
    }

    @Test func theZonesOwnClockDecidesAcrossDaylightSaving() throws {
        // London moves from GMT to BST at 01:00Z on 2026-03-29.
        let window = try TimeWindow(zone: "Europe/London", days: nil, from: "02:00", to: "03:00")
        #expect(!window.contains(1_774_744_200)) // 00:30Z = 00:30 GMT
        #expect(window.contains(1_774_747_800))  // 01:30Z = 02:30 BST
        let wholeDay = try TimeWindow(zone: "UTC", days: nil, from: "00:00", to: "24:00")
        #expect(wholeDay.contains(monday1800Istanbul))
    }

    @Test(arguments: [
        ("Mars/Olympus", nil, "09:00", "18:00", "zone: \"Mars/Olympus\" is not a known IANA time zone"),
        ("UTC", ["mon", "funday"], "09:00", "18:00", "days: \"funday\" is not one of sun, mon, tue, wed, thu, fri, sat"),
        ("UTC", ["mon", "mon"], "09:00", "18:00", "days: \"mon\" is given twice"),
        ("UTC", [], "09:00", "18:00", "days: must name at least one day"),
        ("UTC", nil, "9:00", "18:00", "from: \"9:00\" is not a time HH:MM"),
        ("UTC", nil, "24:00", "18:00", "from: \"24:00\" is not a time of day (00:00 to 23:59)"),
        ("UTC", nil, "09:00", "18:60", "to: \"18:60\" is not a time of day (00:00 to 23:59, or 24:00)"),
        ("UTC", nil, "09:00", "09:00", "from and to are both 09:00: an empty window (use 00:00 to 24:00 for the whole day)"),
    ] as [(String, [String]?, String, String, String)])
    func badWindowsAreRefusedWithTheReason(zone: String, days: [String]?, from: String, to: String, message: String) {
        #expect(throws: CallRuleError(message)) { try TimeWindow(zone: zone, days: days, from: from, to: to) }
    }
}

@Suite("Call answers: what a decision endpoint may answer")
struct CallAnswerTests {
    @Test func validAnswersParseAndRenderWithoutAnAbsentURL() throws {
        let answer = try CallAnswer.parse(Array(#"{"action":"answer","client_websocket_url":"wss://a.example/ws?x=1","extra":1}"#.utf8))
        #expect(answer == CallAnswer(action: .answer, websocketURL: "wss://a.example/ws?x=1"))
        #expect(String(decoding: answer.bytes, as: UTF8.self) == #"{"action":"answer","client_websocket_url":"wss://a.example/ws?x=1"}"#)
        let reject = try CallAnswer.parse(Array(#"{"action":"reject","client_websocket_url":null}"#.utf8))
        #expect(String(decoding: reject.bytes, as: UTF8.self) == #"{"action":"reject"}"#)
        #expect(try CallAnswer.parse(Array(#"{"action":"answer","client_websocket_url":"WS://h:81/p"}"#.utf8)).websocketURL == "WS://h:81/p")
    }

    @Test(arguments: [
        ("nope", "the body is not JSON"),
        ("[1]", "the body must be a JSON object, got an array"),
        ("{}", "action is missing"),
        (#"{"action":1}"#, "action must be text, got a number"),
        (#"{"action":"ignore"}"#, #"action must be "answer" or "reject", got "ignore""#),
        (#"{"action":"answer","client_websocket_url":5}"#, "client_websocket_url must be text, got a number"),
        (#"{"action":"answer","client_websocket_url":"https://a.example/ws"}"#, "must start with ws:// or wss://"),
        (#"{"action":"answer","client_websocket_url":"wss:///path"}"#, "has no host"),
        (#"{"action":"answer","client_websocket_url":"wss://a.example/ws x"}"#, "contains whitespace or control characters"),
    ])
    func nonsenseIsRefusedWithTheReason(body: String, reason: String) {
        do {
            _ = try CallAnswer.parse(Array(body.utf8))
            Issue.record("accepted \(body)")
        } catch {
            #expect(error.description.contains(reason), "\(error.description)")
        }
    }
}
