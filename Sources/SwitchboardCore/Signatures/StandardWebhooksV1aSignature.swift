/// Standard Webhooks' asymmetric signature, `v1a` (spec v1.0.0; PROVIDERS.md §8): the same
/// `webhook-id` and `webhook-timestamp` headers as ``StandardWebhooksSignature``, and
/// `webhook-signature: v1a,<base64> [v1a,<base64>…]`, each the 64-byte Ed25519 signature
/// (``Ed25519``, the Telnyx scheme's OpenSSL helpers) of `"<id>.<timestamp>.<raw body>"`.
///
/// - Keys (``SignatureCredential/ed25519``): signing takes secret keys `whsk_<base64>`, the
///   32-byte seed (what ``KeyPair/generate()`` writes and `cryptography`'s
///   `Ed25519PrivateKey.from_private_bytes` takes) or the 64-byte seed‖public key (libsodium's and
///   PyNaCl's form; its public half must belong to the seed) — the spec fixes neither. Verifying
///   takes public keys `whpk_<base64 of 32 bytes>`. The prefix may be left out; base64 is the
///   standard alphabet with padding, as in the spec's examples.
/// - Signing writes one signature per secret key, in the order given (the deliverer gives the
///   newest first), so during a rotation's overlap a receiver holding either public key verifies.
/// - Verifying: items of other versions (`v1`) are skipped, one `v1a` match under any trusted key
///   suffices; the header rules and the timestamp's canonical form are those of `v1`.
public struct StandardWebhooksV1aSignature: SignatureScheme {
    /// The registry name.
    public static let schemeName = "standard-webhooks-v1a"
    /// The version tag of each signature in `webhook-signature`.
    public static let version = "v1a"
    /// The prefix of a secret (signing) key's text form.
    public static let secretKeyPrefix = "whsk_"
    /// The prefix of a public (verifying) key's text form.
    public static let publicKeyPrefix = "whpk_"

    public var name: String { Self.schemeName }
    public var needsMessageID: Bool { true }
    public var usesTimestamp: Bool { true }
    public var credential: SignatureCredential { .ed25519 }

    public init() {}

    /// A new key pair in text form: `secretKey` (`whsk_`, kept by the sender) and `publicKey`
    /// (`whpk_`, given to the receiver).
    public struct KeyPair: Sendable, Equatable {
        public var secretKey: String
        public var publicKey: String

        /// A key pair from a fresh random 32-byte seed.
        public static func generate() throws(CryptoError) -> KeyPair {
            let seed = try SecureRandom.bytes(count: Ed25519.keyLength)
            return KeyPair(secretKey: secretKeyPrefix + Base64.encode(seed),
                           publicKey: publicKeyPrefix + Base64.encode(try Ed25519.publicKey(forSeed: seed)))
        }
    }

    /// The `whpk_` public key of a `whsk_` secret key, or nil when `secretKey` is not one.
    public static func publicKey(forSecretKey secretKey: String) -> String? {
        guard let seed = try? seed(secretKey), let key = try? Ed25519.publicKey(forSeed: seed) else { return nil }
        return publicKeyPrefix + Base64.encode(key)
    }

    public func sign(body: [UInt8], secrets: [String], timestamp: Int64, id: String?) throws(SignatureSchemeError)
        -> [HeaderField] {
        guard !secrets.isEmpty else { throw .noSecret }
        var seeds: [[UInt8]] = []
        for secret in secrets {
            do { seeds.append(try Self.seed(secret)) } catch { throw .invalidSecret(problem: error.problem) }
        }
        guard let id else { throw .missingMessageID(scheme: name) }
        let messageID = try HeaderText.checked(id, for: StandardWebhooksSignature.idHeader)
        let time = "\(try SignedTimestamp.checkedForSigning(timestamp))"
        let message = SignedContent.parts([messageID[...], time[...]], body).flatMap { $0 }
        var items: [String] = []
        for seed in seeds {
            do {
                items.append(Self.version + "," + Base64.encode(try Ed25519.sign(message, seed: seed)))
            } catch {
                throw .cryptoFailure(error)
            }
        }
        return [
            HeaderField(StandardWebhooksSignature.idHeader, messageID),
            HeaderField(StandardWebhooksSignature.timestampHeader, time),
            HeaderField(StandardWebhooksSignature.signatureHeader, items.joined(separator: " ")),
        ]
    }

    public func verify(body: [UInt8], headers: [HeaderField], secrets: [String], now: Int64, tolerance: Int64)
        throws(SignatureFailure) {
        guard !secrets.isEmpty else { throw .noSecretConfigured }
        var keys: [[UInt8]] = []
        for secret in secrets {
            do { keys.append(try Self.publicKeyBytes(secret)) } catch { throw .invalidSecret(problem: error.problem) }
        }
        let received = ReceivedHeaders(fields: headers)
        let messageID = try received.single(StandardWebhooksSignature.idHeader)
        let timestampText = try received.single(StandardWebhooksSignature.timestampHeader)
        let signatureText = try received.single(StandardWebhooksSignature.signatureHeader)
        let timestamp = try SignedTimestamp.parse(timestampText, header: StandardWebhooksSignature.timestampHeader)
        let signatures = try StandardWebhooksSignature.parseSignatures(signatureText, version: Self.version,
                                                                       length: Ed25519.signatureLength)
        try SignedTimestamp.checkFreshness(timestamp, now: now, tolerance: tolerance)
        let message = SignedContent.parts([messageID, "\(timestamp)"[...]], body).flatMap { $0 }
        var matched = false
        for key in keys {
            for signature in signatures {
                do {
                    if try Ed25519.isValid(signature: signature, of: message, publicKey: key) { matched = true }
                } catch {
                    throw .cryptoFailure(error)
                }
            }
        }
        guard matched else { throw .signatureMismatch }
    }

    /// The 32-byte seed of a secret key (rules in the type's documentation).
    static func seed(_ secretKey: String) throws(SigningKeys.SecretProblem) -> [UInt8] {
        let problem = SigningKeys.SecretProblem(
            problem: "not \(secretKeyPrefix)<base64 of a 32-byte Ed25519 seed or 64-byte seed and public key>")
        guard let bytes = try? Base64.decode(secretKey.removingPrefix(secretKeyPrefix)) else { throw problem }
        switch bytes.count {
        case Ed25519.keyLength:
            return bytes
        case 2 * Ed25519.keyLength:
            let seed = Array(bytes.prefix(Ed25519.keyLength))
            guard let derived = try? Ed25519.publicKey(forSeed: seed), derived == Array(bytes.suffix(Ed25519.keyLength)) else {
                throw SigningKeys.SecretProblem(problem: "the 64-byte key's public half does not belong to its seed")
            }
            return seed
        default:
            throw problem
        }
    }

    /// The 32 raw bytes of a public key (`whpk_<base64>`).
    static func publicKeyBytes(_ publicKey: String) throws(SigningKeys.SecretProblem) -> [UInt8] {
        guard let bytes = try? Base64.decode(publicKey.removingPrefix(publicKeyPrefix)), bytes.count == Ed25519.keyLength else {
            throw SigningKeys.SecretProblem(problem: "the public key is not \(publicKeyPrefix)<base64 of a 32-byte Ed25519 key>")
        }
        return bytes
    }
}
