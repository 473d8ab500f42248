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

/// One row of `attempts`.
struct AttemptRecord: Sendable, Equatable {
    var number: Int
    var manual: Bool
    var startedAt: Double
    var durationMilliseconds: Double
    var responseStatus: Int?
    /// The first 4 KiB.
    var responseBody: String?
    var error: String?
}

/// Which deliveries a list operation wants, newest first.
struct DeliveryFilter: Sendable, Equatable {
    var endpointID: String?
    /// The canonical call UUID or the vendor's call id (`events.call_key`).
    var callID: String?
    var status: String?
    /// Only deliveries of this body format (nil: all).
    var format: String?
    /// Leaves out incoming-call decision requests.
    var excludesDecisions = false
    var limit = 50
    var offset = 0
}

/// The SQL of delivery listings and manual redelivery. (Ingest inserts deliveries; the deliverer
/// updates their status and appends attempts.)
enum DeliveryHistory {
    /// Delivery statuses: CallingBox's three, plus `held` (its endpoint is disabled: kept, not sent, released
    /// when it is enabled again) and `canceled` (its endpoint was deleted before it was delivered; final).
    static let statuses = ["pending", "delivered", "exhausted", held, canceled]
    static let held = "held"
    static let canceled = "canceled"

    /// The status a new delivery is inserted with, as SQL taking the endpoint id (or null): `pending`,
    /// `held` while its endpoint is disabled, `canceled` if it was deleted. Decided at commit from the
    /// endpoint's row, so a change committed between routing and this commit is not missed.
    static let initialStatus = """
        coalesce((SELECT CASE WHEN p.deleted_at IS NOT NULL THEN 'canceled' WHEN p.status <> 'enabled' THEN 'held' END
                  FROM endpoints p WHERE p.id = ?), 'pending')
        """

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

    /// One cursor page of the deliveries matching `filter` (its offset aside), newest first.
    static func page(_ connection: SQLiteConnection, _ filter: DeliveryFilter, cursor: PageCursor?) throws -> Page<DeliveryRecord> {
        let (conditions, bindings) = self.conditions(filter)
        return try KeysetPage.fetch(connection, select: select, alias: "d", conditions: conditions, bindings: bindings,
                                    cursor: cursor, limit: filter.limit, row: record)
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

    /// Up to `limit` attempts of a delivery numbered after `after`, oldest first.
    static func attempts(_ connection: SQLiteConnection, deliveryID: String, after: Int, limit: Int) throws -> Page<AttemptRecord> {
        var items = try connection.query("""
            SELECT number, manual, started_at, duration_ms, response_status, response_body, error FROM attempts
            WHERE delivery_id = ? AND number > ? ORDER BY number, id LIMIT ?
            """, [deliveryID, after, limit + 1]).map { row in
            AttemptRecord(number: try row.get("number"), manual: try row.get("manual"), startedAt: try row.get("started_at"),
                          durationMilliseconds: try row.get("duration_ms"), responseStatus: try row.get("response_status"),
                          responseBody: try row.get("response_body"), error: try row.get("error"))
        }
        let hasMore = items.count > limit
        if hasMore { items.removeLast() }
        return Page(items: items, hasMore: hasMore)
    }

    /// Puts a delivery back to `pending`, due now, counting a manual retry; same id (the receiver's
    /// idempotency key) and body. An endpoint's delivery takes the endpoint's current URL (the deliverer
    /// also reads it, and the live secrets, at send time). Nil when there is no such delivery.
    static func redeliver(_ connection: SQLiteConnection, id: String, now: Double) throws -> DeliveryRecord? {
        let changed = try connection.execute("""
            UPDATE deliveries SET status = 'pending', next_attempt_at = ?, manual_retry_count = manual_retry_count + 1,
                url = coalesce((SELECT p.url FROM endpoints p WHERE p.id = deliveries.endpoint_id), url), updated_at = ?
            WHERE id = ?
            """, [now, now, id]).changes
        guard changed > 0 else { return nil }
        return try find(connection, id: id)
    }

    /// Queues again the failed deliveries of an endpoint created in `since..<until`: a pending one whose
    /// last attempt failed (it is retrying) is due now instead of after its back-off; an exhausted one is
    /// pending again, due now, counting a manual retry (one attempt, as a redelivery gets), or `held`
    /// when the endpoint is disabled (`held`), to be released with the others when it is enabled. They
    /// go out in order per call (the deliverer sends a call's deliveries to a destination one at a time,
    /// oldest first). Returns how many were queued.
    static func recover(_ connection: SQLiteConnection, endpointID: String, since: Double, until: Double, held: Bool,
                        now: Double) throws -> Int {
        let window = "endpoint_id = ? AND created_at >= ? AND created_at < ?"
        let retrying = try connection.execute("""
            UPDATE deliveries SET next_attempt_at = ?, updated_at = ?
            WHERE \(window) AND status = 'pending' AND attempt_count > 0 AND last_error IS NOT NULL AND next_attempt_at > ?
            """, [now, now, endpointID, since, until, now]).changes
        let exhausted = try connection.execute("""
            UPDATE deliveries SET status = ?, next_attempt_at = ?, manual_retry_count = manual_retry_count + 1, updated_at = ?
            WHERE \(window) AND status = 'exhausted'
            """, [held ? Self.held : "pending", now, now, endpointID, since, until]).changes
        return retrying + exhausted
    }

    /// Makes an endpoint's open deliveries follow its state: once deleted, its pending and held deliveries
    /// are canceled; while disabled, its pending ones are held; once enabled, its held ones are pending
    /// again, due now, so they go out in the order they were created. Returns how many changed.
    @discardableResult
    static func follow(_ connection: SQLiteConnection, _ endpoint: EndpointRecord, now: Double) throws -> Int {
        let (to, from): (String, [String])
        if endpoint.deletedAt != nil {
            (to, from) = (canceled, ["pending", held])
        } else if endpoint.status == EndpointRecord.enabled {
            (to, from) = ("pending", [held])
        } else {
            (to, from) = (held, ["pending"])
        }
        let marks = from.map { _ in "?" }.joined(separator: ", ")
        return try connection.execute("""
            UPDATE deliveries SET status = ?, next_attempt_at = CASE WHEN ? = 'pending' THEN ? ELSE next_attempt_at END,
                updated_at = ?
            WHERE endpoint_id = ? AND status IN (\(marks))
            """, [to, to, now, now, endpoint.id] + from).changes
    }

    private static func whereClause(_ filter: DeliveryFilter) -> (String, [any SQLValueConvertible]) {
        let (conditions, bindings) = self.conditions(filter)
        return (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "), bindings)
    }

    private static func conditions(_ filter: DeliveryFilter) -> ([String], [any SQLValueConvertible]) {
        var conditions: [String] = []
        var bindings: [any SQLValueConvertible] = []
        if let endpointID = filter.endpointID {
            conditions.append("d.endpoint_id = ?")
            bindings.append(endpointID)
        }
        if let callID = filter.callID {
            // A vendor's call id names the calls of every source that reported it.
            conditions.append("d.call_id IN (SELECT ? UNION SELECT call_id FROM events WHERE call_key = ?)")
            bindings += [callID, callID]
        }
        if let status = filter.status {
            conditions.append("d.status = ?")
            bindings.append(status)
        }
        if let format = filter.format {
            conditions.append("d.format = ?")
            bindings.append(format)
        }
        if filter.excludesDecisions {
            conditions.append("d.destination NOT LIKE ?")
            bindings.append(DecisionDelivery.destination(source: "") + "%")
        }
        return (conditions, bindings)
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
