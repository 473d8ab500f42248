import SwitchboardStore

/// One row of `deliveries` with its latest attempt, as the management APIs show it.
struct DeliveryRecord: Sendable, Equatable {
    /// The newest row of `attempts` for the delivery.
    struct Attempt: Sendable, Equatable {
        var number: Int
        var responseStatus: Int?
        var responseBody: String?
        var error: String?
    }

    var id: String
    var endpointID: String?
    var destination: String
    var callID: String
    var eventType: String
    var url: String
    var status: String
    var attemptCount: Int
    var manualRetryCount: Int
    var nextAttemptAt: Double
    var lastError: String?
    var lastResponseStatus: Int?
    var lastResponseBody: String?
    var deliveredAt: Double?
    var createdAt: Double
    var updatedAt: Double
    var latestAttempt: Attempt?
}

/// Which deliveries a list operation wants, newest first.
struct DeliveryFilter: Sendable, Equatable {
    var endpointID: String?
    var callID: String?
    var status: String?
    var limit = 50
    var offset = 0
}

/// The SQL of delivery listings and manual redelivery. (Ingest inserts deliveries; the deliverer
/// updates their status and appends attempts.)
enum DeliveryHistory {
    /// Delivery statuses, as CallingBox names them.
    static let statuses = ["pending", "delivered", "exhausted"]

    private static let select = """
        SELECT d.id, d.endpoint_id, d.destination, d.call_id, d.event_type, d.url, d.status, d.attempt_count,
               d.manual_retry_count, d.next_attempt_at, d.last_error, d.last_response_status, d.last_response_body,
               d.delivered_at, d.created_at, d.updated_at,
               a.number AS attempt_number, a.response_status AS attempt_status, a.response_body AS attempt_body,
               a.error AS attempt_error
        FROM deliveries d
        LEFT JOIN attempts a ON a.id = (SELECT id FROM attempts WHERE delivery_id = d.id ORDER BY number DESC, id DESC LIMIT 1)
        """

    static func find(_ connection: SQLiteConnection, id: String) throws -> DeliveryRecord? {
        try connection.query("\(select) WHERE d.id = ?", [id]).first.map(record)
    }

    /// The deliveries matching `filter`, newest first, `filter.limit` from `filter.offset`.
    static func list(_ connection: SQLiteConnection, _ filter: DeliveryFilter) throws -> [DeliveryRecord] {
        let (conditions, bindings) = whereClause(filter)
        return try connection.query("""
            \(select) \(conditions) ORDER BY d.created_at DESC, d.rowid DESC LIMIT ? OFFSET ?
            """, bindings + [filter.limit, filter.offset]).map(record)
    }

    /// How many deliveries match `filter` (its limit and offset aside).
    static func count(_ connection: SQLiteConnection, _ filter: DeliveryFilter) throws -> Int {
        let (conditions, bindings) = whereClause(filter)
        return try connection.scalar("SELECT count(*) FROM deliveries d \(conditions)", bindings, as: Int.self) ?? 0
    }

    /// Puts a delivery back to `pending`, due now, counting a manual retry; same id (the receiver's
    /// idempotency key). Nil when there is no such delivery.
    static func redeliver(_ connection: SQLiteConnection, id: String, now: Double) throws -> DeliveryRecord? {
        let changed = try connection.execute("""
            UPDATE deliveries SET status = 'pending', next_attempt_at = ?, manual_retry_count = manual_retry_count + 1,
                updated_at = ?
            WHERE id = ?
            """, [now, now, id]).changes
        guard changed > 0 else { return nil }
        return try find(connection, id: id)
    }

    private static func whereClause(_ filter: DeliveryFilter) -> (String, [any SQLValueConvertible]) {
        var conditions: [String] = []
        var bindings: [any SQLValueConvertible] = []
        if let endpointID = filter.endpointID {
            conditions.append("d.endpoint_id = ?")
            bindings.append(endpointID)
        }
        if let callID = filter.callID {
            conditions.append("d.call_id = ?")
            bindings.append(callID)
        }
        if let status = filter.status {
            conditions.append("d.status = ?")
            bindings.append(status)
        }
        return (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "), bindings)
    }

    private static func record(_ row: SQLiteRow) throws -> DeliveryRecord {
        var attempt: DeliveryRecord.Attempt?
        if let number = try row.get("attempt_number", as: Int?.self) {
            attempt = DeliveryRecord.Attempt(number: number, responseStatus: try row.get("attempt_status"),
                                             responseBody: try row.get("attempt_body"), error: try row.get("attempt_error"))
        }
        return DeliveryRecord(
            id: try row.get("id"), endpointID: try row.get("endpoint_id"), destination: try row.get("destination"),
            callID: try row.get("call_id"), eventType: try row.get("event_type"), url: try row.get("url"),
            status: try row.get("status"), attemptCount: try row.get("attempt_count"),
            manualRetryCount: try row.get("manual_retry_count"), nextAttemptAt: try row.get("next_attempt_at"),
            lastError: try row.get("last_error"), lastResponseStatus: try row.get("last_response_status"),
            lastResponseBody: try row.get("last_response_body"), deliveredAt: try row.get("delivered_at"),
            createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"), latestAttempt: attempt)
    }
}
