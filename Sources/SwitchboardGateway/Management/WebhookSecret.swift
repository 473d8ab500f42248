import SwitchboardCore
import SwitchboardHTTP

/// New signing keys, and what an answer may show of them.
///
/// - CallingBox endpoints: `whsec_` and 32 random bytes in lowercase hex (64 characters), the shape of
///   CallingBox's own example; the whole string, prefix included, is the HMAC key (as the CallingBox
///   SDK verifies).
/// - Standard Webhooks (OneInbox-style) endpoints, `v1`: `whsec_` and the 32 bytes in base64, as that
///   scheme's secrets are written; the key is the decoded bytes.
/// - Standard Webhooks `v1a` (`StandardWebhooksV1aSignature`): an Ed25519 key pair; the store keeps the
///   `whsk_` secret key (base64 of the 32-byte seed), answers show the `whpk_` public key derived from it.
enum WebhookSecret {
    static let byteCount = 32

    /// A new signing key for an endpoint whose requests `scheme` signs: what `endpoint_secrets` keeps.
    static func make(for scheme: String) throws(HTTPError) -> String {
        do {
            if scheme == StandardWebhooksV1aSignature.schemeName {
                return try StandardWebhooksV1aSignature.KeyPair.generate().secretKey
            }
            let bytes = try SecureRandom.bytes(count: byteCount)
            return "whsec_" + (scheme == StandardWebhooksSignature.schemeName ? Base64.encode(bytes) : Hex.encode(bytes))
        } catch {
            throw HTTPError(500, type: "internal_error", message: "no random bytes for a secret: \(error)")
        }
    }

    /// What the create and rotate answers show of a new signing key `stored`: a shared secret itself
    /// (once), or the public key of a key pair.
    static func shownOnce(_ stored: String, scheme: String) -> ShownCredential? {
        isKeyPair(scheme) ? StandardWebhooksV1aSignature.publicKey(forSecretKey: stored).map(ShownCredential.publicKey)
            : .secret(stored)
    }

    /// What every other answer (read, list, update) shows of the current key `stored`: a key pair's
    /// public key, never a shared secret.
    static func shownAlways(_ stored: String?, scheme: String) -> ShownCredential? {
        guard isKeyPair(scheme), let stored else { return nil }
        return StandardWebhooksV1aSignature.publicKey(forSecretKey: stored).map(ShownCredential.publicKey)
    }

    /// Whether `scheme` signs with a key pair, whose public key may be shown on every read.
    static func isKeyPair(_ scheme: String) -> Bool {
        SignatureSchemes.asymmetricNames.contains(scheme)
    }
}

/// What an endpoint answer shows of its signing credential.
enum ShownCredential: Sendable, Equatable {
    /// A shared secret: shown in the create and rotate answers only.
    case secret(String)
    /// A public key (`whpk_`): safe to show in every answer.
    case publicKey(String)

    /// The shared secret, when this is one.
    var secret: String? {
        if case .secret(let secret) = self { secret } else { nil }
    }

    /// The public key, when this is one.
    var publicKey: String? {
        if case .publicKey(let key) = self { key } else { nil }
    }
}
