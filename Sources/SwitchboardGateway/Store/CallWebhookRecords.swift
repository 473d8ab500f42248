import SwitchboardStore

/// A per-call destination (`call_webhooks`): the call's events go to `url` instead of, or as well as,
/// every other destination. Bodies are CallingBox-style, signed with `org_default_secret`.
struct CallWebhookRecord: Sendable, Equatable {
    enum Mode: String, Sendable, CaseIterable {
        /// Replaces every other destination of the call's events.
        case instead
        /// Adds to them.
        case also
    }

    static let format = "callingbox"
    static let scheme = "callingbox"

    var callID: String
    var url: String
    var mode: Mode
    var format = Self.format
    var createdAt: Double
    var updatedAt: Double
}

/// The SQL of `call_webhooks`, and of finding a call's UUID from what a user knows of it.
enum CallWebhookRecords {
    /// Inserts or replaces the call's webhook; keeps the first `created_at`. Returns the stored row.
    static func upsert(_ connection: SQLiteConnection, _ webhook: CallWebhookRecord) throws -> CallWebhookRecord {
        try connection.execute("""
            INSERT INTO call_webhooks (call_id, url, mode, format, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (call_id) DO UPDATE SET url = excluded.url, mode = excluded.mode, format = excluded.format,
                updated_at = excluded.updated_at
            """, [webhook.callID, webhook.url, webhook.mode.rawValue, webhook.format, webhook.createdAt, webhook.updatedAt])
        return try find(connection, callID: webhook.callID) ?? webhook
    }

    static func find(_ connection: SQLiteConnection, callID: String) throws -> CallWebhookRecord? {
        try connection.query("SELECT * FROM call_webhooks WHERE call_id = ?", [callID]).first.map(record)
    }

    static func all(_ connection: SQLiteConnection) throws -> [CallWebhookRecord] {
        try connection.query("SELECT * FROM call_webhooks").map(record)
    }

    /// Removes it; whether there was one.
    static func delete(_ connection: SQLiteConnection, callID: String) throws -> Bool {
        try connection.execute("DELETE FROM call_webhooks WHERE call_id = ?", [callID]).changes > 0
    }

    /// The call UUIDs of stored events whose vendor call id is `key`, with their sources.
    static func calls(_ connection: SQLiteConnection, key: String) throws -> [(callID: String, source: String)] {
        try connection.query("SELECT DISTINCT call_id, source FROM events WHERE call_key = ? ORDER BY source", [key])
            .map { (try $0.get("call_id"), try $0.get("source")) }
    }

    /// Whether any stored event belongs to the call with this UUID.
    static func hasEvents(_ connection: SQLiteConnection, callID: String) throws -> Bool {
        try connection.scalar("SELECT 1 FROM events WHERE call_id = ? LIMIT 1", [callID], as: Int.self) != nil
    }

    private static func record(_ row: SQLiteRow) throws -> CallWebhookRecord {
        let modeText = try row.get("mode", as: String.self)
        guard let mode = CallWebhookRecord.Mode(rawValue: modeText) else {
            throw StoredRecordError("call_webhooks.mode holds an unknown mode '\(modeText)'")
        }
        return CallWebhookRecord(callID: try row.get("call_id"), url: try row.get("url"), mode: mode,
                                 format: try row.get("format"), createdAt: try row.get("created_at"),
                                 updatedAt: try row.get("updated_at"))
    }
}
