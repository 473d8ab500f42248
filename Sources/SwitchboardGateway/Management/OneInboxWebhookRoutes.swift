import SwitchboardCore
import SwitchboardHTTP

/// OneInbox-compatible webhook management (REFERENCE §2.5, §2.6). Webhooks are endpoints with
/// OneInbox-style bodies signed with Standard Webhooks headers (`whsec_<base64>` secret).
///
/// | | |
/// |---|---|
/// | `POST /v1/webhooks` | `{name (1–255), url, events (1–20), signature? ("v1" default, "v1a")}` → 201 webhook |
/// | `GET /v1/webhooks` | cursor `limit` (1–100, default 10), `starting_after`, `ending_before` → 200 `{"data": [webhook], "has_more"}`, newest first |
/// | `GET /v1/webhooks/{id}` | 200 webhook |
/// | `PATCH /v1/webhooks/{id}` | any of `name`, `url`, `events`, `status` (null: unchanged); `signature` only unchanged → 200 webhook |
/// | `DELETE /v1/webhooks/{id}` | 200 `{"id", "deleted": true}` |
/// | `POST /v1/webhooks/{id}/rotate_secret` | optional `{grace_period_seconds}` → 200 webhook with its new `secret` (`v1a`: its new `public_key`) |
/// | `POST /v1/webhooks/{id}/test` | queues a test delivery (`call.started` with `"test": true`) → 202 delivery item |
/// | `GET /v1/webhooks/{id}/deliveries` | `limit` (1–100, default 50; OneInbox documents up to 200, a page stays bounded here), `offset` → 200 `{items, total, limit, offset}`, newest first |
///
/// A webhook object is `id, name, url, events, secret, status, created_at, updated_at`, plus our
/// `signature` and `receive_test_events`. A `v1a` webhook (Ed25519, `StandardWebhooksV1aSignature`)
/// has no `secret`: its `whsk_` key stays in the store and every answer shows its current `public_key`
/// (`whpk_`), a new one after a rotation. `secret` is shown once: in the create and rotate answers only (OneInbox's
/// reference shows it in every response; a secret readable by every later GET is one that leaks). `status` is `active`
/// or `disabled`; `inactive` (the guide's word) is accepted as `disabled`.
struct OneInboxWebhookRoutes: Sendable {
    let api: ManagementAPI
    private let commands: EndpointCommands

    init(api: ManagementAPI) {
        self.api = api
        commands = EndpointCommands(api: api, kind: .oneInbox, noun: "webhook") {
            Self.object($0, credential: $1)
        }
    }

    func register(on router: inout Router) {
        router.post("/v1/webhooks", api.write { try create($0) })
        router.get("/v1/webhooks", api.read { try commands.page($0, defaultLimit: ManagementLimits.defaultPageSize) })
        router.get("/v1/webhooks/{id}", api.read { try commands.retrieve($0) })
        router.patch("/v1/webhooks/{id}", api.write { try update($0) })
        router.delete("/v1/webhooks/{id}", api.write { try commands.delete($0) })
        router.post("/v1/webhooks/{id}/test", api.write { try test($0) })
        router.post("/v1/webhooks/{id}/rotate_secret", api.write { try commands.rotate($0) })
        router.get("/v1/webhooks/{id}/deliveries", api.read { try deliveries($0) })
    }

    private func create(_ request: HTTPRequest) throws -> ManagementAPI.Transaction {
        var fields = try RequestFields(body: request.body)
        let name = try Self.name(try fields.requiredString("name"))
        let url = try api.checkURL(try fields.requiredString("url"))
        guard let events = try fields.strings("events") else { throw RequestFields.invalid("events", "is required") }
        let validEvents = try Self.events(events)
        let receiveTestEvents = try fields.bool("receive_test_events") ?? false
        let scheme = try fields.string("signature").map(Self.scheme) ?? StandardWebhooksSignature.schemeName
        try fields.finish()
        return try commands.create(name: name, url: url, enabledEvents: validEvents, receiveTestEvents: receiveTestEvents,
                                   scheme: scheme)
    }

    private func update(_ request: HTTPRequest) throws -> ManagementAPI.Transaction {
        var fields = try RequestFields(body: request.body)
        var changes = EndpointChanges()
        if let name = try fields.string("name") { changes.name = .some(try Self.name(name)) }
        if let url = try fields.string("url") { changes.url = try api.checkURL(url) }
        if let events = try fields.strings("events") { changes.enabledEvents = try Self.events(events) }
        if let status = try fields.string("status") {
            switch status {
            case "active": changes.enable = true
            case "disabled", "inactive": changes.enable = false
            default: throw RequestFields.invalid("status", "must be \"active\" or \"disabled\", got \"\(status)\"")
            }
        }
        changes.receiveTestEvents = try fields.bool("receive_test_events")
        let signature = try fields.string("signature").map(Self.scheme)
        try fields.finish()
        guard let signature else { return try commands.update(request, changes) }
        // The signature is chosen at creation: switching would leave the receiver unable to verify
        // until it changed its key, with no overlap. The same value is accepted (a client echoing the object).
        let id = try commands.id(request)
        let update = try commands.update(request, changes)
        return { [commands] connection in
            let endpoint = try commands.find(connection, id: id)
            guard endpoint.scheme == signature else {
                throw RequestFields.invalid("signature", "cannot be changed (this webhook signs \(Self.signature(endpoint.scheme))): "
                                            + "create a new webhook with the signature wanted")
            }
            return try update(connection)
        }
    }

    /// Queues one test delivery to the webhook (whatever its events and status: it was asked for).
    private func test(_ request: HTTPRequest) throws -> ManagementAPI.Transaction {
        let id = try commands.id(request)
        let eventID = try ResourceID.make()
        let now = api.now
        return { [api, commands] connection in
            let endpoint = try commands.find(connection, id: id)
            let (event, delivery) = try TestDelivery.make(for: endpoint, eventID: eventID, now: now, translator: api.translator)
            _ = try EventRecords.commit(connection, event: event, body: JSONWriter.bytes(event.raw), deliveries: [delivery], now: now)
            guard let queued = try DeliveryHistory.find(connection, id: delivery.id) else { throw api.notFound("delivery", delivery.id) }
            return ManagementAPI.Committed(response: ManagementAPI.json(202, Self.item(queued))) { api.signal.notify() }
        }
    }

    private func deliveries(_ request: HTTPRequest) throws -> HTTPResponse {
        let id = try commands.id(request)
        var filter = DeliveryFilter(endpointID: id)
        filter.limit = try QueryParameters.int(request, "limit", default: 50, range: 1...ManagementLimits.maxPageSize)
        filter.offset = try QueryParameters.int(request, "offset", default: 0, range: 0...Int(Int32.max))
        let (items, total) = try api.database.read { connection in
            _ = try commands.find(connection, id: id)
            return (try DeliveryHistory.list(connection, filter), try DeliveryHistory.count(connection, filter))
        }
        return ManagementAPI.json(200, .object(JSONObject([
            ("items", .array(items.map(Self.item))),
            ("total", .integer(Int64(total))),
            ("limit", .integer(Int64(filter.limit))),
            ("offset", .integer(Int64(filter.offset))),
        ])))
    }

    private static func name(_ name: String) throws(HTTPError) -> String {
        guard (1...255).contains(name.count) else { throw RequestFields.invalid("name", "must be 1 to 255 characters") }
        return name
    }

    /// The signature scheme of a `signature` value: `v1` (HMAC-SHA256, `whsec_` secret; the default) or
    /// `v1a` (Ed25519, `whsk_`/`whpk_` key pair).
    private static func scheme(_ signature: String) throws(HTTPError) -> String {
        switch signature {
        case "v1": StandardWebhooksSignature.schemeName
        case StandardWebhooksV1aSignature.version: StandardWebhooksV1aSignature.schemeName
        default: throw RequestFields.invalid("signature", "must be \"v1\" or \"v1a\", got \"\(signature)\"")
        }
    }

    /// The `signature` value of a scheme.
    private static func signature(_ scheme: String) -> String {
        scheme == StandardWebhooksV1aSignature.schemeName ? StandardWebhooksV1aSignature.version : "v1"
    }

    private static func events(_ names: [String]) throws(HTTPError) -> [String] {
        try EventCatalog.validate(names, known: EventCatalog.oneInbox, allowAll: false, field: "events", count: 1...20)
    }

    /// The webhook object of REFERENCE §2.5 with our `signature`; `secret` only when given (create and
    /// rotate), `public_key` (a `v1a` webhook's) whenever given.
    static func object(_ endpoint: EndpointRecord, credential: ShownCredential?) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("id", .string(endpoint.id)),
            ("name", ManagementAPI.text(endpoint.name)),
            ("url", .string(endpoint.url)),
            ("events", .array(endpoint.enabledEvents.map { .string($0) })),
            ("signature", .string(signature(endpoint.scheme))),
        ]
        if let secret = credential?.secret { fields.append(("secret", .string(secret))) }
        if let publicKey = credential?.publicKey { fields.append(("public_key", .string(publicKey))) }
        fields += [
            ("status", .string(endpoint.status == EndpointRecord.enabled ? "active" : "disabled")),
            ("receive_test_events", .bool(endpoint.receiveTestEvents)),
            ("created_at", ManagementAPI.time(endpoint.createdAt)),
            ("updated_at", ManagementAPI.time(endpoint.updatedAt)),
        ]
        return .object(JSONObject(fields))
    }

    /// A delivery record of REFERENCE §2.6: the delivery with its latest attempt.
    static func item(_ delivery: DeliveryRecord) -> JSONValue {
        let attempt = delivery.latestAttempt
        let completedAt = delivery.status == "pending" || delivery.status == DeliveryHistory.held ? nil : (delivery.deliveredAt ?? delivery.updatedAt)
        return .object(JSONObject([
            ("id", .string(delivery.id)),
            ("webhook_id", ManagementAPI.text(delivery.endpointID)),
            ("event", .string(delivery.eventType)),
            ("status", .string(delivery.status)),
            ("attempt", .integer(Int64(attempt?.number ?? delivery.attemptCount))),
            ("response_status", ManagementAPI.int(attempt?.responseStatus ?? delivery.lastResponseStatus)),
            ("response_body", ManagementAPI.text(attempt?.responseBody ?? delivery.lastResponseBody)),
            ("error", ManagementAPI.text(attempt?.error ?? delivery.lastError)),
            ("next_retry_at", ManagementAPI.time(delivery.status == "pending" ? delivery.nextAttemptAt : nil)),
            ("completed_at", ManagementAPI.time(completedAt)),
            ("created_at", ManagementAPI.time(delivery.createdAt)),
        ]))
    }
}
