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

    /// Whether the named scheme signs the request URL, so that a source needs `public_url`.
    static func needsURL(_ scheme: String) -> Bool {
        (try? SignatureSchemes.scheme(named: scheme))?.needsURL ?? false
    }

    /// A credential the scheme can verify with: verification of an empty request must not find it
    /// unusable (an empty auth token, a public key that is not base64 of 32 bytes, …).
    static func check(_ credential: String, scheme name: String, at key: String) throws {
        do {
            let scheme = try SignatureSchemes.scheme(named: name)
            let probe = SignedRequest(body: [], headers: [], url: "https://switchboard.invalid/config-check")
            try scheme.verify(probe, secrets: [credential], now: 1, tolerance: scheme.defaultTolerance)
        } catch let failure as SignatureFailure {
            if case .invalidSecret(let problem) = failure {
                throw ConfigError(at: key, "not usable by scheme \(name): \(problem)")
            }
        }
    }

    /// `{"scheme", "secret" | "secrets" | "public_key" | "public_keys", "tolerance_seconds"?}`.
    static func parse(_ auth: inout ConfigReader, scheme name: String,
                      environment: [String: String]) throws -> SourceConfig.Auth {
        let at = auth.location
        let scheme = try SignatureSchemes.scheme(named: name)
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
        return .signature(scheme: name, secrets: credentials, toleranceSeconds: tolerance)
    }
}

extension SourceConfig {
    /// `public_url`: required, and only allowed, for a scheme that signs the request URL; an absolute
    /// `http(s)` URL with a host, written as the provider's console has it (query included).
    static func parsePublicURL(_ reader: inout ConfigReader, auth: Auth) throws -> String? {
        let key = reader.location.isEmpty ? "public_url" : "\(reader.location).public_url"
        let text = try reader.string("public_url")
        var scheme: String?
        if case .signature(let name, _, _) = auth { scheme = name }
        guard let scheme, ProviderAuth.needsURL(scheme) else {
            if text != nil {
                throw ConfigError(at: key, "applies only to schemes that sign the request URL (\(urlSchemes.joined(separator: ", ")))")
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
    static var urlSchemes: [String] { SignatureSchemes.providerNames.filter(ProviderAuth.needsURL) }
}

extension ConfigReader {
    /// Whether `key` is present with any value, consuming it: for refusing keys another scheme uses.
    mutating func isPresent(_ key: String) -> Bool {
        do { return try string(key) != nil } catch { return true }
    }
}
