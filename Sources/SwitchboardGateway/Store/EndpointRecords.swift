import SwitchboardCore
import SwitchboardStore

/// The management API that owns an endpoint, and so its JSON shape, format and signature scheme.
enum EndpointAPI: String, Sendable {
    case callingBox = "callingbox"
    case oneInbox = "oneinbox"

    /// The mapping format of the bodies its endpoints receive.
    var format: String {
        switch self {
        case .callingBox: "callingbox"
        case .oneInbox: "oneinbox"
        }
    }

    /// The signature scheme of its endpoints' requests.
    var scheme: String {
        switch self {
        case .callingBox: "callingbox"
        case .oneInbox: "standard-webhooks"
        }
    }
}

/// One row of `endpoints`.
struct EndpointRecord: Sendable, Equatable {
    static let enabled = "enabled"
    static let disabled = "disabled"

    var id: String
    var api: EndpointAPI
    /// CallingBox `description`, OneInbox `name`.
    var name: String?
    var url: String
    var format: String
    var scheme: String
    /// The format's event type names; `["*"]` for all.
    var enabledEvents: [String]
    var receiveTestEvents: Bool
    var status: String
    var disabledReason: String?
    var disabledAt: Double?
    var consecutiveFailures: Int
    var createdAt: Double
    var updatedAt: Double
    var deletedAt: Double?

    /// A new, enabled endpoint of `api`.
    init(id: String, api: EndpointAPI, name: String?, url: String, enabledEvents: [String],
         receiveTestEvents: Bool, now: Double) {
        self.id = id
        self.api = api
        self.name = name
        self.url = url
        self.format = api.format
        self.scheme = api.scheme
        self.enabledEvents = enabledEvents
        self.receiveTestEvents = receiveTestEvents
        self.status = Self.enabled
        self.consecutiveFailures = 0
        self.createdAt = now
        self.updatedAt = now
    }

    /// Whether ingest routes events to it: while not deleted. A disabled endpoint stays subscribed; its
    /// deliveries are recorded `held` until it is enabled again.
    var isRoutable: Bool { deletedAt == nil }

    /// Enables (clearing the reason and the failure count, as CallingBox's re-enable does) or disables
    /// by hand (`disabled_reason` "manual"). Setting the status it already has changes nothing.
    /// Returns whether it became enabled.
    @discardableResult
    mutating func setEnabled(_ enable: Bool, now: Double) -> Bool {
        guard enable != (status == Self.enabled) else { return false }
        if enable {
            status = Self.enabled
            disabledReason = nil
            disabledAt = nil
            consecutiveFailures = 0
        } else {
            status = Self.disabled
            disabledReason = "manual"
            disabledAt = now
        }
        return enable
    }
}

/// The SQL of endpoints and their secrets.
enum EndpointRecords {
    private static let columns = """
        id, api, name, url, format, scheme, enabled_events, receive_test_events, status, disabled_reason,
        disabled_at, consecutive_failures, created_at, updated_at, deleted_at
        """

    static func insert(_ connection: SQLiteConnection, _ endpoint: EndpointRecord, secret: String) throws {
        try connection.execute("""
            INSERT INTO endpoints (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, bindings(endpoint))
        try connection.execute("INSERT INTO endpoint_secrets (endpoint_id, secret, created_at) VALUES (?, ?, ?)",
                               [endpoint.id, secret, endpoint.createdAt])
    }

    /// The endpoint's current signing secret (or `whsk_` key), the one without an expiry; nil when none.
    static func currentSecret(_ connection: SQLiteConnection, endpointID: String) throws -> String? {
        try connection.query("SELECT secret FROM endpoint_secrets WHERE endpoint_id = ? AND expires_at IS NULL",
                             [endpointID]).first.map { try $0.get("secret", as: String.self) }
    }

    /// Writes every column but the id, and makes the endpoint's open deliveries follow its state
    /// (`DeliveryHistory.follow`: held while disabled, released once enabled, canceled once deleted).
    static func update(_ connection: SQLiteConnection, _ endpoint: EndpointRecord) throws {
        try connection.execute("""
            UPDATE endpoints SET api = ?, name = ?, url = ?, format = ?, scheme = ?, enabled_events = ?,
                receive_test_events = ?, status = ?, disabled_reason = ?, disabled_at = ?, consecutive_failures = ?,
                created_at = ?, updated_at = ?, deleted_at = ?
            WHERE id = ?
            """, Array(bindings(endpoint).dropFirst()) + [endpoint.id])
        try DeliveryHistory.follow(connection, endpoint, now: endpoint.updatedAt)
    }

    /// A live (not deleted) endpoint of `api`.
    static func find(_ connection: SQLiteConnection, id: String, api: EndpointAPI) throws -> EndpointRecord? {
        try connection.query("SELECT \(columns) FROM endpoints WHERE id = ? AND api = ? AND deleted_at IS NULL",
                             [id, api.rawValue]).first.map(record)
    }

    /// An endpoint of any API, deleted or not.
    static func find(_ connection: SQLiteConnection, id: String) throws -> EndpointRecord? {
        try connection.query("SELECT \(columns) FROM endpoints WHERE id = ?", [id]).first.map(record)
    }

    /// The live endpoints of `api`, newest first.
    static func list(_ connection: SQLiteConnection, api: EndpointAPI) throws -> [EndpointRecord] {
        try connection.query("""
            SELECT \(columns) FROM endpoints WHERE api = ? AND deleted_at IS NULL ORDER BY created_at DESC, rowid DESC
            """, [api.rawValue]).map(record)
    }

    /// One cursor page of the live endpoints of `api`, newest first.
    static func page(_ connection: SQLiteConnection, api: EndpointAPI, cursor: PageCursor?, limit: Int) throws -> Page<EndpointRecord> {
        try KeysetPage.fetch(connection, select: "SELECT \(columns) FROM endpoints", alias: "endpoints",
                             conditions: ["endpoints.api = ?", "endpoints.deleted_at IS NULL"], bindings: [api.rawValue],
                             cursor: cursor, limit: limit, row: record)
    }

    /// How many endpoints are live (not deleted), of both APIs: what `limits.max_endpoints` caps.
    static func liveCount(_ connection: SQLiteConnection) throws -> Int {
        try connection.scalar("SELECT COUNT(*) FROM endpoints WHERE deleted_at IS NULL", as: Int.self) ?? 0
    }

    /// The endpoints ingest routes to (not deleted; a disabled one's deliveries are held), oldest first.
    static func routable(_ connection: SQLiteConnection) throws -> [EndpointRecord] {
        try connection.query("""
            SELECT \(columns) FROM endpoints WHERE deleted_at IS NULL ORDER BY created_at, rowid
            """).map(record)
    }

    private static func bindings(_ endpoint: EndpointRecord) -> [any SQLValueConvertible] {
        [endpoint.id, endpoint.api.rawValue, endpoint.name, endpoint.url, endpoint.format, endpoint.scheme,
         JSONWriter.string(.array(endpoint.enabledEvents.map { .string($0) })), endpoint.receiveTestEvents,
         endpoint.status, endpoint.disabledReason, endpoint.disabledAt, endpoint.consecutiveFailures,
         endpoint.createdAt, endpoint.updatedAt, endpoint.deletedAt]
    }

    private static func record(_ row: SQLiteRow) throws -> EndpointRecord {
        let apiText = try row.get("api", as: String.self)
        guard let api = EndpointAPI(rawValue: apiText) else {
            throw StoredRecordError("endpoints.api holds an unknown API '\(apiText)'")
        }
        let eventsText = try row.get("enabled_events", as: String.self)
        let events = (try? JSONReader.parse(eventsText))?.arrayValue?.compactMap(\.stringValue) ?? []
        var endpoint = EndpointRecord(id: try row.get("id"), api: api, name: try row.get("name"), url: try row.get("url"),
                                      enabledEvents: events, receiveTestEvents: try row.get("receive_test_events"),
                                      now: try row.get("created_at"))
        endpoint.format = try row.get("format")
        endpoint.scheme = try row.get("scheme")
        endpoint.status = try row.get("status")
        endpoint.disabledReason = try row.get("disabled_reason")
        endpoint.disabledAt = try row.get("disabled_at")
        endpoint.consecutiveFailures = try row.get("consecutive_failures")
        endpoint.updatedAt = try row.get("updated_at")
        endpoint.deletedAt = try row.get("deleted_at")
        return endpoint
    }
}

/// A row the code cannot read back (written by a newer or broken build).
struct StoredRecordError: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
