import Foundation
import SwitchboardCore
import SwitchboardHTTP
import SwitchboardStore

/// `POST /v1/ingest/{source}` (and GET, the query as the body): authenticate → decode → de-duplicate → correlate → route → encode →
/// commit the event and its deliveries in one transaction → answer. 2xx only after the commit.
///
/// An Inkbox source with an `incoming_call` block answers `incoming_call` synchronously instead
/// (`IngestService+IncomingCall.swift`): 200 with the call's answer, recorded after it is sent.
///
/// Threads: `ingest` runs on a server thread up to the submission to the group-commit writer; the
/// answer is sent from the writer's completion. The translator (call sessions) is shared under a lock.
final class IngestService: Sendable {
    struct Source: Sendable {
        let config: SourceConfig
        let scheme: any SignatureScheme
        let secrets: [String]
        let tolerance: Int64
    }

    /// By name; `replaceAuthentication` (SIGHUP) swaps their secrets while serving.
    let sources: LockedValue<[String: Source]>
    let mappings: Translator
    let translator: LockedValue<Translator>
    let database: Database
    let logger: Logger
    let clock: @Sendable () -> Double
    let signal: DeliverySignal
    let destinations: DestinationRegistry
    let health: StoreHealth
    /// Answers incoming calls of sources with an `incoming_call` block (nil when none has one).
    let bridge: IncomingCallBridge?

    init(config: GatewayConfig, mappings: [FormatMapping], database: Database, logger: Logger, signal: DeliverySignal,
         destinations: DestinationRegistry, health: StoreHealth, bridge: IncomingCallBridge? = nil,
         clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws {
        var sources: [String: Source] = [:]
        let names = Set(mappings.map(\.format))
        for source in config.sources {
            guard names.contains(source.format) else {
                throw ConfigError("source '\(source.name)': unknown format '\(source.format)' (mappings: \(names.sorted().joined(separator: ", ")))")
            }
            if source.webhookURL != nil, !names.contains(source.webhookFormat) {
                throw ConfigError("source '\(source.name)': unknown webhook_format '\(source.webhookFormat)'")
            }
            if let decision = source.incomingCall?.decision, !names.contains(decision.format) {
                throw ConfigError("source '\(source.name)': incoming_call.decision.format '\(decision.format)' has no mapping file")
            }
            if source.incomingCall != nil, bridge == nil {
                throw ConfigError("source '\(source.name)': incoming_call needs the incoming-call bridge")
            }
            if source.webhookURL != nil, config.orgDefaultSecret == nil {
                throw ConfigError("source '\(source.name)': webhook_url needs org_default_secret to sign its deliveries")
            }
            sources[source.name] = try Source(source)
        }
        self.sources = LockedValue(sources)
        self.mappings = Translator(mappings: mappings)
        var shared = Translator(mappings: mappings)
        // Once-per-call groups are decided in the commit (call_claims), never by memory alone.
        shared.claimsInMemory = false
        self.translator = LockedValue(shared)
        self.database = database
        self.logger = logger
        self.signal = signal
        self.health = health
        self.destinations = destinations
        self.bridge = bridge
        self.clock = clock
    }

    func register(on router: inout Router) {
        router.post("/v1/ingest/{source}", .deferred { [self] request, responder in
            ingest(request, responder: responder)
        }, preflight: { [self] in preflight($0) })
        // Answer URLs fetched with GET (Vonage's default): the query is the body (IngestService+Query).
        router.add(.GET, "/v1/ingest/{source}", .deferred { [self] request, responder in
            ingest(request, responder: responder)
        }, preflight: { [self] in preflight($0) })
    }

    /// The answer to a request for a source that is not configured (the preflight's and the handler's).
    static func unknownSource(_ name: String) -> HTTPResponse {
        .error(404, type: "unknown_source", message: "no source named '\(name)' is configured")
    }

    /// The answer to a request that fails the source's verification, logged: throttled with the access
    /// lines of the same refusal, so a flood of bad signatures or tokens stays a few lines.
    func refused(source name: String, _ error: SignatureFailure) -> HTTPResponse {
        logger.throttled(.warn, "ingest refused", key: "unauthorized", ["source": .string(name), "reason": .string(error.description)])
        return .error(401, type: "unauthorized", message: error.description)
    }

    func ingest(_ received: HTTPRequest, responder: HTTPResponder) {
        let name = received.pathParameters["source"] ?? ""
        guard let source = sources.withLock({ $0[name] }) else {
            responder.respond(Self.unknownSource(name))
            return
        }
        var request = received
        if request.method == .GET, let refusal = moveQueryToBody(&request, format: source.config.format) {
            responder.respond(refusal)
            return
        }
        let now = clock()
        do {
            try Self.authenticate(request, source: source, now: now)
        } catch {
            responder.respond(refused(source: name, error))
            return
        }
        var event: CallEvent
        do {
            var decoder = mappings
            decoder.unknownEventsAreErrors = source.config.unknownEvents == .error
            switch try decoder.decode(request.body, format: source.config.format, source: name, receivedAt: now) {
            case .event(let decoded) where decoded.kind == .incoming && source.config.incomingCall != nil:
                answerIncomingCall(decoded, source: source.config, request: request, responder: responder, receivedAt: now)
                return
            case .event(let decoded):
                event = decoded
            case .ignored(let type, let reason):
                responder.respond(.json(200, object: ["id": NSNull(), "deliveries": 0, "ignored": "\(type): \(reason)"]))
                return
            case .unknown(let type):
                logger.warn("unknown event type skipped", ["source": .string(name), "type": .string(type)])
                responder.respond(.json(200, object: ["id": NSNull(), "deliveries": 0, "skipped": "unknown event type '\(type)'"]))
                return
            }
        } catch {
            responder.respond(Self.decodeFailure(error))
            return
        }
        // A repeat of a committed event is answered without touching the call session (the commit below
        // re-checks inside its transaction, so concurrent repeats are caught there).
        if let existing = try? database.read({ try EventRecords.existingEventID($0, source: name, identity: event.identity) }) {
            responder.respond(Self.duplicate(existing))
            return
        }
        let routes = destinations.snapshot
        let body = request.body
        do {
            // Correlation, routing and the submission to the writer happen under one lock, so events of a
            // call are committed in the order they were correlated (submit only enqueues).
            try translator.withLock { translator throws in
                translator.correlate(&event)
                let deliveries = try Self.route(event, source: source.config, destinations: routes, translator: &translator)
                let reason = NoDeliveryReason.of(event, source: source.config, destinations: routes, routed: deliveries)
                commit(event, body: body, deliveries: deliveries, source: name, now: now, reason: reason, responder: responder)
            }
        } catch {
            responder.respond(.error(422, type: "encoding_failed", message: "\(error)"))
        }
    }

    /// Commits the event with its deliveries and answers once the commit is durable (503 if it is not):
    /// 202 `{"deliveries", "id"}`, plus `reason` when no delivery was committed.
    private func commit(_ event: CallEvent, body: [UInt8], deliveries: [NewDelivery], source name: String, now: Double,
                        reason: NoDeliveryReason, responder: HTTPResponder) {
        database.submit({ connection in
            try EventRecords.commit(connection, event: event, body: body, deliveries: deliveries, now: now)
        }, completion: { [logger, signal, health] result in
            switch result {
            case .success(.committed(let count)):
                health.writeSucceeded()
                if count > 0 { signal.notify() }
                var answer = JSONObject([("deliveries", .integer(Int64(count))), ("id", .string(event.id))])
                if count == 0 { answer["reason"] = .string(reason.rawValue) }
                responder.respond(.json(202, JSONWriter.bytes(.object(answer))))
            case .success(.duplicate(let existing)):
                responder.respond(Self.duplicate(existing))
            case .failure(let error):
                health.writeFailed(error)
                logger.error("ingest not committed", ["source": .string(name), "error": .string("\(error)")])
                responder.respond(.error(503, type: "store_unavailable",
                                         message: "the event could not be stored; nothing was accepted, retry later",
                                         headers: ["Retry-After": "1"]))
            }
        })
    }

    /// Verifies the request with the source's scheme. Only an Inkbox source with `allow_unsigned` and no
    /// secret (an Inkbox organisation without a signing key) accepts requests unverified: with a secret,
    /// every request must be signed, or leaving the header out would bypass it.
    static func authenticate(_ request: HTTPRequest, source: Source, now: Double) throws(SignatureFailure) {
        if source.config.allowUnsigned, source.secrets.isEmpty { return }
        // The URL is the configured public one (what the provider dialled), for the schemes that sign it.
        let signed = SignedRequest(body: request.body, headers: request.headers.map { HeaderField($0.name, $0.value) },
                                   url: source.config.publicURL, method: request.method.rawValue)
        try source.scheme.verify(signed, secrets: source.secrets + source.config.previousSecrets(at: now),
                                 now: Int64(now), tolerance: source.tolerance)
    }

    /// Stable per (event, destination, output): the same on every retry and replay.
    static func deliveryID(eventID: String, destination: String, type: String) -> String {
        (try? UUIDGenerator.version5(namespace: UUIDGenerator.namespaceURL,
                                     name: "switchboard:delivery:\(eventID):\(destination):\(type)").lowercasedText) ?? eventID
    }

    static func duplicate(_ eventID: String) -> HTTPResponse {
        .json(200, JSONWriter.bytes(["deliveries": 0, "duplicate": true, "id": .string(eventID)]))
    }

    /// Malformed JSON (or a form body with conflicting fields) is 400; a well-formed body that does not decode is 422 naming the field.
    static func decodeFailure(_ error: TranslationError) -> HTTPResponse {
        switch error {
        case .invalidJSON(let reason):
            return .error(400, type: "invalid_json", message: reason.description)
        case .invalidForm:
            return .error(400, type: "invalid_form", message: error.description)
        case .notAnObject, .notThisFormat, .missingEventType, .unknownEventType, .decodeFailed, .encodeFailed, .unknownFormat:
            return .error(422, type: "invalid_event", message: error.description)
        }
    }
}
