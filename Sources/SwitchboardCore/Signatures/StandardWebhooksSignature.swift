/// The Standard Webhooks scheme (https://www.standardwebhooks.com): headers `webhook-id`,
/// `webhook-timestamp` and `webhook-signature: v1,<base64> [v1,<base64>…]`, each signature the
/// base64 HMAC-SHA256 of `"<id>.<timestamp>.<raw body>"`.
///
/// - Secret: `whsec_<base64 key>`; the key is the base64-decoded part after the prefix. A
///   secret **without** the prefix is decoded as base64 as a whole, as the `standardwebhooks`
///   Python library (1.1.0) does: it removes the prefix only when present. Unpadded base64 is
///   accepted (the library appends `==`), otherwise decoding is strict: where the library
///   silently drops characters outside the alphabet (so `-` or `_` change the key), this
///   refuses the secret. An empty key is refused, as there.
/// - `webhook-signature` is a space-separated list; empty items (several spaces) are skipped;
///   each item is `<version>,<signature>`; versions other than `v1` are ignored (the spec
///   reserves `v1a` for asymmetric signatures). An item without a comma makes the header
///   malformed, so does a header with no `v1` item. A `v1` signature that is not canonical
///   base64 of 32 bytes never matches.
/// - `webhook-timestamp` must be plain digits (the library also accepts `1e9` and `12.5`). As in
///   the library, the signed text uses the integer's canonical decimal form (`0017` → `17`).
public struct StandardWebhooksSignature: SignatureScheme {
    /// The registry name.
    public static let schemeName = "standard-webhooks"
    /// The message id header.
    public static let idHeader = "webhook-id"
    /// The Unix timestamp header.
    public static let timestampHeader = "webhook-timestamp"
    /// The signature list header.
    public static let signatureHeader = "webhook-signature"
    /// The prefix of the secret's text form.
    public static let secretPrefix = "whsec_"

    public var name: String { Self.schemeName }
    public var needsMessageID: Bool { true }
    public var usesTimestamp: Bool { true }

    public init() {}

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
        signingLimit: .max, signedTimestamp: .canonical, deriveKey: keyBytes,
        format: { codes in codes.map { "v1," + Base64.encode($0) }.joined(separator: " ") },
        parse: parseSignatures)

    /// The decoded `v1` signatures of a `webhook-signature` value (rules in the type's documentation).
    @Sendable static func parseSignatures(_ value: Substring) throws(SignatureFailure) -> [[UInt8]] {
        try parseSignatures(value, version: "v1", length: HMACSHA256Key.codeLength)
    }

    /// The decoded `version` signatures of a `webhook-signature` value: items of other versions are
    /// skipped, an item without a comma or a header without a `version` item is malformed, and a
    /// signature that is not canonical base64 of `length` bytes never matches (all such: malformed).
    /// Shared by `v1` and `v1a` (``StandardWebhooksV1aSignature``).
    static func parseSignatures(_ value: Substring, version wanted: String, length: Int) throws(SignatureFailure)
        -> [[UInt8]] {
        var versionCount = 0
        var signatures: [[UInt8]] = []
        for item in HeaderText.split(value, on: UInt8(ascii: " ")) where !item.isEmpty {
            guard let (version, signature) = HeaderText.partition(item, at: UInt8(ascii: ",")) else {
                throw .malformedHeader(name: signatureHeader, problem: "'\(item)' is not <version>,<signature>")
            }
            guard version == wanted else { continue }
            versionCount += 1
            if let bytes = try? Base64.decode(signature), bytes.count == length {
                signatures.append(bytes)
            }
        }
        guard versionCount > 0 else { throw .malformedHeader(name: signatureHeader, problem: "no \(wanted) signature") }
        guard !signatures.isEmpty else {
            throw .malformedHeader(name: signatureHeader, problem: "no \(wanted) signature is base64 of \(length) bytes")
        }
        return signatures
    }

    /// The HMAC key of a secret (rules in the type's documentation).
    @Sendable static func keyBytes(_ secret: String) throws(SigningKeys.SecretProblem) -> [UInt8] {
        var text = secret.removingPrefix(secretPrefix)
        switch text.utf8.count % 4 {
        case 2: text += "=="
        case 3: text += "="
        default: break
        }
        guard let key = try? Base64.decode(text) else {
            throw SigningKeys.SecretProblem(problem: "not \(secretPrefix)<base64 key> nor base64")
        }
        guard !key.isEmpty else { throw SigningKeys.SecretProblem(problem: "the key is empty") }
        return key
    }
}
