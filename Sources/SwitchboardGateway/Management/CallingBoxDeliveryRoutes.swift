import SwitchboardCore
import SwitchboardHTTP

/// CallingBox-compatible delivery history and replay (REFERENCE §1.11, §1.12):
///
/// | | |
/// |---|---|
/// | `GET /v1/webhook_deliveries` | query `endpoint_id` (UUID), `call_id` (the call's UUID or the vendor's call id), `status` (`pending`/`delivered`/`exhausted`/`held`/`canceled`), cursor `limit` (1–100, default 50), `starting_after`, `ending_before` → 200 `{"data": [delivery], "has_more"}`, newest first |
/// | `GET /v1/webhook_deliveries/{id}` | 200 delivery |
/// | `GET /v1/webhook_deliveries/{id}/attempts` | `limit` (1–100, default 50), `starting_after` (an attempt number) → 200 `{"data": [attempt], "has_more"}`, oldest first |
/// | `POST /v1/webhook_deliveries/{id}/redeliver` | back to `pending`, due now, `manual_retry_count` + 1, same id and body, to the endpoint's current URL and secrets → 200 delivery |
///
/// The list holds the deliveries in the CallingBox format: those of CallingBox endpoints, and the per-call
/// and per-source URLs that receive that format (`endpoint_id` null). OneInbox deliveries are listed under
/// `/v1/webhooks/{id}/deliveries`, incoming-call decision requests under `/v1/decisions`; any delivery
/// can still be read, its attempts listed and redelivered by id. A decision request is never
/// redelivered (409 `not_replayable`: the call it decided is gone), nor is a delivery of a disabled
/// endpoint (409 `endpoint_disabled`: enable it, which releases its held deliveries) or of a deleted one
/// (409 `endpoint_deleted`).
struct CallingBoxDeliveryRoutes: Sendable {
    let api: ManagementAPI

    func register(on router: inout Router) {
        router.get("/v1/webhook_deliveries", api.read { try list($0) })
        router.get("/v1/webhook_deliveries/{id}", api.read { try retrieve($0) })
        router.get("/v1/webhook_deliveries/{id}/attempts", api.read { try attempts($0) })
        router.post("/v1/webhook_deliveries/{id}/redeliver", api.write { try redeliver($0) })
    }

    private func list(_ request: HTTPRequest) throws -> HTTPResponse {
        var filter = DeliveryFilter(format: EndpointAPI.callingBox.format, excludesDecisions: true)
        filter.endpointID = try QueryParameters.uuid(request, "endpoint_id")
        if let callID = request.queryValue("call_id") {
            guard !callID.isEmpty else { throw RequestFields.invalid("call_id", "must not be empty") }
            if let reason = IdentifierBounds.violation(callID, field: "call_id") { throw HTTPError(422, type: "validation_error", message: reason) }
            filter.callID = ResourceID.normalised(callID) ?? callID
        }
        if let status = request.queryValue("status") {
            guard DeliveryHistory.statuses.contains(status) else {
                throw RequestFields.invalid("status", "must be one of \(DeliveryHistory.statuses.joined(separator: ", ")), got \"\(status)\"")
            }
            filter.status = status
        }
        let paging = try CursorPaging(request, defaultLimit: 50)
        filter.limit = paging.limit
        let page = try api.database.read { connection in
            try DeliveryHistory.page(connection, filter, cursor: try paging.cursor(connection, table: "deliveries", noun: "webhook delivery"))
        }
        let orgID = api.orgID
        return CursorPaging.envelope(page.items.map { Self.object($0, orgID: orgID) }, hasMore: page.hasMore)
    }

    private func retrieve(_ request: HTTPRequest) throws -> HTTPResponse {
        let id = try api.pathID(request, "webhook delivery")
        guard let delivery = try api.database.read({ try DeliveryHistory.find($0, id: id) }) else {
            throw api.notFound("webhook delivery", id)
        }
        return ManagementAPI.json(200, Self.object(delivery, orgID: api.orgID))
    }

    private func attempts(_ request: HTTPRequest) throws -> HTTPResponse {
        let id = try api.pathID(request, "webhook delivery")
        let limit = try QueryParameters.int(request, "limit", default: 50, range: 1...CursorPaging.maximumLimit)
        let after = try QueryParameters.int(request, "starting_after", default: 0, range: 0...Int(Int32.max))
        let page = try api.database.read { connection in
            guard try DeliveryHistory.find(connection, id: id) != nil else { throw api.notFound("webhook delivery", id) }
            return try DeliveryHistory.attempts(connection, deliveryID: id, after: after, limit: limit)
        }
        return CursorPaging.envelope(page.items.map(Self.attempt), hasMore: page.hasMore)
    }

    private func redeliver(_ request: HTTPRequest) throws -> ManagementAPI.Transaction {
        let id = try api.pathID(request, "webhook delivery")
        let now = api.now
        return { [api] connection in
            guard let existing = try DeliveryHistory.find(connection, id: id) else { throw api.notFound("webhook delivery", id) }
            if existing.destination.hasPrefix(DecisionDelivery.destination(source: "")) {
                throw HTTPError(409, type: "not_replayable",
                                message: "a decision request answered a live call; it cannot be sent again")
            }
            if let endpointID = existing.endpointID, let endpoint = try EndpointRecords.find(connection, id: endpointID) {
                try Self.checkDeliverable(endpoint)
            }
            guard let delivery = try DeliveryHistory.redeliver(connection, id: id, now: now) else {
                throw api.notFound("webhook delivery", id)
            }
            return ManagementAPI.Committed(response: ManagementAPI.json(200, Self.object(delivery, orgID: api.orgID))) {
                api.signal.notify()
            }
        }
    }

    /// 409 unless the endpoint can receive now: `endpoint_deleted`, `endpoint_disabled`.
    static func checkDeliverable(_ endpoint: EndpointRecord) throws(HTTPError) {
        if endpoint.deletedAt != nil {
            throw HTTPError(409, type: "endpoint_deleted", message: "endpoint \(endpoint.id) was deleted; its deliveries cannot be sent")
        }
        if endpoint.status != EndpointRecord.enabled {
            throw HTTPError(409, type: "endpoint_disabled",
                            message: "endpoint \(endpoint.id) is disabled (\(endpoint.disabledReason ?? "manual")); enable it first, which releases its held deliveries")
        }
    }

    /// One attempt of a delivery.
    static func attempt(_ attempt: AttemptRecord) -> JSONValue {
        .object(JSONObject([
            ("attempt", .integer(Int64(attempt.number))),
            ("manual", .bool(attempt.manual)),
            ("started_at", ManagementAPI.time(attempt.startedAt)),
            ("duration_ms", .integer(Int64(attempt.durationMilliseconds.rounded()))),
            ("response_status", ManagementAPI.int(attempt.responseStatus)),
            ("response_body", ManagementAPI.text(attempt.responseBody)),
            ("error", ManagementAPI.text(attempt.error)),
        ]))
    }

    /// The delivery object of REFERENCE §1.11.
    static func object(_ delivery: DeliveryRecord, orgID: String) -> JSONValue {
        .object(JSONObject([
            ("id", .string(delivery.id)),
            ("org_id", .string(orgID)),
            ("endpoint_id", ManagementAPI.text(delivery.endpointID)),
            ("call_id", .string(delivery.callID)),
            ("event_type", .string(delivery.eventType)),
            ("url", .string(delivery.url)),
            ("status", .string(delivery.status)),
            ("attempt_count", .integer(Int64(delivery.attemptCount))),
            ("manual_retry_count", .integer(Int64(delivery.manualRetryCount))),
            ("next_attempt_at", ManagementAPI.time(delivery.nextAttemptAt)),
            ("last_error", ManagementAPI.text(delivery.lastError)),
            ("last_response_status", ManagementAPI.int(delivery.lastResponseStatus)),
            ("delivered_at", ManagementAPI.time(delivery.deliveredAt)),
            ("created_at", ManagementAPI.time(delivery.createdAt)),
            ("updated_at", ManagementAPI.time(delivery.updatedAt)),
        ]))
    }
}
