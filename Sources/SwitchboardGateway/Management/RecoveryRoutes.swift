import SwitchboardCore
import SwitchboardHTTP

/// Bulk recovery after an outage, for both endpoint APIs:
///
/// | | |
/// |---|---|
/// | `POST /v1/webhook_endpoints/{id}/recover` | `{"since": <RFC 3339 or unix seconds>, "until"?: ...}` → 202 `{"redelivered": n}` |
/// | `POST /v1/webhooks/{id}/recover` | the same for a OneInbox webhook |
///
/// Every failed delivery of the endpoint created in `since..<until` (default: now) is queued again,
/// in order per call: exhausted ones go back to `pending` as a manual retry, and pending ones that are
/// retrying after a failed attempt are due now instead of after their back-off
/// (`DeliveryHistory.recover`). A `since` older than `retention.days` is 422 (that history may be gone).
/// On a disabled endpoint the exhausted deliveries become `held`: enabling it then releases them with
/// those routed while it was disabled, all in order (recover first, then enable, after an outage that
/// disabled the endpoint).
struct RecoveryRoutes: Sendable {
    let api: ManagementAPI

    func register(on router: inout Router) {
        router.post("/v1/webhook_endpoints/{id}/recover", api.write { try recover($0, api: .callingBox, noun: "webhook endpoint") })
        router.post("/v1/webhooks/{id}/recover", api.write { try recover($0, api: .oneInbox, noun: "webhook") })
    }

    private func recover(_ request: HTTPRequest, api kind: EndpointAPI, noun: String) throws -> ManagementAPI.Transaction {
        let id = try api.pathID(request, noun)
        let now = api.now
        var fields = try RequestFields(body: request.body)
        guard let since = try Self.time(&fields, "since") else { throw RequestFields.invalid("since", "is required") }
        let givenUntil = try Self.time(&fields, "until")
        let until = givenUntil ?? now
        try fields.finish()
        if api.retentionDays > 0, since < now - Double(api.retentionDays) * 86_400 {
            throw RequestFields.invalid("since", "\(Timestamp.iso8601(since)) is older than the retention of \(api.retentionDays) days "
                                        + "(retention.days); deliveries from before \(Timestamp.iso8601(now - Double(api.retentionDays) * 86_400)) may be gone")
        }
        guard until > since else {
            throw givenUntil == nil ? RequestFields.invalid("since", "\(Timestamp.iso8601(since)) is in the future")
                                    : RequestFields.invalid("until", "must be later than since")
        }
        return { [api] connection in
            guard let endpoint = try EndpointRecords.find(connection, id: id, api: kind) else { throw api.notFound(noun, id) }
            let count = try DeliveryHistory.recover(connection, endpointID: id, since: since, until: until,
                                                    held: endpoint.status != EndpointRecord.enabled, now: now)
            return ManagementAPI.Committed(response: ManagementAPI.json(202, ["redelivered": .integer(Int64(count))])) {
                api.logger.info("recovery queued", ["endpoint": .string(id), "redelivered": .int(count),
                                                    "since": .string(Timestamp.iso8601(since)), "until": .string(Timestamp.iso8601(until))])
                if count > 0 { api.signal.notify() }
            }
        }
    }

    /// A time field: an RFC 3339 date-time or Unix seconds; nil when absent. 422 naming it otherwise.
    static func time(_ fields: inout RequestFields, _ key: String) throws(HTTPError) -> Double? {
        switch fields.value(key) {
        case nil: return nil
        case .integer(let seconds)?: return Double(seconds)
        case .double(let seconds)? where seconds.isFinite: return seconds
        case .string(let text)?:
            guard let seconds = Timestamp.parseISO8601(text) else {
                throw RequestFields.invalid(key, "must be an RFC 3339 date-time or Unix seconds, got \"\(text)\"")
            }
            return seconds
        case let other?:
            throw RequestFields.invalid(key, "must be an RFC 3339 date-time or Unix seconds, got \(other.typeName)")
        }
    }
}
