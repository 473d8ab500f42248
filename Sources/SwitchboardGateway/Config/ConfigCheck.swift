import Foundation
import SwitchboardCore
#if canImport(Glibc)
import Glibc
#endif

/// The checks a parsed configuration must pass before the gateway starts (and that `switchboard config
/// check` runs): everything that would otherwise fail at the first event — formats without a mapping
/// file, secrets a scheme cannot use, destination URLs the outbound policy refuses, a listen host that
/// does not resolve, a store folder that cannot be written. Each failure is a `ConfigError` naming the key.
///
/// What only a start can know (the port being free, the store not in use by another gateway) is
/// checked by `StartupGuards`.
public enum ConfigCheck {
    /// Runs every check; returns the compiled mappings (the gateway loads them again at start).
    @discardableResult
    public static func run(_ config: GatewayConfig) throws -> [FormatMapping] {
        let mappings = try loadMappings(config.mappingsDirectory)
        let byFormat = Dictionary(mappings.map { ($0.format, $0) }, uniquingKeysWith: { first, _ in first })
        let urls = try DestinationURLCheck(config.delivery)
        for (index, source) in config.sources.enumerated() {
            try checkSource(source, at: "sources[\(index)]", formats: byFormat, urls: urls)
        }
        try checkOrgDefaultSecret(config, formats: byFormat)
        try checkListenHost(config.listen.host)
        try checkStoreFolder(config.store.path)
        return mappings
    }

    static func loadMappings(_ directory: String) throws -> [FormatMapping] {
        guard MappingLoader.isDirectory(directory) else {
            throw ConfigError(at: "mappings", "folder \(directory) does not exist")
        }
        return try MappingLoader.load(directory: directory)
    }

    private static func checkSource(_ source: SourceConfig, at: String, formats: [String: FormatMapping],
                                    urls: DestinationURLCheck) throws {
        try checkFormat(source.format, at: "\(at).format", formats: formats)
        if case .signature(let scheme, let secrets, _) = source.auth {
            let provider = SignatureSchemes.providerNames.contains(scheme)
            let plan = source.hmacPlan
            let key = plan != nil ? "hmac.secret" : ProviderAuth.credential(of: scheme) == .ed25519 ? "public_key" : "secret"
            for (index, secret) in secrets.enumerated() {
                let at = "\(at).auth.\(secrets.count > 1 ? "\(key)s[\(index)]" : key)"
                if provider { try ProviderAuth.check(secret, scheme: scheme, hmacPlan: plan, at: at) } else { try checkSecret(secret, scheme: scheme, at: at) }
            }
            if let previous = source.previousSecret {
                let at = "\(at).auth.secret_previous"
                if provider { try ProviderAuth.check(previous.secret, scheme: scheme, hmacPlan: plan, at: at) } else { try checkSecret(previous.secret, scheme: scheme, at: at) }
            }
        }
        if let url = source.webhookURL {
            try checkFormat(source.webhookFormat, at: "\(at).webhook_format", formats: formats)
            try urls.check(url, at: "\(at).webhook_url")
        }
        if let decision = source.incomingCall?.decision {
            let key = "\(at).incoming_call.decision"
            try checkFormat(decision.format, at: "\(key).format", formats: formats)
            guard formats[decision.format]?.encodes(.incoming) == true else {
                let able = formats.values.filter { $0.encodes(.incoming) }.map(\.format).sorted()
                throw ConfigError(at: "\(key).format", "format \(decision.format) has no call.incoming output (formats with one: \(able.joined(separator: ", ")))")
            }
            try urls.check(decision.url, at: "\(key).url")
            try checkSecret(decision.secret, scheme: DeliveryFormats.scheme(for: decision.format, in: formats), at: "\(key).secret")
        }
    }

    private static func checkFormat(_ format: String, at key: String, formats: [String: FormatMapping]) throws {
        guard formats[format] != nil else {
            throw ConfigError(at: key, "unknown format \"\(format)\" (known: \(formats.keys.sorted().joined(separator: ", ")))")
        }
    }

    /// A secret the scheme can sign and verify with: only Standard-Webhooks secrets are base64 (CallingBox
    /// and Inkbox secrets are opaque strings used as given, `whsec_` prefix and all).
    static func checkSecret(_ secret: String, scheme name: String, at key: String) throws {
        do {
            let scheme = try SignatureSchemes.scheme(named: name)
            _ = try scheme.sign(body: [], secrets: [secret], timestamp: 1, id: "msg_config_check")
        } catch {
            guard case .invalidSecret(let problem) = error else { throw ConfigError(at: key, error.description) }
            throw ConfigError(at: key, "not usable by scheme \(name): \(problem)")
        }
    }

    /// The Standard Webhooks rule for a secret the gateway signs with: `whsec_` and base64 of at least
    /// 24 bytes (what OneInbox-style receivers, the `standardwebhooks` library among them, accept).
    static let minimumStandardWebhooksKeyBytes = 24

    /// `org_default_secret` signs deliveries to source `webhook_url`s (in the scheme of their
    /// `webhook_format`) and per-call webhooks (CallingBox-style): it must exist when a source has a
    /// `webhook_url`, and suit every scheme that will sign with it.
    private static func checkOrgDefaultSecret(_ config: GatewayConfig, formats: [String: FormatMapping]) throws {
        var users: [(scheme: String, because: String)] = [(CallWebhookRecord.scheme, "per-call webhooks")]
        for (index, source) in config.sources.enumerated() where source.webhookURL != nil {
            users.append((DeliveryFormats.scheme(for: source.webhookFormat, in: formats),
                          "sources[\(index)].webhook_url with webhook_format \(source.webhookFormat)"))
        }
        guard let secret = config.orgDefaultSecret else {
            if let index = config.sources.firstIndex(where: { $0.webhookURL != nil }) {
                throw ConfigError(at: "sources[\(index)].webhook_url", "needs org_default_secret to sign its deliveries")
            }
            return
        }
        for (scheme, because) in users {
            if scheme == StandardWebhooksSignature.schemeName {
                let prefix = StandardWebhooksSignature.secretPrefix
                let key = secret.hasPrefix(prefix) ? (try? Base64.decode(secret.dropFirst(prefix.count))) : nil
                guard let key, key.count >= minimumStandardWebhooksKeyBytes else {
                    throw ConfigError(at: "org_default_secret",
                                      "\(because) signs with standard-webhooks, which needs \(prefix) followed by base64 of at least \(minimumStandardWebhooksKeyBytes) bytes")
                }
            }
            try checkSecret(secret, scheme: scheme, at: "org_default_secret")
        }
    }

    /// The host must be an address or a name `getaddrinfo` resolves (what the server binds).
    static func checkListenHost(_ host: String) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        if let list { freeaddrinfo(list) }
        guard status == 0, !host.isEmpty else {
            throw ConfigError(at: "listen.host", "cannot listen on \"\(host)\": \(String(cString: gai_strerror(status)))")
        }
    }

    /// The store's folder must exist and be writable, or be creatable in its nearest existing parent.
    static func checkStoreFolder(_ path: String) throws {
        var folder = (path as NSString).deletingLastPathComponent
        while !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            let parent = (folder as NSString).deletingLastPathComponent
            if parent == folder { break }
            folder = parent
        }
        if folder.isEmpty { folder = "." }
        guard MappingLoader.isDirectory(folder) else {
            throw ConfigError(at: "store.path", "\(folder) is not a folder")
        }
        guard access(folder, W_OK | X_OK) == 0 else {
            throw ConfigError(at: "store.path", "folder \(folder) is not writable")
        }
        if FileManager.default.fileExists(atPath: path), access(path, R_OK | W_OK) != 0 {
            throw ConfigError(at: "store.path", "\(path) is not writable")
        }
    }
}

/// Destination URLs in the configuration: absolute `http(s)` URLs the outbound policy allows. A host
/// that does not resolve yet passes (DNS may be down at start; the client checks every address it
/// connects to).
struct DestinationURLCheck {
    private let check: OutboundURLCheck

    init(_ delivery: DeliveryConfig) throws {
        do {
            check = OutboundURLCheck(policy: try delivery.outboundPolicy())
        } catch {
            throw ConfigError(at: "delivery.allow_cidrs", error.description)
        }
    }

    func check(_ url: String, at key: String) throws {
        do {
            _ = try check.check(url)
        } catch {
            if case .unresolvable = error.reason { return }
            throw ConfigError(at: key, "\(error.reason): \"\(url)\"")
        }
    }
}
