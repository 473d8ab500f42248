import SwitchboardCore
import SwitchboardHTTP

/// CallingBox-compatible delivery history and replay (REFERENCE §1.11, §1.12):
///
/// | | |
/// |---|---|
/// | `GET /v1/webhook_deliveries` | query `endpoint_id`, `call_id` (UUIDs), `status` (`pending`/`delivered`/`exhausted`), `limit` (1–200, default 50) → 200 `{"data": [delivery]}`, newest first |
/// | `GET /v1/webhook_deliveries/{id}` | 200 delivery |
/// | `POST /v1/webhook_deliveries/{id}/redeliver` | back to `pending`, due now, `manual_retry_count` + 1, same id → 200 delivery |
///
/// Every delivery of the gateway is listed (endpoints of both APIs, per-call and per-source URLs, and
/// the requests to incoming-call decision endpoints; `endpoint_id` is null for the last three). A
/// decision request is never redelivered (409 `not_replayable`): the call it decided is gone.
struct CallingBoxDeliveryRoutes: Sendable {
    let api: ManagementAPI

    func register(on router: inout Router) {
        router.get("/v1/webhook_deliveries", api.read { try list($0) })
        router.get("/v1/webhook_deliveries/{id}", api.read { try retrieve($0) })
        router.post("/v1/webhook_deliveries/{id}/redeliver", api.write { try redeliver($0) })
    }

    private func list(_ request: HTTPRequest) throws -> HTTPResponse {
        var filter = DeliveryFilter()
        filter.endpointID = try QueryParameters.uuid(request, "endpoint_id")
        filter.callID = try QueryParameters.uuid(request, "call_id")
        if let status = request.queryValue("status") {
            guard DeliveryHistory.statuses.contains(status) else {
                throw RequestFields.invalid("status", "must be one of \(DeliveryHistory.statuses.joined(separator: ", ")), got \"\(status)\"")
            }
            filter.status = status
        }
        filter.limit = try QueryParameters.int(request, "limit", default: 50, range: 1...200)
        let deliveries = try api.database.read { try DeliveryHistory.list($0, filter) }
        let orgID = api.orgID
        return ManagementAPI.json(200, ["data": .array(deliveries.map { Self.object($0, orgID: orgID) })])
    }

    private func retrieve(_ request: HTTPRequest) throws -> HTTPResponse {
        let id = try api.pathID(request, "webhook delivery")
        guard let delivery = try api.database.read({ try DeliveryHistory.find($0, id: id) }) else {
            throw api.notFound("webhook delivery", id)
        }
        return ManagementAPI.json(200, Self.object(delivery, orgID: api.orgID))
    }

    private func redeliver(_ request: HTTPRequest) throws -> ManagementAPI.Transaction {
        let id = try api.pathID(request, "webhook delivery")
        let now = api.now
        return { [api] connection in
            if let existing = try DeliveryHistory.find(connection, id: id), existing.destination.hasPrefix(DecisionDelivery.destination(source: "")) {
                throw HTTPError(409, type: "not_replayable",
                                message: "a decision request answered a live call; it cannot be sent again")
            }
            guard let delivery = try DeliveryHistory.redeliver(connection, id: id, now: now) else {
                throw api.notFound("webhook delivery", id)
            }
            return ManagementAPI.Committed(response: ManagementAPI.json(200, Self.object(delivery, orgID: api.orgID))) {
                api.signal.notify()
            }
        }
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
