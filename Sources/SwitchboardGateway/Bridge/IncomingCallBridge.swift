import Foundation
import SwitchboardCore
import SwitchboardHTTP
import SwitchboardStore

/// Answers a provider's synchronous incoming-call request (Inkbox's `incoming_call`, Twilio's and
/// TeXML's Voice URL, Vonage's answer URL; `AnswerLanguage` renders the answer) once the rules, the decision endpoint or the fallback
/// have decided, then records the decision.
///
/// Threads: no thread waits for a decision. The request's connection stays suspended (a deferred
/// handler) while the decision endpoint is asked through the HTTP client; the answer is sent from the
/// client's completion (on its loop thread) or from a deadline timer, whichever comes first, and the
/// other finds the call already answered. The record is then committed by the group-commit writer.
///
/// Durability: the call is answered when it is decided. The `call.incoming` event and its deliveries
/// were committed on receipt (`IngestService.commitIncomingEvent`); after the answer, the decision record
/// is committed together with the event again (a duplicate then, or a second chance if the first commit
/// failed). A failure is logged and counted (`switchboard_decisions_unrecorded_total`): the one place
/// where a 2xx does not wait for a commit.
final class IncomingCallBridge: Sendable {
    /// One call being decided.
    struct Pending: Sendable {
        var source: String
        var requestID: String?
        var event: CallEvent
        var body: [UInt8]
        /// Asynchronous deliveries of the event (empty when the event was committed before).
        var deliveries: [NewDelivery]
        var receivedAt: Double
        var responder: HTTPResponder
        /// The document the source's provider expects back.
        var language: AnswerLanguage = .inkbox

        var cacheKey: DecisionCache.Key? { requestID.map { DecisionCache.Key(source: source, requestID: $0) } }
    }

    /// How far past `timeout_ms` the deadline timer answers with the fallback if the client has not.
    static let deadlineMarginMilliseconds = 50

    let cache: DecisionCache
    /// Calls waiting on the decision endpoint, each with the way to answer it at once (shutdown).
    private let waiting = LockedValue<[UUID: @Sendable () -> Void]>([:])
    private let client: HTTPClient?
    private let deadlines = DispatchQueue(label: "switchboard-decision-deadlines")
    private let database: Database
    private let logger: Logger
    private let metrics: Metrics
    private let signal: DeliverySignal
    private let health: StoreHealth
    private let clock: @Sendable () -> Double

    init(client: HTTPClient?, cache: DecisionCache, database: Database, logger: Logger, metrics: Metrics,
         signal: DeliverySignal, health: StoreHealth, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.client = client
        self.cache = cache
        self.database = database
        self.logger = logger
        self.metrics = metrics
        self.signal = signal
        self.health = health
        self.clock = clock
    }

    /// Answers now with `verdict` (a rule, or the fallback when there is nothing to ask).
    func answer(_ pending: Pending, _ verdict: DecisionVerdict) {
        finish(pending, verdict, request: nil)
    }

    /// Asks the decision endpoint, answering with `fallback` when it fails or its deadline passes.
    func ask(_ pending: Pending, _ request: DecisionRequest, fallback: CallAnswer) {
        let started = clock()
        guard let client else {
            finish(pending, .fallback(fallback, error: "no decision client"), request: nil)
            return
        }
        let httpRequest: HTTPClientRequest
        do {
            httpRequest = try request.httpRequest(now: started)
        } catch {
            finish(pending, .fallback(fallback, error: error.description), request: nil)
            return
        }
        let settled = Settlement()
        let timeout = request.decision.timeoutMilliseconds
        let token = UUID()
        // The deadline counts from when the request arrived, not from when asking began, and fires with
        // a 1 ms leeway: it is the guarantee when the HTTP client is late.
        let due = pending.receivedAt + Double(timeout + Self.deadlineMarginMilliseconds) / 1000
        let timer = DeadlineTimer(queue: deadlines)
        let settleWithFallback: @Sendable (String) -> Void = { [self] reason in
            guard settled.claim() else { return }
            timer.cancel()
            waiting.withLock { $0[token] = nil }
            let outcome = AttemptOutcome(startedAt: started, durationMilliseconds: (clock() - started) * 1000,
                                         responseStatus: nil, responseBody: nil, error: reason, retryAfterSeconds: nil)
            finish(pending, .fallback(fallback, error: reason), request: request.delivery(outcome))
        }
        waiting.withLock { $0[token] = { settleWithFallback("shutting down: answered with the fallback") } }
        timer.start(after: max(0, due - clock())) { settleWithFallback("deadline: no answer within \(timeout) ms") }
        client.execute(httpRequest) { [self] result in
            guard settled.claim() else { return }
            timer.cancel()
            waiting.withLock { $0[token] = nil }
            var outcome = AttemptOutcome(result, startedAt: started, endedAt: clock())
            let verdict = DecisionVerdict.read(result, fallback: fallback, language: pending.language)
            // A 2xx that is not an answer failed too.
            if outcome.error == nil { outcome.error = verdict.error }
            finish(pending, verdict, request: request.delivery(outcome))
        }
    }

    /// The 200 answer to the provider: the answer rendered in its language.
    static func response(_ answer: CallAnswer, in language: AnswerLanguage) -> HTTPResponse {
        let rendered = language.render(answer)
        return HTTPResponse(status: 200, headers: ["Content-Type": rendered.contentType], body: rendered.body)
    }

    /// Answers every call still waiting on the decision endpoint with its fallback (before the server
    /// stops: a stopping server would otherwise answer them 503, which Inkbox takes as "decline").
    func drain() {
        let answers = waiting.withLock { waiting -> [@Sendable () -> Void] in
            defer { waiting.removeAll() }
            return Array(waiting.values)
        }
        for answer in answers { answer() }
    }

    /// Sends the answer (to repeats of the request id waiting for it too), then commits the record.
    private func finish(_ pending: Pending, _ verdict: DecisionVerdict, request: DecisionDelivery?) {
        let now = clock()
        let reply = Self.response(verdict.answer, in: pending.language)
        pending.responder.respond(reply)
        if let key = pending.cacheKey {
            for waiter in cache.complete(key, answer: verdict.answer, now: now) { waiter.respond(reply) }
        }
        let latency = (now - pending.receivedAt) * 1000
        metrics.recordDecision(verdict.decidedBy.rawValue, seconds: latency / 1000)
        if verdict.decidedBy == .fallback {
            logger.warn("decision fallback used", ["source": .string(pending.source), "call": .string(pending.event.call.id),
                                                   "action": .string(verdict.answer.action.rawValue),
                                                   "why": .string(verdict.error ?? "no rule matched")])
        }
        let record = DecisionRecord(
            id: (try? UUIDGenerator.version4().lowercasedText) ?? pending.event.id + ":" + String(now),
            source: pending.source, requestID: pending.requestID, callID: pending.event.call.id,
            callKey: pending.event.call.key, eventID: pending.event.id, decidedBy: verdict.decidedBy,
            ruleIndex: verdict.ruleIndex, answer: verdict.answer, latencyMilliseconds: latency,
            endpointStatus: verdict.endpointStatus, endpointBody: verdict.endpointBody, error: verdict.error,
            deliveryID: request?.id, createdAt: now)
        database.submit({ connection in
            try DecisionRecords.commit(connection, event: pending.event, body: pending.body, deliveries: pending.deliveries,
                                       decision: record, request: request, source: pending.source, now: now)
        }, completion: { [logger, metrics, signal, health] result in
            switch result {
            case .success(let outcome):
                health.writeSucceeded()
                if case .committed(let count) = outcome, count > 0 { signal.notify() }
            case .failure(let error):
                health.writeFailed(error)
                metrics.decisionNotRecorded()
                logger.error("incoming-call decision not recorded (the call was answered)",
                             ["source": .string(pending.source), "call": .string(pending.event.call.id),
                              "error": .string("\(error)")])
            }
        })
    }
}

/// A one-shot timer with a 1 ms leeway. Dispatch sources are safe to schedule and cancel from any thread.
private final class DeadlineTimer: @unchecked Sendable {
    private let source: DispatchSourceTimer

    init(queue: DispatchQueue) {
        source = DispatchSource.makeTimerSource(queue: queue)
    }

    func start(after seconds: Double, _ handler: @escaping @Sendable () -> Void) {
        source.schedule(deadline: .now() + seconds, leeway: .milliseconds(1))
        source.setEventHandler(handler: handler)
        source.resume()
    }

    func cancel() { source.cancel() }
}

/// Settles a race once: the first `claim` wins.
private final class Settlement: Sendable {
    private let settled = LockedValue(false)

    func claim() -> Bool {
        settled.withLock { settled in
            defer { settled = true }
            return !settled
        }
    }
}
