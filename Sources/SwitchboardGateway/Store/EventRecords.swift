import SwitchboardCore
import SwitchboardStore

/// A delivery to commit with its event.
struct NewDelivery: Sendable {
    var id: String
    var destination: String
    var endpointID: String?
    var url: String
    var format: String
    var scheme: String
    var eventType: String
    var body: [UInt8]
    /// `once` group: committed only if this call's group is not yet claimed for the destination.
    var once: String? = nil
    /// `skip_after` group: not committed once this call's group was claimed for the destination.
    var skipAfter: String? = nil
}

/// What committing an event did.
enum CommitOutcome: Sendable, Equatable {
    case committed(deliveries: Int)
    /// The same vendor event was committed before (under this id).
    case duplicate(eventID: String)
}

/// The SQL of ingest: events and their deliveries, written in one transaction.
enum EventRecords {
    /// The id of an already committed event with this identity, if any.
    static func existingEventID(_ connection: SQLiteConnection, source: String, identity: String) throws -> String? {
        try connection.scalar("SELECT id FROM events WHERE source = ? AND identity = ?", [source, identity], as: String.self)
    }

    /// Inserts the event and its deliveries unless the event is a duplicate. Runs inside the writer's
    /// transaction, so the duplicate check and the insert are one atomic step.
    static func commit(_ connection: SQLiteConnection, event: CallEvent, body: [UInt8],
                       deliveries: [NewDelivery], now: Double) throws -> CommitOutcome {
        if let existing = try existingEventID(connection, source: event.source, identity: event.identity) {
            return .duplicate(eventID: existing)
        }
        try connection.execute("""
            INSERT INTO events (id, source, identity, kind, vendor_type, call_id, call_key, is_test, occurred_at, received_at, body)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [event.id, event.source, event.identity, event.kind.rawValue, event.vendorType, event.call.id,
                  event.call.key, event.isTest, event.occurredAt, event.receivedAt, body])
        var committed = 0
        for delivery in deliveries {
            // Per call and destination groups (one terminal event), decided here so that a claim exists
            // exactly when the delivery that made it is committed, and survives restarts.
            if let group = delivery.skipAfter, try isClaimed(connection, call: event.call.id, destination: delivery.destination, group: group) {
                continue
            }
            if let group = delivery.once {
                let claimed = try connection.execute("""
                    INSERT OR IGNORE INTO call_claims (call_id, destination, grp, event_id, created_at) VALUES (?, ?, ?, ?, ?)
                    """, [event.call.id, delivery.destination, group, event.id, now])
                if claimed.changes == 0 { continue }
            }
            committed += 1
            try connection.execute("""
                INSERT INTO deliveries (id, event_id, endpoint_id, destination, url, format, scheme, event_type, call_id, body,
                                        status, next_attempt_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \(DeliveryHistory.initialStatus), ?, ?, ?)
                """, [delivery.id, event.id, delivery.endpointID, delivery.destination, delivery.url, delivery.format,
                      delivery.scheme, delivery.eventType, event.call.id, delivery.body, delivery.endpointID, now, now, now])
        }
        return .committed(deliveries: committed)
    }

    static func isClaimed(_ connection: SQLiteConnection, call: String, destination: String, group: String) throws -> Bool {
        try connection.scalar("SELECT count(*) FROM call_claims WHERE call_id = ? AND destination = ? AND grp = ?",
                              [call, destination, group], as: Int.self) ?? 0 > 0
    }
}
