/// A way of authenticating webhook requests: which headers carry what, and how they are checked.
///
/// Implementations are pure: no clock, no I/O. The caller passes the current time and the raw
/// body bytes exactly as sent or received (never a re-serialised body).
///
/// ```swift
/// let scheme = try SignatureSchemes.scheme(named: "callingbox")
/// let headers = try scheme.sign(body: body, secrets: ["whsec_abc"], timestamp: now, id: nil)
/// try scheme.verify(body: body, headers: headers, secrets: ["whsec_abc"], now: now, tolerance: 300)
/// ```
public protocol SignatureScheme: Sendable {
    /// The scheme's name in the registry and on the command line (`callingbox`, …).
    var name: String { get }
    /// Whether signing needs a message id (``sign(body:secrets:timestamp:id:)``'s `id`).
    var needsMessageID: Bool { get }
    /// Whether the scheme signs a timestamp (and so checks freshness on verification).
    var usesTimestamp: Bool { get }

    /// The header fields to send with `body`: one signature per secret where the scheme's header
    /// can carry several (rotation overlap), else at most one secret. `timestamp` is Unix seconds
    /// (ignored by schemes without one); `id` is required when ``needsMessageID`` and ignored
    /// otherwise. No produced value contains CR, LF or another control character.
    func sign(body: [UInt8], secrets: [String], timestamp: Int64, id: String?) throws(SignatureSchemeError)
        -> [HeaderField]

    /// Returns when `headers` authenticate `body` under any of `secrets` and, for schemes with a
    /// timestamp, the timestamp is within `tolerance` seconds of `now` (Unix seconds; a tolerance
    /// of 0 or less disables that check). Otherwise throws the precise ``SignatureFailure``.
    /// Header names are matched without regard to ASCII case.
    func verify(body: [UInt8], headers: [HeaderField], secrets: [String], now: Int64, tolerance: Int64)
        throws(SignatureFailure)
}

extension SignatureScheme {
    /// Verifies with the default tolerance, ``SignatureSchemes/defaultTolerance``.
    public func verify(body: [UInt8], headers: [HeaderField], secrets: [String], now: Int64)
        throws(SignatureFailure) {
        try verify(body: body, headers: headers, secrets: secrets, now: now,
                   tolerance: SignatureSchemes.defaultTolerance)
    }
}

/// The signature schemes by name.
public enum SignatureSchemes {
    /// Seconds a signed timestamp may lie before or after the receiver's clock: 300, as the
    /// vendors document.
    public static let defaultTolerance: Int64 = 300

    /// The registered names, in a stable order.
    public static let names = [
        CallingBoxSignature.schemeName, StandardWebhooksSignature.schemeName,
        InkboxSignature.schemeName, HeaderTokenSignature.schemeName,
    ]

    /// The scheme called `name`. `tokenHeader` is the header name for `header-token`, required
    /// there and refused by the other schemes.
    public static func scheme(named name: String, tokenHeader: String? = nil) throws(SignatureSchemeError)
        -> any SignatureScheme {
        if name == HeaderTokenSignature.schemeName {
            guard let tokenHeader else { throw .missingTokenHeader }
            return try HeaderTokenSignature(headerName: tokenHeader)
        }
        let scheme: any SignatureScheme
        switch name {
        case CallingBoxSignature.schemeName: scheme = CallingBoxSignature()
        case StandardWebhooksSignature.schemeName: scheme = StandardWebhooksSignature()
        case InkboxSignature.schemeName: scheme = InkboxSignature()
        default: throw .unknownScheme(name)
        }
        guard tokenHeader == nil else { throw .tokenHeaderNotApplicable(scheme: name) }
        return scheme
    }
}
