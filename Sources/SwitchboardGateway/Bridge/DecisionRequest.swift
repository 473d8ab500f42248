import SwitchboardCore
import SwitchboardHTTP

/// The `call.incoming` request to a source's decision endpoint: the event encoded in the endpoint's
/// format (its envelope id is the delivery id, stable per event), signed at send time with the
/// decision's secret.
struct DecisionRequest: Sendable {
    var decision: IncomingCallConfig.Decision
    var deliveryID: String
    var eventType: String
    var body: [UInt8]
    var callID: String
    /// The format's delivery headers (its mapping's `delivery` block).
    var profile = DeliveryFormats.fallback

    /// The body cap on a decision endpoint's answer (an answer is a few dozen bytes).
    static let maxResponseBytes = 64 << 10

    /// Encodes `event` for `source`'s decision endpoint; nil when the format has no output for it.
    static func encode(_ event: CallEvent, decision: IncomingCallConfig.Decision, source: String,
                       translator: inout Translator) throws(TranslationError) -> DecisionRequest? {
        let destination = DecisionDelivery.destination(source: source)
        let results = try translator.encode(event, as: decision.format, destination: destination) { type in
            IngestService.deliveryID(eventID: event.id, destination: destination, type: type)
        }
        for case .output(let output) in results {
            return DecisionRequest(decision: decision, deliveryID: output.envelopeID, eventType: output.type,
                                   body: output.body, callID: event.call.id,
                                   profile: translator.mappings[decision.format]?.delivery ?? DeliveryFormats.fallback)
        }
        return nil
    }

    /// The signed HTTP request. Inkbox-format requests get a fresh `X-Inkbox-Request-ID` each time, as
    /// Inkbox sends them; the others carry the delivery id (`CallingBox-Event-Id`, `webhook-id`).
    func httpRequest(now: Double) throws(DeliveryRequest.Failure) -> HTTPClientRequest {
        let delivery = DueDelivery(id: deliveryID, endpointID: nil, destination: "", url: decision.url,
                                   format: decision.format, scheme: profile.scheme, eventType: eventType, callID: callID,
                                   body: body, attemptCount: 0, manualRetryCount: 0)
        let messageID = profile.scheme == InkboxSignature.schemeName ? (try? UUIDGenerator.version4().lowercasedText) : nil
        var request = try DeliveryRequest.make(delivery, profile: profile, secrets: [decision.secret], now: now,
                                               timeoutMilliseconds: decision.timeoutMilliseconds, messageID: messageID)
        request.maxResponseBodyBytes = Self.maxResponseBytes
        return request
    }

    /// The delivery row recording this request and how it went.
    func delivery(_ outcome: AttemptOutcome) -> DecisionDelivery {
        DecisionDelivery(id: deliveryID, url: decision.url, format: decision.format, scheme: profile.scheme,
                         eventType: eventType, body: body, outcome: outcome)
    }
}

/// Who decided a call, what they decided, and what the decision endpoint said. Pure.
struct DecisionVerdict: Sendable, Equatable {
    var decidedBy: DecidedBy
    var ruleIndex: Int?
    var answer: CallAnswer
    var endpointStatus: Int?
    var endpointBody: String?
    /// Why the fallback answered.
    var error: String?

    static func rule(_ index: Int, _ answer: CallAnswer) -> DecisionVerdict {
        DecisionVerdict(decidedBy: .rule, ruleIndex: index, answer: answer)
    }

    static func fallback(_ answer: CallAnswer, error: String, status: Int? = nil, body: String? = nil) -> DecisionVerdict {
        DecisionVerdict(decidedBy: .fallback, answer: answer, endpointStatus: status, endpointBody: body, error: error)
    }

    /// The endpoint decides with a 2xx whose body is a valid answer; anything else (a transport error
    /// or timeout, another status, a body that is not an answer) gives the fallback with the reason.
    /// An answer the source's `language` cannot say (Twilio: `answer` without a `wss://` URL) is refused too.
    static func read(_ result: Result<HTTPClientResponse, HTTPClientError>, fallback: CallAnswer,
                     language: AnswerLanguage = .inkbox) -> DecisionVerdict {
        switch result {
        case .failure(let error):
            return .fallback(fallback, error: "\(error.kind): \(error.message)")
        case .success(let response):
            let body = String(decoding: response.body.prefix(4096), as: UTF8.self)
            guard (200...299).contains(response.status) else {
                return .fallback(fallback, error: "HTTP \(response.status)", status: response.status, body: body)
            }
            // Only the first `maxResponseBytes` were read: what was cut off might change the answer.
            guard !response.truncated else {
                return .fallback(fallback, error: "answer longer than \(DecisionRequest.maxResponseBytes) bytes", status: response.status, body: body)
            }
            do throws(CallAnswerProblem) {
                let answer = try CallAnswer.parse(response.body, extras: language != .inkbox)
                if let problem = language.problem(answer) { throw .notRenderable(problem) }
                return DecisionVerdict(decidedBy: .endpoint, answer: answer, endpointStatus: response.status, endpointBody: body)
            } catch {
                return .fallback(fallback, error: error.description, status: response.status, body: body)
            }
        }
    }
}
