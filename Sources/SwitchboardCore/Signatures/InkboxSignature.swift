/// Inkbox's scheme: headers `X-Inkbox-Request-ID`, `X-Inkbox-Timestamp` and
/// `X-Inkbox-Signature: sha256=<hex>`, the lowercase hex HMAC-SHA256 of
/// `"{request_id}.{timestamp}.{raw_body}"` (the two header texts as received).
///
/// - Key: the secret's UTF-8 bytes after removing one leading `whsec_`, so the key works with
///   or without the prefix (as the official SDK's `verify_webhook`, `inkbox` 0.7.20).
/// - Freshness: the SDK does not check the timestamp; this scheme does (300 s by default), so
///   the timestamp must be plain digits. The SDK also treats a missing header as empty text;
///   here it is a ``SignatureFailure/missingHeader(_:)``.
/// - The header carries one signature, so signing takes exactly one secret. Verification accepts
///   several configured secrets (any may match), for a receiver's own rotation.
/// - `sha256=` is matched case-sensitively and the hex must be 64 lowercase digits, as the SDK's
///   text comparison requires.
public struct InkboxSignature: SignatureScheme {
    /// The registry name.
    public static let schemeName = "inkbox"
    /// The request id header.
    public static let idHeader = "X-Inkbox-Request-ID"
    /// The Unix timestamp header.
    public static let timestampHeader = "X-Inkbox-Timestamp"
    /// The signature header.
    public static let signatureHeader = "X-Inkbox-Signature"
    /// The prefix of the signature value.
    public static let signaturePrefix = "sha256="
    /// The optional prefix of the secret, not part of the key.
    public static let secretPrefix = "whsec_"

    public var name: String { Self.schemeName }
    public var needsMessageID: Bool { true }
    public var usesTimestamp: Bool { true }

    public init() {}

    /// Signing with more than one secret throws ``SignatureSchemeError/tooManySecrets(scheme:limit:)``.
    public func sign(body: [UInt8], secrets: [String], timestamp: Int64, id: String?) throws(SignatureSchemeError)
        -> [HeaderField] {
        try Self.layout.sign(body: body, secrets: secrets, timestamp: timestamp, id: id)
    }

    public func verify(body: [UInt8], headers: [HeaderField], secrets: [String], now: Int64, tolerance: Int64)
        throws(SignatureFailure) {
        try Self.layout.verify(body: body, headers: headers, secrets: secrets, now: now, tolerance: tolerance)
    }

    private static let layout = MessageSignatureLayout(
        scheme: schemeName, idHeader: idHeader, timestampHeader: timestampHeader, signatureHeader: signatureHeader,
        signingLimit: 1, signedTimestamp: .received, deriveKey: keyBytes,
        format: { codes in codes.map { signaturePrefix + Hex.encode($0) }.joined(separator: " ") },
        parse: parseSignature)

    /// The signature in an `X-Inkbox-Signature` value: `sha256=` and 64 lowercase hex digits.
    @Sendable static func parseSignature(_ value: Substring) throws(SignatureFailure) -> [[UInt8]] {
        guard value.utf8.starts(with: signaturePrefix.utf8) else {
            throw .malformedHeader(name: signatureHeader, problem: "does not start with '\(signaturePrefix)'")
        }
        let hex = Substring(value.utf8.dropFirst(signaturePrefix.utf8.count))
        guard let signature = LowercaseHexSignature.decode(hex) else {
            let problem = "the value after '\(signaturePrefix)' is not 64 lowercase hexadecimal digits"
            throw .malformedHeader(name: signatureHeader, problem: problem)
        }
        return [signature]
    }

    /// The HMAC key of a secret: UTF-8 bytes without a leading `whsec_`. An empty key is refused.
    @Sendable static func keyBytes(_ secret: String) throws(SigningKeys.SecretProblem) -> [UInt8] {
        let key = Array(secret.removingPrefix(secretPrefix).utf8)
        guard !key.isEmpty else { throw SigningKeys.SecretProblem(problem: "the key is empty") }
        return key
    }
}
