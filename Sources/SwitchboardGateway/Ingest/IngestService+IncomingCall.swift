import SwitchboardCore
import SwitchboardHTTP
import SwitchboardStore

extension IngestService {
    /// An incoming-call request (`call.incoming`: Inkbox's `incoming_call`, a Twilio/TeXML Voice URL request,
    /// a Vonage answer request) for a source with an `incoming_call` block, once verified and decoded:
    ///
    /// 1. a request id answered in the last 10 minutes gets the same answer (a repeat arriving while the
    ///    first is being decided waits for it);
    /// 2. the event is correlated and routed to its subscribed destinations, unless it was committed
    ///    before (Inkbox asking again for the same call with a new request id);
    /// 3. the first matching rule answers; else the decision endpoint is asked (the event encoded in its
    ///    format, in the same translator step); else the fallback answers.
    ///
    /// The answer is always 200 with a valid body in the source's `AnswerLanguage`; the bridge sends it
    /// and records the decision.
    func answerIncomingCall(_ decoded: CallEvent, source: SourceConfig, request: HTTPRequest, responder: HTTPResponder,
                            receivedAt: Double) {
        guard let bridge, let config = source.incomingCall else { return }
        let language = AnswerLanguage.of(format: source.format) ?? .inkbox
        // Only Inkbox names its requests; the others' repeats are new requests (decided again).
        let requestID = language == .inkbox ? request.headers[InkboxSignature.idHeader].flatMap { $0.isEmpty ? nil : $0 } : nil
        if let requestID {
            let key = DecisionCache.Key(source: source.name, requestID: requestID)
            switch bridge.cache.claim(key, responder: responder, now: receivedAt) {
            case .answered(let answer):
                responder.respond(IncomingCallBridge.response(answer, in: language))
                return
            case .waiting:
                return
            case .claimed:
                break
            }
        }
        var event = decoded
        let committedBefore = (try? database.read {
            try EventRecords.existingEventID($0, source: source.name, identity: event.identity)
        }) != nil
        let ruled = CallRules.first(config.rules, facts: CallFacts(event: event), at: receivedAt)
        let routes = destinations.snapshot
        var deliveries: [NewDelivery] = []
        var decisionRequest: DecisionRequest?
        var failure: String?
        translator.withLock { translator in
            if !committedBefore {
                translator.correlate(&event)
                do {
                    deliveries = try Self.route(event, source: source, destinations: routes, translator: &translator)
                } catch {
                    // The call is still answered; only the asynchronous copies are missing.
                    logger.error("incoming call not routed", ["source": .string(source.name), "error": .string("\(error)")])
                }
                // The event and its asynchronous deliveries are committed now, not after the decision: a
                // crash while the call waits does not lose them, and subscribers need not wait for it. The
                // decision's own commit repeats them as a second chance (a duplicate there is a no-op).
                commitIncomingEvent(event, body: request.body, deliveries: deliveries, source: source.name, now: receivedAt)
            }
            guard ruled == nil, let decision = config.decision else { return }
            do {
                decisionRequest = try DecisionRequest.encode(event, decision: decision, source: source.name,
                                                             translator: &translator)
                if decisionRequest == nil { failure = "format \(decision.format) has no output for \(event.kind.rawValue)" }
            } catch {
                failure = "encoding the decision request: \(error)"
            }
        }
        let pending = IncomingCallBridge.Pending(source: source.name, requestID: requestID, event: event, body: request.body,
                                                 deliveries: deliveries, receivedAt: receivedAt, responder: responder,
                                                 language: language)
        // A configuration without a fallback ends in a rule that matches every call (checked at start).
        let fallback = config.fallback ?? config.rules.last?.answer ?? CallAnswer(action: .reject)
        if let ruled {
            bridge.answer(pending, .rule(ruled.index, ruled.answer))
        } else if let decisionRequest {
            bridge.ask(pending, decisionRequest, fallback: fallback)
        } else {
            bridge.answer(pending, .fallback(fallback, error: failure ?? "no rule matched and no decision endpoint is configured"))
        }
    }

    private func commitIncomingEvent(_ event: CallEvent, body: [UInt8], deliveries: [NewDelivery], source: String, now: Double) {
        database.submit({ connection in
            try EventRecords.commit(connection, event: event, body: body, deliveries: deliveries, now: now)
        }, completion: { [logger, signal, health] result in
            switch result {
            case .success(let outcome):
                health.writeSucceeded()
                if case .committed(let count) = outcome, count > 0 { signal.notify() }
            case .failure(let error):
                health.writeFailed(error)
                logger.error("incoming call event not committed yet (retried with the decision)",
                             ["source": .string(source), "call": .string(event.call.id), "error": .string("\(error)")])
            }
        })
    }
}
