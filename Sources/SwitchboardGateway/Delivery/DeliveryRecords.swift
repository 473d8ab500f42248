import SwitchboardCore
import SwitchboardHTTP
import SwitchboardStore

/// A delivery ready to be attempted.
struct DueDelivery: Sendable, Equatable {
    var id: String
    var endpointID: String?
    var destination: String
    var url: String
    var format: String
    var scheme: String
    var eventType: String
    var callID: String
    var body: [UInt8]
    var attemptCount: Int
    var manualRetryCount: Int
    /// Its event is a test event (`events.is_test`): the request says so (`X-Switchboard-Test: 1`).
    var isTest = false

    /// Deliveries of one call to one destination go out one at a time, in order.
    var orderingKey: String { destination + "\u{0}" + callID }
}

/// What one attempt ended with.
struct AttemptOutcome: Sendable {
    var startedAt: Double
    var durationMilliseconds: Double
    var responseStatus: Int?
    var responseBody: String?
    var error: String?
    var retryAfterSeconds: Double?

    var succeeded: Bool { responseStatus.map { (200...299).contains($0) } ?? false }
}

extension AttemptOutcome {
    /// What a request that started at `startedAt` and ended at `endedAt` came to: the status and the
    /// first 4 KiB of the body, or the transport error; a non-2xx status is the error `HTTP <status>`.
    init(_ result: Result<HTTPClientResponse, HTTPClientError>, startedAt: Double, endedAt: Double) {
        self.init(startedAt: startedAt, durationMilliseconds: (endedAt - startedAt) * 1000, responseStatus: nil,
                  responseBody: nil, error: nil, retryAfterSeconds: nil)
        switch result {
        case .success(let response):
            responseStatus = response.status
            responseBody = String(decoding: response.body.prefix(4096), as: UTF8.self)
            if !(200...299).contains(response.status) {
                error = "HTTP \(response.status)"
                retryAfterSeconds = response.headers["Retry-After"].flatMap { RetryAfter.parse($0, now: endedAt) }
            }
        case .failure(let failure):
            error = "\(failure.kind): \(failure.message)"
        }
    }
}

/// The SQL of delivery: which deliveries are due, and recording each attempt.
enum DeliveryRecords {
    /// Due deliveries, oldest first, at most one per (destination, call): a later event of a call waits
    /// while an earlier one to the same destination is still pending, so each destination sees a call's
    /// events in order. At most `perDestination` per destination, so a backlog at one endpoint cannot
    /// fill the batch and starve the others. Deliveries of disabled or deleted endpoints are `held` or
    /// `canceled`, not pending (the `routable` clause is a safety net). An
    /// endpoint's delivery goes to the endpoint's current URL (it may have changed since it was routed).
    /// Destinations in `excluding` (those at their in-flight cap) are skipped before the ranking window,
    /// so however many of their rows are older, the window holds other destinations' rows.
    static func due(_ connection: SQLiteConnection, now: Double, perDestination: Int, limit: Int,
                    excluding: [String] = [], scanLimit: Int = DeliveryRecords.scanLimit) throws -> [DueDelivery] {
        let skipped = excluding.isEmpty ? "" : "AND d.destination NOT IN (\(Array(repeating: "?", count: excluding.count).joined(separator: ", ")))"
        // The window is ranked on three narrow columns; only the rows chosen are read whole (bodies
        // included) by the join. Ranking whole rows cost 2.4 times as much with 14,000 pending.
        return try connection.query("""
            SELECT d.id, d.endpoint_id, d.destination, coalesce(p.url, d.url) AS url, d.format, d.scheme, d.event_type,
                   d.call_id, d.body, d.attempt_count, d.manual_retry_count, coalesce(e.is_test, 0) AS is_test
            FROM (SELECT position, next_attempt_at,
                         ROW_NUMBER() OVER (PARTITION BY destination ORDER BY next_attempt_at, position) AS rank
                  FROM (SELECT d.rowid AS position, d.destination, d.next_attempt_at
                        FROM deliveries d
                        WHERE d.status = 'pending' AND d.next_attempt_at <= ?
                          AND NOT EXISTS (SELECT 1 FROM deliveries e
                                          WHERE e.destination = d.destination AND e.call_id = d.call_id
                                            AND e.status = 'pending' AND e.rowid < d.rowid)
                          AND \(routable) \(skipped)
                        ORDER BY d.next_attempt_at, d.rowid
                        LIMIT \(scanLimit))) AS ranked
            JOIN deliveries d ON d.rowid = ranked.position
            LEFT JOIN endpoints p ON p.id = d.endpoint_id
            LEFT JOIN events e ON e.id = d.event_id
            WHERE ranked.rank <= ?
            ORDER BY ranked.next_attempt_at, ranked.position
            LIMIT ?
            """, [now] + excluding.map { $0 as any SQLValueConvertible } + [perDestination, limit]).map { row in
            DueDelivery(id: try row.get("id", as: String.self), endpointID: try row.get("endpoint_id", as: String?.self),
                        destination: try row.get("destination", as: String.self), url: try row.get("url", as: String.self),
                        format: try row.get("format", as: String.self), scheme: try row.get("scheme", as: String.self),
                        eventType: try row.get("event_type", as: String.self), callID: try row.get("call_id", as: String.self),
                        body: try row.get("body", as: [UInt8].self), attemptCount: try row.get("attempt_count", as: Int.self),
                        manualRetryCount: try row.get("manual_retry_count", as: Int.self),
                        isTest: try row.get("is_test", as: Bool.self))
        }
    }

    /// How many of the earliest due rows one query ranks: bounds a query's cost under a large backlog
    /// (fairness holds among destinations within this window).
    static let scanLimit = 4_096

    /// Deliveries whose destination can receive: not an endpoint, or an enabled, undeleted one.
    private static let routable = """
        (d.endpoint_id IS NULL OR EXISTS (SELECT 1 FROM endpoints p WHERE p.id = d.endpoint_id
                                           AND p.status = 'enabled' AND p.deleted_at IS NULL))
        """

    /// When the earliest routable pending delivery falls due (nil when none is pending). Deliveries parked
    /// behind a disabled endpoint do not count: they would wake the loop for nothing.
    static func nextDueTime(_ connection: SQLiteConnection) throws -> Double? {
        try connection.scalar("SELECT min(d.next_attempt_at) FROM deliveries d WHERE d.status = 'pending' AND \(routable)",
                              as: Double?.self) ?? nil
    }

    /// Whether the delivery is still the one that was read as due: pending, with the same attempt count,
    /// and its endpoint (if any) still enabled. A row read before its previous attempt was recorded, or
    /// one whose endpoint was disabled or deleted since, is not sent.
    static func isStillDue(_ connection: SQLiteConnection, _ delivery: DueDelivery) throws -> Bool {
        try connection.scalar("""
            SELECT count(*) FROM deliveries d
            WHERE d.id = ? AND d.status = 'pending' AND d.attempt_count = ? AND \(routable)
            """, [delivery.id, delivery.attemptCount], as: Int.self) == 1
    }

    /// The secrets that sign requests to an endpoint now: the current one and any old one still in its
    /// rotation overlap, newest first.
    static func liveSecrets(_ connection: SQLiteConnection, endpointID: String, now: Double) throws -> [String] {
        try connection.query("""
            SELECT secret FROM endpoint_secrets
            WHERE endpoint_id = ? AND (expires_at IS NULL OR expires_at > ?)
            ORDER BY created_at DESC
            """, [endpointID, now]).map { try $0.get("secret", as: String.self) }
    }

    /// The delivery's next state after an attempt.
    enum Next: Sendable, Equatable {
        case delivered
        case retry(at: Double)
        case exhausted
        /// 410 Gone: the endpoint is disabled and the delivery ends.
        case gone
    }

    /// What recording an attempt did to the delivery's endpoint.
    struct Recorded: Sendable, Equatable {
        /// The endpoint this attempt disabled (`gone`, `too_many_failures`), if it did.
        var disabledReason: String?
        /// Its deliveries that became `held` with it.
        var held = 0
    }

    /// Records the attempt, moves the delivery on (its `url` becomes the one the attempt went to), and
    /// keeps the endpoint's failure count: a 2xx resets it; each exhausted delivery adds one, and
    /// `disableAfter` in a row disable the endpoint, whose pending deliveries are then held.
    /// Returns nil, and changes nothing, when the delivery is no longer in the state the attempt
    /// started from (a redelivery or an operator moved it meanwhile).
    @discardableResult
    static func record(_ connection: SQLiteConnection, delivery: DueDelivery, outcome: AttemptOutcome, next: Next,
                       manual: Bool, disableAfter: Int, now: Double) throws -> Recorded? {
        guard try isStillDue(connection, delivery) else { return nil }
        try connection.execute("""
            INSERT INTO attempts (delivery_id, number, manual, started_at, duration_ms, response_status, response_body, error)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [delivery.id, delivery.attemptCount + 1, manual, outcome.startedAt, outcome.durationMilliseconds,
                  outcome.responseStatus, outcome.responseBody, outcome.error])
        let status: String
        var nextAttemptAt = now
        switch next {
        case .delivered: status = "delivered"
        case .retry(let at): status = "pending"; nextAttemptAt = at
        case .exhausted, .gone: status = "exhausted"
        }
        try connection.execute("""
            UPDATE deliveries SET status = ?, attempt_count = attempt_count + 1, next_attempt_at = ?, url = ?,
                   last_error = ?, last_response_status = ?, last_response_body = ?,
                   delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END, updated_at = ?
            WHERE id = ?
            """, [status, nextAttemptAt, delivery.url, outcome.error, outcome.responseStatus, outcome.responseBody,
                  status, now, now, delivery.id])
        guard let endpoint = delivery.endpointID else { return Recorded() }
        switch next {
        case .delivered:
            try connection.execute("UPDATE endpoints SET consecutive_failures = 0, updated_at = ? WHERE id = ?", [now, endpoint])
        case .gone:
            try connection.execute("""
                UPDATE endpoints SET status = 'disabled', disabled_reason = 'gone', disabled_at = ?, updated_at = ?
                WHERE id = ? AND status = 'enabled'
                """, [now, now, endpoint])
        case .exhausted:
            try connection.execute("""
                UPDATE endpoints SET consecutive_failures = consecutive_failures + 1, updated_at = ?,
                       status = CASE WHEN consecutive_failures + 1 >= ? THEN 'disabled' ELSE status END,
                       disabled_reason = CASE WHEN consecutive_failures + 1 >= ? AND status = 'enabled'
                                              THEN 'too_many_failures' ELSE disabled_reason END,
                       disabled_at = CASE WHEN consecutive_failures + 1 >= ? AND status = 'enabled' THEN ? ELSE disabled_at END
                WHERE id = ?
                """, [now, disableAfter, disableAfter, disableAfter, now, endpoint])
        case .retry:
            return Recorded()
        }
        // Disabled by this attempt (isStillDue saw it enabled): its other pending deliveries are held.
        guard let record = try EndpointRecords.find(connection, id: endpoint), record.status == EndpointRecord.disabled else {
            return Recorded()
        }
        return Recorded(disabledReason: record.disabledReason, held: try DeliveryHistory.follow(connection, record, now: now))
    }
}
