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
        for delivery in deliveries {
            try connection.execute("""
                INSERT INTO deliveries (id, event_id, endpoint_id, destination, url, format, scheme, event_type, call_id, body,
                                        next_attempt_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [delivery.id, event.id, delivery.endpointID, delivery.destination, delivery.url, delivery.format,
                      delivery.scheme, delivery.eventType, event.call.id, delivery.body, now, now, now])
        }
        return .committed(deliveries: deliveries.count)
    }
}
