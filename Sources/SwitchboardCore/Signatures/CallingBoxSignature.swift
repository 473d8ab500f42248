/// CallingBox's scheme: `CallingBox-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, each `v1` the
/// lowercase hex HMAC-SHA256 of `"<t>.<raw body>"`.
///
/// - Key: the secret string's UTF-8 bytes as they are, **including** a `whsec_` prefix (what the
///   official SDK, `callingbox` 0.1.0, does; contrast ``InkboxSignature``).
/// - Rotation: signing with several secrets writes one `v1` per secret; verification accepts
///   when any `v1` matches any configured secret.
/// - Parsing follows the SDK's `_verify_signature`: split on `,`; each part is `key=value`
///   split at the first `=`, with spaces and tabs around key and value ignored; a part without
///   `=` or with an empty key or value makes the header malformed; unknown keys are ignored;
///   `t` is required and numeric; at least one `v1` is required.
/// - Stricter than the SDK, each documented by a failure: `t` must be plain ASCII digits (the
///   SDK's `int()` also takes `+5`, `1_0` and non-ASCII digits), a second `t` is malformed
///   (the SDK silently keeps the last), and a `v1` must be 64 lowercase hex digits to be
///   considered (the SDK compares text, so uppercase never matches there either).
/// - As in the SDK, the signed text uses the integer's canonical decimal form, so `t=0017`
///   verifies a signature over `"17.<body>"`.
public struct CallingBoxSignature: SignatureScheme {
    /// The registry name.
    public static let schemeName = "callingbox"
    /// The signature header.
    public static let headerName = "CallingBox-Signature"

    public var name: String { Self.schemeName }
    public var needsMessageID: Bool { false }
    public var usesTimestamp: Bool { true }

    public init() {}

    public func sign(body: [UInt8], secrets: [String], timestamp: Int64, id: String?) throws(SignatureSchemeError)
        -> [HeaderField] {
        let keys = try SigningKeys.forSigning(secrets, limit: .max, scheme: name, Self.keyBytes)
        let time = try SignedTimestamp.checkedForSigning(timestamp)
        let codes = try keys.signingCodes(forParts: SignedContent.parts(["\(time)"], body))
        let value = (["t=\(time)"] + codes.map { "v1=" + Hex.encode($0) }).joined(separator: ",")
        return [HeaderField(Self.headerName, try HeaderText.checked(value, for: Self.headerName))]
    }

    public func verify(body: [UInt8], headers: [HeaderField], secrets: [String], now: Int64, tolerance: Int64)
        throws(SignatureFailure) {
        let keys = try SigningKeys.forVerifying(secrets, Self.keyBytes)
        let header = try Self.parse(ReceivedHeaders(fields: headers).single(Self.headerName))
        try SignedTimestamp.checkFreshness(header.timestamp, now: now, tolerance: tolerance)
        try keys.requireMatch(parts: SignedContent.parts(["\(header.timestamp)"], body), candidates: header.signatures)
    }

    /// The parsed header: the timestamp and the well-formed `v1` signatures.
    struct ParsedHeader: Equatable {
        var timestamp: Int64
        var signatures: [[UInt8]]
    }

    /// Parses a `CallingBox-Signature` value (rules in the type's documentation).
    static func parse(_ value: Substring) throws(SignatureFailure) -> ParsedHeader {
        func malformed(_ problem: String) -> SignatureFailure {
            .malformedHeader(name: headerName, problem: problem)
        }
        var timestamp: Int64?
        var versionOne: [Substring] = []
        for (index, part) in HeaderText.split(value, on: UInt8(ascii: ",")).enumerated() {
            guard !HeaderText.trimmed(part).isEmpty else { throw malformed("part \(index + 1) is empty") }
            guard let (rawKey, rawText) = HeaderText.partition(part, at: UInt8(ascii: "=")) else {
                throw malformed("part \(index + 1) has no '='")
            }
            let key = HeaderText.trimmed(rawKey)
            let text = HeaderText.trimmed(rawText)
            guard !key.isEmpty, !text.isEmpty else { throw malformed("part \(index + 1) has an empty key or value") }
            switch key {
            case "t":
                guard timestamp == nil else { throw malformed("more than one t=") }
                timestamp = try SignedTimestamp.parse(text, header: headerName)
            case "v1":
                versionOne.append(text)
            default:
                continue
            }
        }
        guard let timestamp else { throw malformed("missing t=") }
        guard !versionOne.isEmpty else { throw malformed("missing v1=") }
        let signatures = versionOne.compactMap(LowercaseHexSignature.decode)
        guard !signatures.isEmpty else { throw malformed("no v1= value is 64 lowercase hexadecimal digits") }
        return ParsedHeader(timestamp: timestamp, signatures: signatures)
    }

    /// The HMAC key of a secret: its UTF-8 bytes, prefix included. Only an empty secret is refused.
    @Sendable static func keyBytes(_ secret: String) throws(SigningKeys.SecretProblem) -> [UInt8] {
        guard !secret.isEmpty else { throw SigningKeys.SecretProblem(problem: "the secret is empty") }
        return Array(secret.utf8)
    }
}
