import Foundation
import SwitchboardCore

/// The `auth` block and `public_url` of a source verified by a voice provider's scheme
/// (`SignatureSchemes.providerNames`). What differs between them comes from the scheme itself:
/// its credential (shared secrets in `secret`/`secrets`, or Ed25519 public keys in
/// `public_key`/`public_keys`), its default tolerance, whether it signs the request URL.
enum ProviderAuth {
    /// The credential the named scheme verifies with (shared secrets for an unknown name).
    static func credential(of scheme: String) -> SignatureCredential {
        (try? SignatureSchemes.scheme(named: scheme))?.credential ?? .sharedSecret
    }

    /// Whether the named scheme (with its HMAC plan, if any) signs the request URL, so that a source
    /// needs `public_url`.
    static func needsURL(_ scheme: String, hmacPlan: HMACPlan? = nil) -> Bool {
        (try? SignatureSchemes.scheme(named: scheme, hmacPlan: hmacPlan))?.needsURL ?? false
    }

    /// A credential the scheme can verify with: verification of an empty request must not find it
    /// unusable (an empty auth token, a public key that is not base64 of 32 bytes, …).
    static func check(_ credential: String, scheme name: String, hmacPlan: HMACPlan? = nil, at key: String) throws {
        do {
            let scheme = try SignatureSchemes.scheme(named: name, hmacPlan: hmacPlan)
            let probe = SignedRequest(body: [], headers: [], url: "https://switchboard.invalid/config-check")
            try scheme.verify(probe, secrets: [credential], now: 1, tolerance: scheme.defaultTolerance)
        } catch let failure as SignatureFailure {
            if case .invalidSecret(let problem) = failure {
                throw ConfigError(at: key, "not usable by scheme \(name): \(problem)")
            }
        }
    }

    /// `{"scheme", "secret" | "secrets" | "public_key" | "public_keys" | "hmac", "tolerance_seconds"?}`;
    /// `hmac` (``HMACPlanConfig``) only for the schemes that take an HMAC plan, instead of `secret(s)`.
    static func parse(_ auth: inout ConfigReader, scheme name: String,
                      environment: [String: String]) throws -> (auth: SourceConfig.Auth, hmacPlan: HMACPlan?) {
        let at = auth.location
        let scheme = try SignatureSchemes.scheme(named: name)
        if SignatureSchemes.hmacPlanNames.contains(name), var block = try auth.object("hmac") {
            for wrong in ["secret", "secrets"] where auth.isPresent(wrong) {
                throw ConfigError(at: "\(at).\(wrong)",
                                  "does not apply with hmac: \(name) sends one credential per server; the HMAC key is hmac.secret")
            }
            let (secret, plan) = try HMACPlanConfig.parse(&block, scheme: name, environment: environment)
            let tolerance = try auth.int("tolerance_seconds", range: 0...86_400) ?? Int(scheme.defaultTolerance)
            return (.signature(scheme: name, secrets: [secret], toleranceSeconds: tolerance), plan)
        }
        let (key, listKey, other, otherList) = scheme.credential == .ed25519
            ? ("public_key", "public_keys", "secret", "secrets") : ("secret", "secrets", "public_key", "public_keys")
        for wrong in [other, otherList] where auth.isPresent(wrong) {
            throw ConfigError(at: "\(at).\(wrong)", "does not apply to scheme \(name): it verifies with \(key)")
        }
        var credentials: [String] = []
        if let one = try auth.secret(key, environment: environment) { credentials.append(one) }
        credentials += try auth.secrets(listKey, environment: environment) ?? []
        guard !credentials.isEmpty else { throw ConfigError(at: "\(at).\(key)", "is required for scheme \(name)") }
        let tolerance = try auth.int("tolerance_seconds", range: 0...86_400) ?? Int(scheme.defaultTolerance)
        return (.signature(scheme: name, secrets: credentials, toleranceSeconds: tolerance), nil)
    }
}

extension SourceConfig {
    /// `public_url`: required, and only allowed, for a scheme that signs the request URL; an absolute
    /// `http(s)` URL with a host, written as the provider's console has it (query included).
    static func parsePublicURL(_ reader: inout ConfigReader, auth: Auth, hmacPlan: HMACPlan?) throws -> String? {
        let key = reader.location.isEmpty ? "public_url" : "\(reader.location).public_url"
        let text = try reader.string("public_url")
        var scheme: String?
        if case .signature(let name, _, _) = auth { scheme = name }
        guard let scheme, ProviderAuth.needsURL(scheme, hmacPlan: hmacPlan) else {
            if text != nil {
                throw ConfigError(at: key, "applies only to schemes that sign the request URL (\(urlSchemes.joined(separator: ", ")), "
                                  + "or an hmac plan whose payload_format has {url})")
            }
            return nil
        }
        guard let text else {
            throw ConfigError(at: key, "is required for scheme \(scheme): the URL the provider requests, which it signs (e.g. https://hooks.example.com/v1/ingest/<name>)")
        }
        guard let components = URLComponents(string: text), let urlScheme = components.scheme?.lowercased(),
              ["http", "https"].contains(urlScheme), let host = components.host, !host.isEmpty else {
            throw ConfigError(at: key, "must be an absolute http or https URL, got \"\(text)\"")
        }
        return text
    }

    /// The schemes that sign the request URL, for messages.
    static var urlSchemes: [String] { SignatureSchemes.providerNames.filter { ProviderAuth.needsURL($0) } }
}

extension ConfigReader {
    /// Whether `key` is present with any value, consuming it: for refusing keys another scheme uses.
    mutating func isPresent(_ key: String) -> Bool {
        do { return try string(key) != nil } catch { return true }
    }
}
