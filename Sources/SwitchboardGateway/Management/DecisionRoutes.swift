import SwitchboardCore
import SwitchboardHTTP

/// How incoming calls were decided:
///
/// | | |
/// |---|---|
/// | `GET /v1/decisions` | query `source` (a configured source name), `call_id` (UUID), cursor `limit` (1–100, default 50), `starting_after`, `ending_before` → 200 `{"data": [decision], "has_more"}`, newest first |
///
/// A decision: `id`, `source`, `request_id`, `call_id`, `call_key` (Inkbox's call id), `event_id`,
/// `decided_by` (`rule` | `endpoint` | `fallback`), `rule_index`, `action`, `client_websocket_url`,
/// `latency_ms`, `endpoint_status`, `endpoint_body`, `error`, `delivery_id` (the decision request in
/// `/v1/webhook_deliveries`), `created_at`.
struct DecisionRoutes: Sendable {
    let api: ManagementAPI

    func register(on router: inout Router) {
        router.get("/v1/decisions", api.read { try list($0) })
    }

    private func list(_ request: HTTPRequest) throws -> HTTPResponse {
        var filter = DecisionFilter()
        if let source = request.queryValue("source") {
            guard api.sources.contains(where: { $0.name == source }) else {
                throw RequestFields.invalid("source", "no source named \"\(source.prefix(64))\" is configured")
            }
            filter.source = source
        }
        filter.callID = try QueryParameters.uuid(request, "call_id")
        let paging = try CursorPaging(request, defaultLimit: 50)
        filter.limit = paging.limit
        let page = try api.database.read { connection in
            try DecisionRecords.page(connection, filter, cursor: try paging.cursor(connection, table: "decisions", noun: "decision"))
        }
        return CursorPaging.envelope(page.items.map(Self.object), hasMore: page.hasMore)
    }

    static func object(_ decision: DecisionRecord) -> JSONValue {
        .object(JSONObject([
            ("id", .string(decision.id)),
            ("source", .string(decision.source)),
            ("request_id", ManagementAPI.text(decision.requestID)),
            ("call_id", .string(decision.callID)),
            ("call_key", .string(decision.callKey)),
            ("event_id", .string(decision.eventID)),
            ("decided_by", .string(decision.decidedBy.rawValue)),
            ("rule_index", ManagementAPI.int(decision.ruleIndex)),
            ("action", .string(decision.answer.action.rawValue)),
            ("client_websocket_url", ManagementAPI.text(decision.answer.websocketURL)),
            ("latency_ms", .double(decision.latencyMilliseconds)),
            ("endpoint_status", ManagementAPI.int(decision.endpointStatus)),
            ("endpoint_body", ManagementAPI.text(decision.endpointBody)),
            ("error", ManagementAPI.text(decision.error)),
            ("delivery_id", ManagementAPI.text(decision.deliveryID)),
            ("created_at", ManagementAPI.time(decision.createdAt)),
        ]))
    }
}
