import Foundation
import SwitchboardCore

/// One vendor sending webhooks to `POST /v1/ingest/{name}`.
public struct SourceConfig: Sendable, Equatable {
    /// How requests from the source are authenticated.
    public enum Auth: Sendable, Equatable {
        /// A configured header must carry a configured value (Salpre's "Additional Headers").
        case headerToken(header: String, value: String)
        /// A signature scheme (`callingbox`, `standard-webhooks`, `inkbox`, or a voice provider's:
        /// `SignatureSchemes.providerNames`) with one or more secrets (several during a rotation; for a
        /// scheme whose credential is Ed25519, the base64 public keys) and a timestamp tolerance in seconds.
        case signature(scheme: String, secrets: [String], toleranceSeconds: Int)
    }

    /// What to do with an event type the format's mapping does not know.
    public enum UnknownEvents: String, Sendable, Equatable {
        case skip, error
    }

    /// The name in the ingest path: lowercase letters, digits, `-` and `_`.
    public var name: String
    /// The mapping file that decodes this source's bodies.
    public var format: String
    public var auth: Auth
    /// An extra destination receiving every event of this source, signed with `org_default_secret`.
    public var webhookURL: String?
    /// The format `webhook_url` receives (default: callingbox).
    public var webhookFormat: String
    public var unknownEvents: UnknownEvents
    /// Inkbox only: accept requests that carry no `X-Inkbox-Signature` (an Inkbox organisation without a
    /// signing key sends them unsigned). Signed requests are still verified when a secret is configured.
    public var allowUnsigned = false
    /// Formats with an incoming-call request (`AnswerLanguage.byFormat`): answer it synchronously (rules,
    /// decision endpoint, fallback) in the provider's own document.
    public var incomingCall: IncomingCallConfig?
    /// The secret being rolled out of a signature scheme (`auth.secret_previous`), accepted beside the
    /// current ones until `auth.secret_previous_expires_at`.
    public var previousSecret: PreviousSecret?
    /// The absolute URL the sender requests (`public_url`), which schemes that sign the URL (Twilio)
    /// verify against: what the provider dialled, not what the gateway sees behind a proxy.
    public var publicURL: String?
    /// The `auth.hmac` plan of a scheme that takes one (`vapi`): it replaces the shared-secret check,
    /// and the source's secrets are then the HMAC keys.
    public var hmacPlan: HMACPlan?

    /// An inbound secret kept for a roll-over, and when it stops verifying.
    public struct PreviousSecret: Sendable, Equatable {
        public var secret: String
        /// Unix seconds; the secret verifies strictly before this moment.
        public var expiresAt: Double
    }

    /// The previous secret while it is still live at `now` (Unix seconds), else nothing.
    public func previousSecrets(at now: Double) -> [String] {
        guard let previousSecret, now < previousSecret.expiresAt else { return [] }
        return [previousSecret.secret]
    }

    static func parse(_ reader: inout ConfigReader, environment: [String: String]) throws -> SourceConfig {
        let at = reader.location
        guard let name = try reader.string("name") else { throw ConfigError(at: "\(at).name", "is required") }
        guard !name.isEmpty, name.utf8.allSatisfy({ Self.nameBytes.contains($0) }) else {
            throw ConfigError(at: "\(at).name", "must be lowercase letters, digits, '-' or '_', got \"\(name)\"")
        }
        guard let format = try reader.string("format") else { throw ConfigError(at: "\(at).format", "is required") }
        guard var auth = try reader.object("auth") else {
            throw ConfigError(at: "\(at).auth", "is required: every source is authenticated")
        }
        let allowUnsigned = try reader.bool("allow_unsigned") ?? false
        let (parsedAuth, hmacPlan) = try parseAuth(&auth, environment: environment, allowUnsigned: allowUnsigned)
        let previous = try parsePrevious(&auth, auth: parsedAuth, environment: environment)
        try auth.finish()
        let publicURL = try parsePublicURL(&reader, auth: parsedAuth, hmacPlan: hmacPlan)
        if allowUnsigned, previous != nil {
            throw ConfigError(at: "\(at).auth.secret_previous", "cannot be combined with allow_unsigned: with a signing key, every request must be signed")
        }
        if allowUnsigned, case .headerToken = parsedAuth {
            throw ConfigError(at: "\(at).allow_unsigned", "applies to scheme inkbox only")
        } else if allowUnsigned, case .signature(let scheme, _, _) = parsedAuth, scheme != "inkbox" {
            throw ConfigError(at: "\(at).allow_unsigned", "applies to scheme inkbox only")
        } else if allowUnsigned, case .signature(_, let secrets, _) = parsedAuth, !secrets.isEmpty {
            throw ConfigError(at: "\(at).allow_unsigned", "cannot be combined with a secret: with a signing key, every request must be signed")
        }
        var incomingCall: IncomingCallConfig?
        if var block = try reader.object("incoming_call") {
            guard let language = AnswerLanguage.of(format: format) else {
                let formats = AnswerLanguage.byFormat.keys.sorted().joined(separator: ", ")
                throw ConfigError(at: "\(at).incoming_call", "needs a format with an incoming-call request (\(formats)), got \(format)")
            }
            let parsed = try IncomingCallConfig.parse(&block, environment: environment)
            try parsed.check(language, at: "\(at).incoming_call")
            incomingCall = parsed
        }
        let webhookURL = try reader.string("webhook_url")
        let webhookFormat = try reader.string("webhook_format") ?? "callingbox"
        let unknownText = try reader.string("unknown_events") ?? "skip"
        guard let unknown = UnknownEvents(rawValue: unknownText) else {
            throw ConfigError(at: "\(at).unknown_events", "must be \"skip\" or \"error\", got \"\(unknownText)\"")
        }
        try reader.finish()
        return SourceConfig(name: name, format: format, auth: parsedAuth, webhookURL: webhookURL,
                            webhookFormat: webhookFormat, unknownEvents: unknown, allowUnsigned: allowUnsigned,
                            incomingCall: incomingCall, previousSecret: previous, publicURL: publicURL, hmacPlan: hmacPlan)
    }

    /// `secret_previous` with its required `secret_previous_expires_at` (RFC 3339 text or Unix seconds),
    /// for the signature schemes only.
    private static func parsePrevious(_ auth: inout ConfigReader, auth parsed: Auth,
                                      environment: [String: String]) throws -> PreviousSecret? {
        let at = auth.location
        let secret = try auth.secret("secret_previous", environment: environment)
        let expiry = try auth.timestamp("secret_previous_expires_at")
        switch (secret, expiry) {
        case (nil, nil):
            return nil
        case (nil, _?):
            throw ConfigError(at: "\(at).secret_previous_expires_at", "needs secret_previous")
        case (_?, nil):
            throw ConfigError(at: "\(at).secret_previous_expires_at",
                              "is required with secret_previous (RFC 3339 or Unix seconds): a previous secret must expire")
        case (let secret?, let expiresAt?):
            guard case .signature(let scheme, _, _) = parsed else {
                let schemes = SignatureSchemes.allNames.filter { $0 != HeaderTokenSignature.schemeName }
                throw ConfigError(at: "\(at).secret_previous", "applies to the signature schemes (\(schemes.joined(separator: ", ")))")
            }
            if ProviderAuth.credential(of: scheme) == .ed25519 {
                throw ConfigError(at: "\(at).secret_previous", "does not apply to scheme \(scheme): list every accepted key in public_keys")
            }
            return PreviousSecret(secret: secret, expiresAt: expiresAt)
        }
    }

    /// `allowUnsigned` lets an inkbox source go without a secret (every request then passes unsigned).
    private static func parseAuth(_ auth: inout ConfigReader, environment: [String: String],
                                  allowUnsigned: Bool) throws -> (Auth, HMACPlan?) {
        let at = auth.location
        guard let scheme = try auth.string("scheme") else { throw ConfigError(at: "\(at).scheme", "is required") }
        switch scheme {
        case "header-token":
            guard let header = try auth.string("header"), HTTPToken.isToken(header) else {
                throw ConfigError(at: "\(at).header", "must be a header name for scheme header-token")
            }
            guard let value = try auth.secret("value", environment: environment) else {
                throw ConfigError(at: "\(at).value", "is required for scheme header-token")
            }
            return (.headerToken(header: header, value: value), nil)
        case "callingbox", "standard-webhooks", "inkbox":
            var secrets: [String] = []
            if let one = try auth.secret("secret", environment: environment) { secrets.append(one) }
            secrets += try auth.secrets("secrets", environment: environment) ?? []
            guard !secrets.isEmpty || allowUnsigned && scheme == "inkbox" else {
                throw ConfigError(at: "\(at).secret", "is required for scheme \(scheme)")
            }
            let tolerance = try auth.int("tolerance_seconds", range: 0...86_400) ?? Int(SignatureSchemes.defaultTolerance)
            return (.signature(scheme: scheme, secrets: secrets, toleranceSeconds: tolerance), nil)
        case _ where SignatureSchemes.providerNames.contains(scheme):
            return try ProviderAuth.parse(&auth, scheme: scheme, environment: environment)
        default:
            let known = (["header-token"] + SignatureSchemes.allNames.filter { $0 != "header-token" }).joined(separator: ", ")
            throw ConfigError(at: "\(at).scheme", "must be one of \(known), got \"\(scheme)\"")
        }
    }

    private static let nameBytes = Set(Array("abcdefghijklmnopqrstuvwxyz0123456789-_".utf8))
}

/// Outbound delivery settings (`delivery`).
public struct DeliveryConfig: Sendable, Equatable {
    /// Per-attempt timeout.
    public var timeoutMilliseconds = 10_000
    /// Delay before each attempt (the first is normally 0): CallingBox's schedule by default.
    public var retryScheduleSeconds = [0, 60, 300, 1800, 7200, 18_000, 36_000, 86_400]
    /// Each delay varies by ± this fraction.
    public var jitter = 0.2
    /// Allow private, loopback, link-local and similar destinations (development only).
    public var allowPrivateNetworks = false
    /// Specific ranges to allow despite the policy (CIDR, IPv4 or IPv6).
    public var allowCIDRs: [String] = []
    /// Attempts in flight at once to one endpoint (or one source/per-call URL).
    public var maxConcurrencyPerEndpoint = 32
    /// How long an endpoint's previous secret keeps signing beside the new one after a rotation
    /// (receivers switch over meanwhile); 0 retires it at once.
    public var secretRotationOverlapSeconds = 86_400

    static func parse(_ reader: inout ConfigReader) throws -> DeliveryConfig {
        var delivery = DeliveryConfig()
        let at = reader.location
        delivery.timeoutMilliseconds = try reader.int("timeout_ms", range: 1...600_000) ?? delivery.timeoutMilliseconds
        if let schedule = try reader.ints("retry_schedule_seconds", range: 0...(30 * 86_400)) {
            guard !schedule.isEmpty, schedule.count <= 50 else {
                throw ConfigError(at: "\(at).retry_schedule_seconds", "must have 1 to 50 delays")
            }
            delivery.retryScheduleSeconds = schedule
        }
        delivery.jitter = try reader.double("jitter", range: 0...1) ?? delivery.jitter
        delivery.allowPrivateNetworks = try reader.bool("allow_private_networks") ?? false
        if let cidrs = try reader.strings("allow_cidrs") {
            for (index, cidr) in cidrs.enumerated() {
                do {
                    _ = try CIDRRange(cidr)
                } catch {
                    throw ConfigError(at: "\(at).allow_cidrs[\(index)]", "is not a CIDR range: \"\(cidr)\" (\(error.reason))")
                }
            }
            delivery.allowCIDRs = cidrs
        }
        delivery.maxConcurrencyPerEndpoint = try reader.int("max_concurrency_per_endpoint", range: 1...1024)
            ?? delivery.maxConcurrencyPerEndpoint
        delivery.secretRotationOverlapSeconds = try reader.int("secret_rotation_overlap_seconds", range: 0...(30 * 86_400))
            ?? delivery.secretRotationOverlapSeconds
        try reader.finish()
        return delivery
    }
}
