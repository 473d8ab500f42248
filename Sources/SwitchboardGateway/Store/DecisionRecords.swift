import SwitchboardCore
import SwitchboardStore

/// Who decided an incoming call.
enum DecidedBy: String, Sendable, Equatable {
    case rule, endpoint, fallback
}

/// One row of `decisions`: how an Inkbox `incoming_call` request was answered.
struct DecisionRecord: Sendable, Equatable {
    var id: String
    var source: String
    var requestID: String?
    var callID: String
    var callKey: String
    var eventID: String
    var decidedBy: DecidedBy
    var ruleIndex: Int?
    var answer: CallAnswer
    var latencyMilliseconds: Double
    var endpointStatus: Int?
    var endpointBody: String?
    var error: String?
    var deliveryID: String?
    var createdAt: Double
}

/// The decision request as a delivery row (destination `decision:<source>`), so the deliveries API
/// lists it with its one attempt: `delivered` when the endpoint decided, else `exhausted` with the reason.
/// It is never pending: the deliverer never sends it again.
struct DecisionDelivery: Sendable {
    var id: String
    var url: String
    var format: String
    var scheme: String
    var eventType: String
    var body: [UInt8]
    var outcome: AttemptOutcome

    static func destination(source: String) -> String { "decision:\(source)" }
}

/// Which decisions a listing wants, newest first.
struct DecisionFilter: Sendable, Equatable {
    var source: String?
    var callID: String?
    var limit = 50
}

/// The SQL of decisions.
enum DecisionRecords {
    /// Commits the `call.incoming` event with its asynchronous deliveries (unless the event was committed
    /// before), the decision request's delivery row and attempt, and the decision, in one transaction.
    static func commit(_ connection: SQLiteConnection, event: CallEvent, body: [UInt8], deliveries: [NewDelivery],
                       decision: DecisionRecord, request: DecisionDelivery?, source: String, now: Double) throws -> CommitOutcome {
        let outcome = try EventRecords.commit(connection, event: event, body: body, deliveries: deliveries, now: now)
        if let request { try record(connection, request, eventID: decision.eventID, callID: decision.callID, source: source, now: now) }
        try insert(connection, decision)
        return outcome
    }

    static func insert(_ connection: SQLiteConnection, _ decision: DecisionRecord) throws {
        // A request id seen twice (a concurrent repeat that raced the cache, or a restart) keeps the first row.
        try connection.execute("""
            INSERT OR IGNORE INTO decisions (id, source, request_id, call_id, call_key, event_id, decided_by, rule_index,
                                             action, client_websocket_url, latency_ms, endpoint_status, endpoint_body,
                                             error, delivery_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [decision.id, decision.source, decision.requestID, decision.callID, decision.callKey, decision.eventID,
                  decision.decidedBy.rawValue, decision.ruleIndex, decision.answer.action.rawValue,
                  decision.answer.websocketURL, decision.latencyMilliseconds, decision.endpointStatus,
                  decision.endpointBody, decision.error, decision.deliveryID, decision.createdAt])
    }

    /// The delivery row keeps a stable id per event (the envelope id); asking again for the same call
    /// adds an attempt to it.
    private static func record(_ connection: SQLiteConnection, _ request: DecisionDelivery, eventID: String,
                               callID: String, source: String, now: Double) throws {
        let outcome = request.outcome
        let delivered = outcome.succeeded && outcome.error == nil
        let status = delivered ? "delivered" : "exhausted"
        try connection.execute("""
            INSERT INTO deliveries (id, event_id, endpoint_id, destination, url, format, scheme, event_type, call_id, body,
                                    status, attempt_count, next_attempt_at, last_error, last_response_status,
                                    last_response_body, delivered_at, created_at, updated_at)
            VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, attempt_count = attempt_count + 1,
                last_error = excluded.last_error, last_response_status = excluded.last_response_status,
                last_response_body = excluded.last_response_body,
                delivered_at = coalesce(delivered_at, excluded.delivered_at), updated_at = excluded.updated_at
            """, [request.id, eventID, DecisionDelivery.destination(source: source), request.url, request.format,
                  request.scheme, request.eventType, callID, request.body, status, now, outcome.error,
                  outcome.responseStatus, outcome.responseBody, delivered ? now : nil, now, now])
        try connection.execute("""
            INSERT INTO attempts (delivery_id, number, manual, started_at, duration_ms, response_status, response_body, error)
            VALUES (?, (SELECT attempt_count FROM deliveries WHERE id = ?), 0, ?, ?, ?, ?, ?)
            """, [request.id, request.id, outcome.startedAt, outcome.durationMilliseconds, outcome.responseStatus,
                  outcome.responseBody, outcome.error])
    }

    /// Answers given since `since` to requests with an id: the request-id cache after a restart.
    static func answered(_ connection: SQLiteConnection, since: Double) throws -> [(source: String, requestID: String, answer: CallAnswer, at: Double)] {
        try connection.query("""
            SELECT source, request_id, action, client_websocket_url, created_at FROM decisions
            WHERE request_id IS NOT NULL AND created_at > ? ORDER BY created_at
            """, [since]).compactMap { row in
            guard let action = CallAnswer.Action(rawValue: try row.get("action", as: String.self)) else { return nil }
            return (try row.get("source", as: String.self), try row.get("request_id", as: String.self),
                    CallAnswer(action: action, websocketURL: try row.get("client_websocket_url", as: String?.self)),
                    try row.get("created_at", as: Double.self))
        }
    }

    /// One cursor page of the decisions `filter` selects, newest first (a row of an unknown action or
    /// decider, which no version writes, is left out of its page).
    static func page(_ connection: SQLiteConnection, _ filter: DecisionFilter, cursor: PageCursor?) throws -> Page<DecisionRecord> {
        var conditions: [String] = []
        var bindings: [any SQLValueConvertible] = []
        if let source = filter.source {
            conditions.append("decisions.source = ?")
            bindings.append(source)
        }
        if let callID = filter.callID {
            conditions.append("decisions.call_id = ?")
            bindings.append(callID)
        }
        let page = try KeysetPage.fetch(connection, select: "SELECT * FROM decisions", alias: "decisions", conditions: conditions,
                                        bindings: bindings, cursor: cursor, limit: filter.limit) { row -> DecisionRecord? in
            guard let decidedBy = DecidedBy(rawValue: try row.get("decided_by", as: String.self)),
                  let action = CallAnswer.Action(rawValue: try row.get("action", as: String.self)) else { return nil }
            return DecisionRecord(
                id: try row.get("id"), source: try row.get("source"), requestID: try row.get("request_id"),
                callID: try row.get("call_id"), callKey: try row.get("call_key"), eventID: try row.get("event_id"),
                decidedBy: decidedBy, ruleIndex: try row.get("rule_index"),
                answer: CallAnswer(action: action, websocketURL: try row.get("client_websocket_url")),
                latencyMilliseconds: try row.get("latency_ms"), endpointStatus: try row.get("endpoint_status"),
                endpointBody: try row.get("endpoint_body"), error: try row.get("error"),
                deliveryID: try row.get("delivery_id"), createdAt: try row.get("created_at"))
        }
        return Page(items: page.items.compactMap { $0 }, hasMore: page.hasMore)
    }
}
