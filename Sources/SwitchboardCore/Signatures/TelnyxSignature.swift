/// Telnyx's scheme, as `telnyx` 4.189.0's `verify_webhook_signature` checks it: headers
/// `telnyx-timestamp` (Unix seconds) and `telnyx-signature-ed25519`, the base64 Ed25519
/// signature (64 bytes) of `"{telnyx-timestamp}|{raw body}"`, the timestamp text as received.
///
/// - Keys, not secrets (``SignatureCredential/ed25519``): verification takes base64 public keys
///   (32 bytes, from the Telnyx portal; any may match); signing takes one base64 private key,
///   the 32-byte seed (a 64-byte seed‖public key, libsodium's form, is accepted too).
/// - Freshness: the timestamp must lie within the tolerance of now, either way (the SDK: 300 s).
public struct TelnyxSignature: SignatureScheme {
    /// The registry name.
    public static let schemeName = "telnyx"
    /// The signature header.
    public static let signatureHeader = "telnyx-signature-ed25519"
    /// The Unix timestamp header.
    public static let timestampHeader = "telnyx-timestamp"

    public var name: String { Self.schemeName }
    public var needsMessageID: Bool { false }
    public var usesTimestamp: Bool { true }
    public var credential: SignatureCredential { .ed25519 }

    public init() {}

    public func sign(body: [UInt8], secrets: [String], timestamp: Int64, id: String?) throws(SignatureSchemeError)
        -> [HeaderField] {
        guard let privateKey = secrets.first else { throw .noSecret }
        guard secrets.count == 1 else { throw .tooManySecrets(scheme: name, limit: 1) }
        guard let decoded = try? Base64.decode(privateKey),
              decoded.count == Ed25519.keyLength || decoded.count == 2 * Ed25519.keyLength else {
            throw .invalidSecret(problem: "the private key is not base64 of a 32-byte Ed25519 seed")
        }
        let time = "\(try SignedTimestamp.checkedForSigning(timestamp))"
        do {
            let signature = try Ed25519.sign(Self.message(time[...], body), seed: Array(decoded.prefix(Ed25519.keyLength)))
            return [HeaderField(Self.timestampHeader, time), HeaderField(Self.signatureHeader, Base64.encode(signature))]
        } catch {
            throw .cryptoFailure(error)
        }
    }

    public func verify(body: [UInt8], headers: [HeaderField], secrets: [String], now: Int64, tolerance: Int64)
        throws(SignatureFailure) {
        let keys = try Self.publicKeys(secrets)
        let received = ReceivedHeaders(fields: headers)
        let signatureText = try received.single(Self.signatureHeader)
        let timestampText = try received.single(Self.timestampHeader)
        guard let signature = try? Base64.decode(signatureText), signature.count == Ed25519.signatureLength else {
            throw .malformedHeader(name: Self.signatureHeader, problem: "not base64 of a 64-byte Ed25519 signature")
        }
        let timestamp = try SignedTimestamp.parse(timestampText, header: Self.timestampHeader)
        try SignedTimestamp.checkFreshness(timestamp, now: now, tolerance: tolerance)
        let message = Self.message(timestampText, body)
        var matched = false
        for key in keys {
            do {
                if try Ed25519.isValid(signature: signature, of: message, publicKey: key) { matched = true }
            } catch {
                throw .cryptoFailure(error)
            }
        }
        guard matched else { throw .signatureMismatch }
    }

    /// `"{timestamp}|{body}"`.
    static func message(_ timestamp: Substring, _ body: [UInt8]) -> [UInt8] {
        Array(timestamp.utf8) + [UInt8(ascii: "|")] + body
    }

    /// The raw public keys of `secrets`, each base64 of 32 bytes.
    static func publicKeys(_ secrets: [String]) throws(SignatureFailure) -> [[UInt8]] {
        guard !secrets.isEmpty else { throw .noSecretConfigured }
        var keys: [[UInt8]] = []
        for secret in secrets {
            guard let key = try? Base64.decode(secret), key.count == Ed25519.keyLength else {
                throw .invalidSecret(problem: "the public key is not base64 of a 32-byte Ed25519 key")
            }
            keys.append(key)
        }
        return keys
    }
}
