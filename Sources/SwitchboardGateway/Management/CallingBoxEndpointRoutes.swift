import SwitchboardCore
import SwitchboardHTTP

/// CallingBox-compatible endpoint management (REFERENCE §1.12), as the `callingbox` SDK calls it:
///
/// | | |
/// |---|---|
/// | `POST /v1/webhook_endpoints` | `{url (≤ 2,048 characters), description? (≤ 1,024), enabled_events?}` → 201 endpoint with `signing_secret`; 422 `limit_exceeded` past `limits.max_endpoints` |
/// | `GET /v1/webhook_endpoints` | cursor `limit` (1–100, default 100), `starting_after`, `ending_before` → 200 `{"data": [endpoint], "has_more"}`, newest first |
/// | `GET /v1/webhook_endpoints/{id}` | 200 endpoint |
/// | `PATCH /v1/webhook_endpoints/{id}` | any of `url`, `description` (null clears), `enabled_events`, `status` → 200 endpoint |
/// | `DELETE /v1/webhook_endpoints/{id}` | 200 `{"id", "deleted": true}` (the SDK parses every body as JSON) |
/// | `POST /v1/webhook_endpoints/{id}/rotate_secret` | 200 endpoint with the new `signing_secret` |
///
/// `enabled_events` defaults to `["*"]`; names are CallingBox's eight plus `call.incoming`. Our
/// extension `receive_test_events` (default false) opts the endpoint into test events.
struct CallingBoxEndpointRoutes: Sendable {
    let api: ManagementAPI
    private let commands: EndpointCommands

    init(api: ManagementAPI) {
        self.api = api
        let orgID = api.orgID
        commands = EndpointCommands(api: api, kind: .callingBox, noun: "webhook endpoint") {
            Self.object($0, orgID: orgID, signingSecret: $1?.secret)
        }
    }

    func register(on router: inout Router) {
        router.post("/v1/webhook_endpoints", api.write { try create($0) })
        // The SDK's list_endpoints sends no limit and reads one page: the default is the maximum.
        router.get("/v1/webhook_endpoints", api.read { try commands.page($0, defaultLimit: CursorPaging.maximumLimit) })
        router.get("/v1/webhook_endpoints/{id}", api.read { try commands.retrieve($0) })
        router.patch("/v1/webhook_endpoints/{id}", api.write { try update($0) })
        router.delete("/v1/webhook_endpoints/{id}", api.write { try commands.delete($0) })
        router.post("/v1/webhook_endpoints/{id}/rotate_secret", api.write { try commands.rotate($0) })
    }

    private func create(_ request: HTTPRequest) throws -> ManagementAPI.Transaction {
        var fields = try RequestFields(body: request.body)
        let url = try api.checkURL(try fields.requiredString("url"))
        let description = try fields.string("description").map { text throws(HTTPError) in try Self.description(text) }
        let events = try Self.events(try fields.strings("enabled_events") ?? [EventCatalog.all])
        let receiveTestEvents = try fields.bool("receive_test_events") ?? false
        try fields.finish()
        return try commands.create(name: description, url: url, enabledEvents: events, receiveTestEvents: receiveTestEvents)
    }

    private func update(_ request: HTTPRequest) throws -> ManagementAPI.Transaction {
        var fields = try RequestFields(body: request.body)
        var changes = EndpointChanges()
        if let url = try fields.string("url") { changes.url = try api.checkURL(url) }
        if let description = try fields.nullableString("description") {
            changes.name = .some(try description.map { text throws(HTTPError) in try Self.description(text) })
        }
        if let events = try fields.strings("enabled_events") { changes.enabledEvents = try Self.events(events) }
        if let status = try fields.string("status") {
            switch status {
            case EndpointRecord.enabled: changes.enable = true
            case EndpointRecord.disabled: changes.enable = false
            default: throw RequestFields.invalid("status", "must be \"enabled\" or \"disabled\", got \"\(status)\"")
            }
        }
        changes.receiveTestEvents = try fields.bool("receive_test_events")
        try fields.finish()
        return try commands.update(request, changes)
    }

    /// `description`: at most 1,024 characters.
    private static func description(_ text: String) throws(HTTPError) -> String {
        try ManagementLimits.bounded(text, field: "description", maximum: ManagementLimits.maxDescriptionCharacters)
    }

    private static func events(_ names: [String]) throws(HTTPError) -> [String] {
        try EventCatalog.validate(names, known: EventCatalog.callingBox, allowAll: true, field: "enabled_events",
                                  count: 1...EventCatalog.callingBox.count + 1)
    }

    /// The endpoint object of REFERENCE §1.12.
    static func object(_ endpoint: EndpointRecord, orgID: String, signingSecret: String?) -> JSONValue {
        var object = JSONObject([
            ("id", .string(endpoint.id)),
            ("org_id", .string(orgID)),
            ("url", .string(endpoint.url)),
            ("description", ManagementAPI.text(endpoint.name)),
            ("enabled_events", .array(endpoint.enabledEvents.map { .string($0) })),
            ("status", .string(endpoint.status)),
            ("disabled_reason", ManagementAPI.text(endpoint.disabledReason)),
            ("disabled_at", ManagementAPI.time(endpoint.disabledAt)),
            ("consecutive_failures", .integer(Int64(endpoint.consecutiveFailures))),
            ("receive_test_events", .bool(endpoint.receiveTestEvents)),
            ("created_at", ManagementAPI.time(endpoint.createdAt)),
            ("updated_at", ManagementAPI.time(endpoint.updatedAt)),
        ])
        if let signingSecret { object["signing_secret"] = .string(signingSecret) }
        return .object(object)
    }
}
