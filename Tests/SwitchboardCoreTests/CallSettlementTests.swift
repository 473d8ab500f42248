import Testing
@testable import SwitchboardCore

/// The facts of a call with one definition across formats (issue 12 §6), as `CallSessions` settles them.
@Suite("Call facts: id, end, outcome and duration")
struct CallSettlementTests {
    private func event(_ kind: CallEventKind, at time: Double, key: String = "7",
                       _ fill: (inout CallInfo) -> Void = { _ in }) -> CallEvent {
        var call = CallInfo(key: key, id: CallSettlement.callID(source: "s", key: key))
        fill(&call)
        return CallEvent(kind: kind, id: "e\(time)", identity: "i\(time)", source: "s", vendor: "v", vendorType: kind.rawValue,
                         occurredAt: time, receivedAt: time, isTest: false, call: call, raw: .null)
    }

    /// The call as the last of `events` sees it after correlation.
    private func settled(_ events: [CallEvent]) -> CallInfo {
        var sessions = CallSessions()
        var last = events[0]
        for var event in events {
            sessions.correlate(&event)
            last = event
        }
        return last.call
    }

    @Test func aUUIDCallIDIsTheCallsIDAndOtherKeysAreDerivedPerSource() {
        let uuid = "A1B2C3D4-E5F6-7890-ABCD-EF1234567890"
        #expect(CallSettlement.callID(source: "one", key: uuid) == uuid.lowercased())
        #expect(CallSettlement.callID(source: "two", key: uuid) == uuid.lowercased())
        #expect(CallSettlement.callID(source: "one", key: "7") != CallSettlement.callID(source: "two", key: "7"))
        #expect(CallSettlement.callID(source: "one", key: "7")
                == (try? UUIDGenerator.version5(namespace: UUIDGenerator.namespaceURL, name: "switchboard:call:one:7").lowercasedText))
        // Not a UUID, though 36 characters long: derived.
        let lookalike = String(repeating: "x", count: 36)
        #expect(CallSettlement.callID(source: "one", key: lookalike) != lookalike)
    }

    @Test func aCallThatRangAndEndedUnansweredIsNoAnswerWithDurationZeroAndAnEnd() {
        let call = settled([
            event(.ringing, at: 100) { $0.startedAt = 100; $0.status = "ringing" },
            event(.ended, at: 130),
        ])
        #expect(call.outcome == "no_answer")
        #expect(call.status == "no_answer")
        #expect(call.endedAt == 130)
        #expect(call.durationSeconds == 0)
    }

    @Test func ringingAndAnswerEventsCountWhenTheVendorStatesNoTime() {
        let rang = settled([event(.ringing, at: 100), event(.ended, at: 140)])
        #expect(rang.startedAt == 100)
        #expect(rang.outcome == "no_answer")
        let answered = settled([event(.ringing, at: 100), event(.answered, at: 105), event(.ended, at: 140)])
        #expect(answered.answeredAt == 105)
        #expect(answered.outcome == "completed")
        #expect(answered.durationSeconds == 35)
    }

    @Test func anAnsweredCallIsCompletedAndLastsFromAnswerToEndRounded() {
        let call = settled([
            event(.ringing, at: 100) { $0.startedAt = 100 },
            event(.answered, at: 110.4) { $0.answeredAt = 110.4 },
            event(.ended, at: 135) { $0.endedAt = 135 },
        ])
        #expect(call.outcome == "completed")
        #expect(call.durationSeconds == 25)  // 24.6 s rounds to 25, counted from the answer, not the ringing
        #expect(CallSettlement.durationSeconds(of: { var c = call; c.endedAt = 134.8; return c }()) == 24)
        #expect(CallSettlement.durationSeconds(of: { var c = call; c.endedAt = 100; return c }()) == 0)
    }

    @Test func statedOutcomeStatusAndDurationWin() {
        let call = settled([
            event(.answered, at: 100) { $0.answeredAt = 100 },
            event(.ended, at: 200) { $0.outcome = "busy"; $0.status = "busy"; $0.durationSeconds = 87 },
        ])
        #expect(call.outcome == "busy")
        #expect(call.status == "busy")
        #expect(call.durationSeconds == 87)
    }

    @Test func aFailedCallCarriesItsEndAndTheTalkTimeSoFar() {
        let unanswered = settled([event(.failed, at: 50)])
        #expect(unanswered.endedAt == 50)
        #expect(unanswered.durationSeconds == 0)
        #expect(unanswered.outcome == nil)
        let answered = settled([event(.answered, at: 10) { $0.answeredAt = 10 }, event(.failed, at: 40) { $0.status = "failed" }])
        #expect(answered.endedAt == 40)
        #expect(answered.durationSeconds == 30)
        #expect(answered.status == "failed")
    }

    @Test func aCallSeenOnlyEndingIsCompletedAndALateAnswerChangesNothing() {
        let call = settled([event(.ended, at: 100), event(.answered, at: 90) { $0.answeredAt = 90; $0.status = "in_progress" }])
        #expect(call.outcome == "completed")
        #expect(call.status == "completed")
        #expect(call.durationSeconds == 0)
    }
}
