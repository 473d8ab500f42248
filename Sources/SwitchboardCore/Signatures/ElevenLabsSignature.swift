/// ElevenLabs' post-call webhook scheme, as `elevenlabs` 2.78.0's `construct_event` checks it:
/// `ElevenLabs-Signature: t=<Unix seconds>,v0=<hex>`, the lowercase hex HMAC-SHA256, keyed with
/// the secret's UTF-8 bytes, of `"{t}.{raw body}"` (the `t` text as received).
///
/// - Parsing as the SDK's: split on `,` with no trimming; a part starting `t=` is the
///   timestamp, one starting `v0=` a signature; others are ignored (so `t=1, v0=…` with a space
///   has no signature). Stricter: `t` must be plain digits and appear once; a `v0` must be 64
///   lowercase hex digits to be considered; several `v0` are accepted (any may match).
/// - Freshness: the SDK refuses only a `t` more than 30 minutes old; this scheme's default
///   tolerance is the same 1800 s and it bounds the future side too.
/// - Signing takes exactly one secret (the SDK keeps only one `v0`).
public struct ElevenLabsSignature: SignatureScheme {
    /// The registry name.
    public static let schemeName = "elevenlabs"
    /// The signature header.
    public static let headerName = "ElevenLabs-Signature"
    /// The SDK's window: 30 minutes.
    public static let tolerance: Int64 = 1800

    public var name: String { Self.schemeName }
    public var needsMessageID: Bool { false }
    public var usesTimestamp: Bool { true }
    public var defaultTolerance: Int64 { Self.tolerance }

    public init() {}

    public func sign(body: [UInt8], secrets: [String], timestamp: Int64, id: String?) throws(SignatureSchemeError)
        -> [HeaderField] {
        let keys = try SigningKeys.forSigning(secrets, limit: 1, scheme: name, CallingBoxSignature.keyBytes)
        let time = "\(try SignedTimestamp.checkedForSigning(timestamp))"
        let codes = try keys.signingCodes(forParts: SignedContent.parts([time[...]], body))
        return [HeaderField(Self.headerName, "t=\(time),v0=" + Hex.encode(codes[0]))]
    }

    public func verify(body: [UInt8], headers: [HeaderField], secrets: [String], now: Int64, tolerance: Int64)
        throws(SignatureFailure) {
        let keys = try SigningKeys.forVerifying(secrets, CallingBoxSignature.keyBytes)
        let value = try ReceivedHeaders(fields: headers).single(Self.headerName)
        var timestampText: Substring?
        var candidates: [Substring] = []
        for part in HeaderText.split(value, on: UInt8(ascii: ",")) {
            if part.hasPrefix("t=") {
                guard timestampText == nil else { throw Self.malformed("more than one t=") }
                timestampText = part.dropFirst(2)
            } else if part.hasPrefix("v0=") {
                candidates.append(part.dropFirst(3))
            }
        }
        guard let timestampText else { throw Self.malformed("missing t=") }
        guard !candidates.isEmpty else { throw Self.malformed("missing v0=") }
        let signatures = candidates.compactMap(LowercaseHexSignature.decode)
        guard !signatures.isEmpty else { throw Self.malformed("no v0= value is 64 lowercase hexadecimal digits") }
        let timestamp = try SignedTimestamp.parse(timestampText, header: Self.headerName)
        try SignedTimestamp.checkFreshness(timestamp, now: now, tolerance: tolerance)
        try keys.requireMatch(parts: SignedContent.parts([timestampText], body), candidates: signatures)
    }

    private static func malformed(_ problem: String) -> SignatureFailure {
        .malformedHeader(name: headerName, problem: problem)
    }
}
