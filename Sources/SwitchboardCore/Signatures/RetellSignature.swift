/// Retell's scheme, as `retell-sdk` 6.2.13's `webhook_auth.verify` checks it:
/// `x-retell-signature: v=<Unix milliseconds>,d=<hex>`, the lowercase hex HMAC-SHA256, keyed with
/// the API key's UTF-8 bytes, of the raw body followed by the decimal milliseconds.
///
/// - The value must be exactly `v=<digits>,d=<64 lowercase hex digits>` (the SDK's full match;
///   no spaces, no uppercase hex). The signed text uses the integer's canonical decimal form.
/// - Freshness: `|now − v|` at most the tolerance (the SDK: 300 000 ms, exactly that passes),
///   computed in milliseconds from the whole-second clock.
/// - The header carries one signature, so signing takes exactly one key.
public struct RetellSignature: SignatureScheme {
    /// The registry name.
    public static let schemeName = "retell"
    /// The signature header.
    public static let headerName = "x-retell-signature"

    public var name: String { Self.schemeName }
    public var needsMessageID: Bool { false }
    public var usesTimestamp: Bool { true }

    public init() {}

    /// Signs at `timestamp` seconds (`v` is that in milliseconds).
    public func sign(body: [UInt8], secrets: [String], timestamp: Int64, id: String?) throws(SignatureSchemeError)
        -> [HeaderField] {
        let keys = try SigningKeys.forSigning(secrets, limit: 1, scheme: name, CallingBoxSignature.keyBytes)
        let seconds = try SignedTimestamp.checkedForSigning(timestamp)
        guard seconds <= Int64.max / 1000 else { throw .invalidTimestamp(timestamp) }
        let milliseconds = "\(seconds * 1000)"
        let codes = try keys.signingCodes(forParts: [body, Array(milliseconds.utf8)])
        return [HeaderField(Self.headerName, "v=\(milliseconds),d=" + Hex.encode(codes[0]))]
    }

    public func verify(body: [UInt8], headers: [HeaderField], secrets: [String], now: Int64, tolerance: Int64)
        throws(SignatureFailure) {
        let keys = try SigningKeys.forVerifying(secrets, CallingBoxSignature.keyBytes)
        let value = try ReceivedHeaders(fields: headers).single(Self.headerName)
        let (milliseconds, signature) = try Self.parse(value)
        try Self.checkFreshness(milliseconds, now: now, tolerance: tolerance)
        try keys.requireMatch(parts: [body, Array("\(milliseconds)".utf8)], candidates: [signature])
    }

    /// The milliseconds and the signature of a header value (rules in the type's documentation).
    static func parse(_ value: Substring) throws(SignatureFailure) -> (Int64, [UInt8]) {
        let malformed = SignatureFailure.malformedHeader(
            name: headerName, problem: "not v=<milliseconds>,d=<64 lowercase hexadecimal digits>")
        let parts = HeaderText.split(value, on: UInt8(ascii: ","))
        guard parts.count == 2, parts[0].hasPrefix("v="), parts[1].hasPrefix("d="),
              let milliseconds = SignedTimestamp.parse(parts[0].dropFirst(2)),
              let signature = LowercaseHexSignature.decode(parts[1].dropFirst(2)) else { throw malformed }
        return (milliseconds, signature)
    }

    /// `|now − v| ≤ tolerance`, in milliseconds; failures report whole seconds, rounded up.
    static func checkFreshness(_ milliseconds: Int64, now: Int64, tolerance: Int64) throws(SignatureFailure) {
        guard tolerance > 0 else { return }
        let (nowMilliseconds, overflow) = now.multipliedReportingOverflow(by: 1000)
        let (window, windowOverflow) = tolerance.multipliedReportingOverflow(by: 1000)
        guard !overflow, !windowOverflow else { return }
        let difference = nowMilliseconds - milliseconds  // both within 0...Int64.max: no overflow
        if difference > window { throw .staleTimestamp(age: (difference + 999) / 1000, tolerance: tolerance) }
        if -difference > window { throw .futureTimestamp(ahead: (-difference + 999) / 1000, tolerance: tolerance) }
    }
}
