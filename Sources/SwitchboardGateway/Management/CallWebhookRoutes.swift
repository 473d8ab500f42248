import SwitchboardCore
import SwitchboardHTTP
import SwitchboardStore

/// Per-call webhooks (`call_webhooks`): a call's events go to a URL instead of, or as well as, every
/// other destination. Bodies are CallingBox-style, signed with `org_default_secret` (required).
///
/// | | |
/// |---|---|
/// | `PUT /v1/calls/{call}/webhook` | `{url, mode: "instead" \| "also"}` (mode defaults to `instead`, as CallingBox's per-call `webhook_url` overrides) → 200 `{call_id, url, mode, format, created_at, updated_at}` |
/// | `GET /v1/calls/{call}/webhook` | 200 the same, or 404 |
/// | `DELETE /v1/calls/{call}/webhook` | 200 `{"call_id", "deleted": true}`, or 404 |
///
/// `{call}` is the call's UUID or the vendor's call id, resolved by `CallResolver`; `?source=<name>`
/// says which source's call id it is when that is ambiguous.
struct CallWebhookRoutes: Sendable {
    let api: ManagementAPI

    func register(on router: inout Router) {
        router.put("/v1/calls/{call}/webhook", api.write { try put($0) })
        router.get("/v1/calls/{call}/webhook", api.read { try get($0) })
        router.delete("/v1/calls/{call}/webhook", api.write { try delete($0) })
    }

    private func put(_ request: HTTPRequest) throws -> ManagementAPI.Transaction {
        guard api.hasOrgDefaultSecret else {
            throw HTTPError(409, type: "not_configured",
                            message: "per-call webhooks are signed with org_default_secret, which is not configured")
        }
        var fields = try RequestFields(body: request.body)
        let url = try api.checkURL(try fields.requiredString("url"))
        let modeText = try fields.string("mode") ?? CallWebhookRecord.Mode.instead.rawValue
        guard let mode = CallWebhookRecord.Mode(rawValue: modeText) else {
            throw RequestFields.invalid("mode", "must be \"instead\" or \"also\", got \"\(modeText)\"")
        }
        try fields.finish()
        let resolver = try resolver(request)
        let now = api.now
        return { [api] connection in
            let callID = try resolver.resolve(connection)
            let stored = try CallWebhookRecords.upsert(connection, CallWebhookRecord(callID: callID, url: url, mode: mode,
                                                                                     createdAt: now, updatedAt: now))
            return ManagementAPI.Committed(response: ManagementAPI.json(200, Self.object(stored))) {
                api.destinations.apply(callWebhook: stored, callID: callID)
            }
        }
    }

    private func get(_ request: HTTPRequest) throws -> HTTPResponse {
        let resolver = try resolver(request)
        let webhook = try api.database.read { connection -> CallWebhookRecord? in
            try CallWebhookRecords.find(connection, callID: try resolver.resolve(connection))
        }
        guard let webhook else { throw Self.none(resolver.text) }
        return ManagementAPI.json(200, Self.object(webhook))
    }

    private func delete(_ request: HTTPRequest) throws -> ManagementAPI.Transaction {
        let resolver = try resolver(request)
        return { [api] connection in
            let callID = try resolver.resolve(connection)
            guard try CallWebhookRecords.delete(connection, callID: callID) else { throw Self.none(resolver.text) }
            return ManagementAPI.Committed(response: ManagementAPI.json(200, ["call_id": .string(callID), "deleted": true])) {
                api.destinations.apply(callWebhook: nil, callID: callID)
            }
        }
    }

    private func resolver(_ request: HTTPRequest) throws(HTTPError) -> CallResolver {
        let source = request.queryValue("source")
        if let source, !api.sources.contains(where: { $0.name == source }) {
            throw RequestFields.invalid("source", "no source named \"\(source)\" is configured")
        }
        let call = request.pathParameters["call"] ?? ""
        if let reason = IdentifierBounds.violation(call, field: "call") { throw HTTPError(422, type: "validation_error", message: reason) }
        return CallResolver(text: call, source: source, sources: api.sources.map(\.name))
    }

    private static func none(_ call: String) -> HTTPError {
        HTTPError(404, type: "not_found", message: "call '\(call)' has no webhook")
    }

    static func object(_ webhook: CallWebhookRecord) -> JSONValue {
        .object(JSONObject([
            ("call_id", .string(webhook.callID)),
            ("url", .string(webhook.url)),
            ("mode", .string(webhook.mode.rawValue)),
            ("format", .string(webhook.format)),
            ("created_at", ManagementAPI.time(webhook.createdAt)),
            ("updated_at", ManagementAPI.time(webhook.updatedAt)),
        ]))
    }
}

/// Finds the call UUID a user means by `{call}`:
///
/// 1. with `?source=`: the UUID ingest derives for that source's call id (`CallSettlement.callID`: a UUID call id
///    as it is, else `UUIDv5(URL, "switchboard:call:<source>:<key>")`);
/// 2. a UUID that stored events carry as their call UUID;
/// 3. a vendor call id of stored events: their call UUID, unless calls of several sources share that
///    id (422 naming the sources);
/// 4. any other UUID, as given (the call's events may come later);
/// 5. with exactly one source configured: the UUID ingest will derive for it;
/// 6. otherwise 422: the id is unknown and several sources could send it.
struct CallResolver: Sendable {
    let text: String
    let source: String?
    let sources: [String]

    /// The call UUID ingest gives the events of `source` whose vendor call id is `key`.
    static func derivedID(source: String, key: String) -> String {
        CallSettlement.callID(source: source, key: key)
    }

    func resolve(_ connection: SQLiteConnection) throws -> String {
        guard !text.isEmpty else { throw RequestFields.invalid("call", "is required") }
        if let source { return Self.derivedID(source: source, key: text) }
        let uuid = ResourceID.normalised(text)
        if let uuid, try CallWebhookRecords.hasEvents(connection, callID: uuid) { return uuid }
        let known = try CallWebhookRecords.calls(connection, key: text)
        if Set(known.map(\.callID)).count == 1, let only = known.first { return only.callID }
        if !known.isEmpty {
            throw RequestFields.invalid("call", "\"\(text)\" is the call id of calls from several sources "
                + "(\(known.map(\.source).joined(separator: ", "))): add ?source=<name> or use the call's UUID")
        }
        if let uuid { return uuid }
        if sources.count == 1, let only = sources.first { return Self.derivedID(source: only, key: text) }
        throw RequestFields.invalid("call", "no event of call \"\(text)\" has been received and "
            + (sources.isEmpty ? "no source is configured" : "\(sources.count) sources could send it (\(sources.joined(separator: ", ")))")
            + ": add ?source=<name> or use the call's UUID")
    }
}
