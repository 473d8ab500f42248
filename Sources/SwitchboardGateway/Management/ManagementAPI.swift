import Foundation
import SwitchboardCore
import SwitchboardHTTP
import SwitchboardStore

/// The management APIs, all behind Bearer `api_keys`:
///
/// - CallingBox-compatible `/v1/webhook_endpoints` and `/v1/webhook_deliveries` (`CallingBoxEndpointRoutes`,
///   `CallingBoxDeliveryRoutes`), which the official `callingbox` SDK drives unchanged;
/// - OneInbox-compatible `/v1/webhooks` (`OneInboxWebhookRoutes`);
/// - per-call webhooks `/v1/calls/{call}/webhook` (`CallWebhookRoutes`);
/// - incoming-call decisions `/v1/decisions` (`DecisionRoutes`).
///
/// Reads run on the server thread (short queries on a pooled read connection). Changes (bodies of at most
/// 64 KiB, `ManagementLimits`) are validated on the server thread, then committed through the group-commit writer; the answer is sent, and the
/// in-memory `DestinationRegistry` updated, only after the commit is durable.
struct ManagementAPI: Sendable {
    /// What a committed change answers, and what to do once it is durable (update the registry, wake
    /// the deliverer). `afterCommit` runs on the writer thread, in commit order.
    struct Committed: Sendable {
        var response: HTTPResponse
        var afterCommit: (@Sendable () -> Void)?
    }

    /// The body of a change, run inside the writer's transaction (a throw rolls back just this change).
    typealias Transaction = @Sendable (SQLiteConnection) throws -> Committed

    let database: Database
    let destinations: DestinationRegistry
    let signal: DeliverySignal
    let logger: Logger
    /// Destination URLs: syntax, then every resolved address against the outbound policy.
    let urls: OutboundURLCheck
    /// `org_id` of CallingBox objects (see `orgID(storePath:)`).
    let orgID: String
    let rotationOverlapSeconds: Double
    /// `retention.days` (0: kept forever): how far back recovery can reach.
    let retentionDays: Int
    let translator: Translator
    let sources: [SourceConfig]
    let hasOrgDefaultSecret: Bool
    /// `limits.max_endpoints`: live endpoints of both APIs together.
    let maxEndpoints: Int
    let clock: @Sendable () -> Double
    let authenticator: APIKeyAuthenticator

    init(config: GatewayConfig, mappings: [FormatMapping], database: Database, destinations: DestinationRegistry,
         signal: DeliverySignal, logger: Logger,
         clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws {
        self.database = database
        self.destinations = destinations
        self.signal = signal
        self.logger = logger
        self.urls = OutboundURLCheck(policy: try config.delivery.outboundPolicy())
        self.orgID = Self.orgID(storePath: config.store.path)
        self.rotationOverlapSeconds = Double(config.delivery.secretRotationOverlapSeconds)
        self.retentionDays = config.retention.days
        self.translator = Translator(mappings: mappings)
        self.sources = config.sources
        self.hasOrgDefaultSecret = config.orgDefaultSecret != nil
        self.maxEndpoints = config.limits.maxEndpoints
        self.clock = clock
        self.authenticator = APIKeyAuthenticator(keys: config.apiKeys)
    }

    func register(on router: inout Router) {
        CallingBoxEndpointRoutes(api: self).register(on: &router)
        CallingBoxDeliveryRoutes(api: self).register(on: &router)
        OneInboxWebhookRoutes(api: self).register(on: &router)
        CallWebhookRoutes(api: self).register(on: &router)
        DecisionRoutes(api: self).register(on: &router)
        RecoveryRoutes(api: self).register(on: &router)
    }

    /// The organisation id CallingBox objects carry. This gateway is one organisation; its id is a
    /// UUIDv5 of the store's configured path, which is not secret, stays the same across restarts, and
    /// differs between gateways keeping separate data. (Never derived from an API key: `org_id` is shown
    /// to every client.)
    static func orgID(storePath: String) -> String {
        (try? UUIDGenerator.version5(namespace: UUIDGenerator.namespaceURL, name: "switchboard:org:\(storePath)").lowercasedText)
            ?? "00000000-0000-0000-0000-000000000000"
    }

    // MARK: Handlers

    /// A read: authenticated, answered on the server thread.
    func read(_ body: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse) -> HTTPHandler {
        .immediate { [self] request in
            do {
                try authenticator.authenticate(request.headers)
                return try body(request)
            } catch {
                return failure(error, request)
            }
        }
    }

    /// A change: authenticated and validated by `prepare` on the server thread; the transaction it
    /// returns runs in the next group commit, and the answer follows the commit.
    func write(_ prepare: @escaping @Sendable (HTTPRequest) throws -> Transaction) -> HTTPHandler {
        .deferred { [self] request, responder in
            let transaction: Transaction
            do {
                try authenticator.authenticate(request.headers)
                try ManagementLimits.checkBody(request)
                transaction = try prepare(request)
            } catch {
                responder.respond(failure(error, request))
                return
            }
            database.submit(transaction) { [self] result in
                switch result {
                case .success(let committed):
                    committed.afterCommit?()
                    responder.respond(committed.response)
                case .failure(let error):
                    responder.respond(failure(error, request))
                }
            }
        }
    }

    /// The JSON error answer of anything a handler threw: its own status for an `HTTPError`, 503 with
    /// `Retry-After` when the store failed (nothing was changed), 500 otherwise.
    func failure(_ error: any Error, _ request: HTTPRequest) -> HTTPResponse {
        if let error = error as? HTTPError { return error.response }
        if error is SQLiteError || error is StoreError {
            logger.error("management store failure", ["method": .string(request.method.rawValue), "path": .string(request.path),
                                                      "error": .string("\(error)")])
            return .error(503, type: "store_unavailable", message: "the store is unavailable; nothing was changed, retry later",
                          headers: ["Retry-After": "1"])
        }
        logger.error("management failure", ["method": .string(request.method.rawValue), "path": .string(request.path),
                                            "error": .string("\(error)")])
        return .error(500, type: "internal_error", message: "internal error")
    }

    // MARK: Helpers of the resource routes

    var now: Double { clock() }

    /// The `{id}` path parameter as a lowercase UUID; 404 `not_found` naming `what` otherwise.
    func pathID(_ request: HTTPRequest, _ what: String) throws(HTTPError) -> String {
        let text = request.pathParameters["id"] ?? ""
        guard let id = ResourceID.normalised(text) else { throw notFound(what, text) }
        return id
    }

    func notFound(_ what: String, _ id: String) -> HTTPError {
        HTTPError(404, type: "not_found", message: "no \(what) with id '\(id)'")
    }

    /// A destination URL field: absolute http(s) whose host resolves only to addresses the outbound
    /// policy allows; 422 naming `field` otherwise. Blocks on DNS: handlers run on server threads.
    func checkURL(_ url: String, field: String = "url") throws(HTTPError) -> String {
        _ = try ManagementLimits.bounded(url, field: field, maximum: ManagementLimits.maxURLCharacters)
        do {
            return try urls.check(url).url
        } catch {
            throw RequestFields.invalid(field, error.reason.description)
        }
    }

    static func json(_ status: Int, _ value: JSONValue) -> HTTPResponse {
        .json(status, JSONWriter.bytes(value))
    }

    /// An ISO 8601 time, or null.
    static func time(_ seconds: Double?) -> JSONValue {
        seconds.map { .string(Timestamp.iso8601($0)) } ?? .null
    }

    static func text(_ value: String?) -> JSONValue {
        value.map { .string($0) } ?? .null
    }

    static func int(_ value: Int?) -> JSONValue {
        value.map { .integer(Int64($0)) } ?? .null
    }
}
