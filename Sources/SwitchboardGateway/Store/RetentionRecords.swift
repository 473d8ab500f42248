import SwitchboardStore

/// The SQL of the retention sweep (see ``RetentionConfig``): one bounded batch per call, run inside the
/// writer's transaction, so ingest and deliveries interleave with a long sweep.
enum RetentionRecords {
    /// What one batch removed, by table.
    struct Removed: Sendable, Equatable {
        var events = 0
        var deliveries = 0
        var attempts = 0
        var claims = 0
        var decisions = 0
        var endpoints = 0

        var total: Int { events + deliveries + attempts + claims + decisions + endpoints }

        static func += (lhs: inout Removed, rhs: Removed) {
            lhs.events += rhs.events
            lhs.deliveries += rhs.deliveries
            lhs.attempts += rhs.attempts
            lhs.claims += rhs.claims
            lhs.decisions += rhs.decisions
            lhs.endpoints += rhs.endpoints
        }
    }

    /// Removes up to `limit` events received before `cutoff` (seconds since 1970) whose deliveries are
    /// all finished (delivered, exhausted or canceled; a `held` delivery is still open), with everything that refers to them; and up to `limit`
    /// decisions, and endpoints deleted before `cutoff` that no delivery refers to any more. A batch that
    /// removed `limit` events or decisions may have left more: call again.
    static func removeBatch(_ connection: SQLiteConnection, cutoff: Double, limit: Int) throws -> Removed {
        var removed = Removed()
        // The batch's events, chosen once so every statement below removes the same set. A temporary
        // table lives with the connection; after the writer reopens it, IF NOT EXISTS makes it again.
        try connection.exec("CREATE TEMP TABLE IF NOT EXISTS retention_batch (id TEXT PRIMARY KEY)")
        try connection.execute("DELETE FROM temp.retention_batch")
        try connection.execute("""
            INSERT INTO temp.retention_batch (id)
            SELECT e.id FROM events e
            WHERE e.received_at < ?
              AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status IN ('pending', 'held'))
            ORDER BY e.received_at LIMIT ?
            """, [cutoff, limit])
        removed.attempts = try connection.execute("""
            DELETE FROM attempts WHERE delivery_id IN
              (SELECT d.id FROM deliveries d WHERE d.event_id IN (SELECT id FROM temp.retention_batch))
            """).changes
        removed.claims = try connection.execute(
            "DELETE FROM call_claims WHERE event_id IN (SELECT id FROM temp.retention_batch)").changes
        removed.deliveries = try connection.execute(
            "DELETE FROM deliveries WHERE event_id IN (SELECT id FROM temp.retention_batch)").changes
        removed.events = try connection.execute(
            "DELETE FROM events WHERE id IN (SELECT id FROM temp.retention_batch)").changes
        removed.decisions = try connection.execute("""
            DELETE FROM decisions WHERE id IN (SELECT id FROM decisions WHERE created_at < ? ORDER BY created_at LIMIT ?)
            """, [cutoff, limit]).changes
        // An endpoint deleted long ago goes once its history has; its secrets with it.
        let gone = "deleted_at < ? AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.endpoint_id = endpoints.id)"
        try connection.execute("DELETE FROM endpoint_secrets WHERE endpoint_id IN (SELECT id FROM endpoints WHERE \(gone))", [cutoff])
        removed.endpoints = try connection.execute("DELETE FROM endpoints WHERE \(gone)", [cutoff]).changes
        return removed
    }
}
