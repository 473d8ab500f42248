import SwitchboardCore
import SwitchboardHTTP
import SwitchboardStore

/// Validated changes to an endpoint (a PATCH): nil members stay as they are.
struct EndpointChanges: Sendable {
    /// `.some(nil)` clears it.
    var name: String??
    var url: String?
    var enabledEvents: [String]?
    /// true: enable (clearing the reason and failure count); false: disable by hand.
    var enable: Bool?
    var receiveTestEvents: Bool?

    /// Applies the changes; returns whether the endpoint became enabled (deliveries may be due).
    func apply(to endpoint: inout EndpointRecord, now: Double) -> Bool {
        if let name { endpoint.name = name }
        if let url { endpoint.url = url }
        if let enabledEvents { endpoint.enabledEvents = enabledEvents }
        if let receiveTestEvents { endpoint.receiveTestEvents = receiveTestEvents }
        let enabled = enable.map { endpoint.setEnabled($0, now: now) } ?? false
        endpoint.updatedAt = now
        return enabled
    }
}

/// The endpoint operations both endpoint APIs share (CallingBox `/v1/webhook_endpoints`, OneInbox
/// `/v1/webhooks`): each API validates its own request shape and renders its own JSON through `present`.
struct EndpointCommands: Sendable {
    /// Renders an endpoint with what the response shows of its signing credential (`WebhookSecret`): a
    /// shared secret in the create and rotate answers only, a key pair's public key in every answer.
    typealias Presenter = @Sendable (EndpointRecord, _ credential: ShownCredential?) -> JSONValue

    let api: ManagementAPI
    let kind: EndpointAPI
    /// How messages name the resource ("webhook endpoint").
    let noun: String
    let present: Presenter

    /// The endpoint's `{id}`, or 404.
    func id(_ request: HTTPRequest) throws(HTTPError) -> String {
        try api.pathID(request, noun)
    }

    func find(_ connection: SQLiteConnection, id: String) throws -> EndpointRecord {
        guard let endpoint = try EndpointRecords.find(connection, id: id, api: kind) else { throw api.notFound(noun, id) }
        return endpoint
    }

    /// The endpoint without its secret: both APIs show a secret once, in the create and rotate answers
    /// only, never in a read, a list or an update. An endpoint signing with a key pair (`v1a`) shows its
    /// current public key, which is no secret.
    func render(_ connection: SQLiteConnection, _ endpoint: EndpointRecord) throws -> JSONValue {
        guard WebhookSecret.isKeyPair(endpoint.scheme) else { return present(endpoint, nil) }
        let current = try EndpointRecords.currentSecret(connection, endpointID: endpoint.id)
        return present(endpoint, WebhookSecret.shownAlways(current, scheme: endpoint.scheme))
    }

    func retrieve(_ request: HTTPRequest) throws -> HTTPResponse {
        let id = try id(request)
        return ManagementAPI.json(200, try api.database.read { connection in try render(connection, try find(connection, id: id)) })
    }

    /// One cursor page of the live endpoints of this API (CallingBox's list), newest first, rendered.
    func page(_ request: HTTPRequest, defaultLimit: Int) throws -> HTTPResponse {
        let paging = try CursorPaging(request, defaultLimit: defaultLimit)
        let (items, hasMore) = try api.database.read { connection in
            let page = try EndpointRecords.page(connection, api: kind, cursor: try paging.cursor(connection, table: "endpoints", noun: noun),
                                                limit: paging.limit)
            return (try page.items.map { try render(connection, $0) }, page.hasMore)
        }
        return CursorPaging.envelope(items, hasMore: hasMore)
    }

    /// Creates an endpoint of this API with a new secret (or key pair); 201 with the secret (or public key),
    /// or 422 `limit_exceeded` when `limits.max_endpoints` endpoints are live. `scheme` overrides the API's
    /// default signature scheme (a OneInbox webhook's `"signature": "v1a"`).
    func create(name: String?, url: String, enabledEvents: [String], receiveTestEvents: Bool,
                scheme: String? = nil) throws -> ManagementAPI.Transaction {
        var record = EndpointRecord(id: try ResourceID.make(), api: kind, name: name, url: url, enabledEvents: enabledEvents,
                                    receiveTestEvents: receiveTestEvents, now: api.now)
        if let scheme { record.scheme = scheme }
        let endpoint = record
        let secret = try WebhookSecret.make(for: endpoint.scheme)
        return { [self] connection in
            try ManagementLimits.checkEndpointCount(connection, limit: api.maxEndpoints)
            try EndpointRecords.insert(connection, endpoint, secret: secret)
            return committed(201, present(endpoint, WebhookSecret.shownOnce(secret, scheme: endpoint.scheme)), endpoint)
        }
    }

    func update(_ request: HTTPRequest, _ changes: EndpointChanges) throws -> ManagementAPI.Transaction {
        let id = try id(request)
        let now = api.now
        return { [self] connection in
            var endpoint = try find(connection, id: id)
            let enabled = changes.apply(to: &endpoint, now: now)
            try EndpointRecords.update(connection, endpoint)
            return committed(200, try render(connection, endpoint), endpoint, wakeDeliverer: enabled)
        }
    }

    /// Marks the endpoint deleted (its deliveries keep their history); 200 `{"id", "deleted": true}`.
    func delete(_ request: HTTPRequest) throws -> ManagementAPI.Transaction {
        let id = try id(request)
        let now = api.now
        return { [self] connection in
            var endpoint = try find(connection, id: id)
            endpoint.deletedAt = now
            endpoint.updatedAt = now
            // Its open deliveries become `canceled` (EndpointRecords.update): nothing will deliver them any more.
            try EndpointRecords.update(connection, endpoint)
            return committed(200, ["id": .string(id), "deleted": true], endpoint)
        }
    }

    /// The answer of a committed change; once durable, the registry takes the endpoint row and, when
    /// it may have pending deliveries again, the deliverer wakes.
    func committed(_ status: Int, _ body: JSONValue, _ endpoint: EndpointRecord,
                           wakeDeliverer: Bool = false) -> ManagementAPI.Committed {
        ManagementAPI.Committed(response: ManagementAPI.json(status, body)) { [api] in
            api.destinations.apply(endpoint)
            if wakeDeliverer { api.signal.notify() }
        }
    }
}
