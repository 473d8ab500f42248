/// What differs between the configuration being served and a re-read one (`SIGHUP`), split into what
/// is applied live and what needs a restart. Names are key paths; secret values never appear.
///
/// Live: `api_keys`, and each existing source's `auth` (secrets or public keys, `secret_previous` and its
/// expiry, `tolerance_seconds`, a header-token's value, an `hmac` plan) as long as its scheme (and token header) stays,
/// and its `public_url` (the URL a Twilio signature is checked against). Everything
/// else — listen, store, delivery, retention, limits, mappings, log, org_default_secret, sources added, removed or
/// changed otherwise — takes effect at the next start.
public struct ConfigChanges: Sendable, Equatable {
    /// Key paths applied live.
    public var live: [String] = []
    /// Key paths that changed but wait for a restart.
    public var restartRequired: [String] = []
    /// The configuration to serve from now on: the old one with the live changes applied.
    public var effective: GatewayConfig

    public init(from old: GatewayConfig, to new: GatewayConfig) {
        effective = old
        if old.apiKeys != new.apiKeys {
            live.append("api_keys")
            effective.apiKeys = new.apiKeys
        }
        let sections: [(String, Bool)] = [
            ("listen", old.listen == new.listen), ("store", old.store == new.store),
            ("delivery", old.delivery == new.delivery), ("retention", old.retention == new.retention),
            ("mappings", old.mappingsDirectory == new.mappingsDirectory),
            ("log", old.logLevel == new.logLevel && old.maskPhoneNumbers == new.maskPhoneNumbers
                    && old.rejectedLogLinesPerSecond == new.rejectedLogLinesPerSecond),
            ("org_default_secret", old.orgDefaultSecret == new.orgDefaultSecret),
            ("limits", old.limits == new.limits),
        ]
        restartRequired += sections.filter { !$0.1 }.map(\.0)
        compareSources(old.sources, new.sources)
    }

    private mutating func compareSources(_ old: [SourceConfig], _ new: [SourceConfig]) {
        let newNames = Set(new.map(\.name))
        let oldNames = Set(old.map(\.name))
        restartRequired += new.filter { !oldNames.contains($0.name) }.map { "sources.\($0.name) (added)" }
        restartRequired += old.filter { !newNames.contains($0.name) }.map { "sources.\($0.name) (removed)" }
        for (index, current) in old.enumerated() {
            guard let next = new.first(where: { $0.name == current.name }), next != current else { continue }
            var authOnly = current
            authOnly.auth = next.auth
            authOnly.previousSecret = next.previousSecret
            authOnly.publicURL = next.publicURL
            authOnly.hmacPlan = next.hmacPlan
            if authOnly == next, Self.sameKind(current.auth, next.auth) {
                if current.auth != next.auth || current.previousSecret != next.previousSecret
                    || current.hmacPlan != next.hmacPlan {
                    live.append("sources.\(current.name).auth")
                }
                if current.publicURL != next.publicURL { live.append("sources.\(current.name).public_url") }
                effective.sources[index] = next
            } else {
                restartRequired.append("sources.\(current.name)")
            }
        }
    }

    /// The same scheme (and, for header-token, the same header): only then can the verifier be swapped.
    private static func sameKind(_ a: SourceConfig.Auth, _ b: SourceConfig.Auth) -> Bool {
        switch (a, b) {
        case (.headerToken(let first, _), .headerToken(let second, _)): first.lowercased() == second.lowercased()
        case (.signature(let first, _, _), .signature(let second, _, _)): first == second
        default: false
        }
    }
}
