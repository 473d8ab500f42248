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

    /// What the scheme's `secrets` are: shared secrets (the default) or Ed25519 keys.
    var credential: SignatureCredential { get }
    /// Whether the scheme signs the request URL, so that ``SignedRequest/url`` is required.
    var needsURL: Bool { get }
    /// The freshness window used when the caller has no tolerance of its own, in seconds.
    var defaultTolerance: Int64 { get }
    /// Whether the signature depends on the body (default: not for ``SignatureSchemes/headerOnlyNames``;
    /// `vapi` with an HMAC plan does).
    var signsBody: Bool { get }

    /// The header fields to send with `request` (its body and, for schemes that sign it, its
    /// URL). The default signs the body alone, as ``sign(body:secrets:timestamp:id:)``.
    func sign(_ request: SignedRequest, secrets: [String], timestamp: Int64, id: String?)
        throws(SignatureSchemeError) -> [HeaderField]

    /// Verifies `request` (body, received headers and, for schemes that sign it, the URL the
    /// sender requested). The default verifies body and headers, as
    /// ``verify(body:headers:secrets:now:tolerance:)``.
    func verify(_ request: SignedRequest, secrets: [String], now: Int64, tolerance: Int64)
        throws(SignatureFailure)
}

/// What a scheme's `secrets` hold.
public enum SignatureCredential: Sendable, Equatable {
    /// Shared secrets: the same text signs and verifies.
    case sharedSecret
    /// Ed25519 keys: private seeds for signing, public keys for verifying (base64 of 32 bytes;
    /// `whsk_`/`whpk_` prefixed for Standard Webhooks `v1a`).
    case ed25519
}

/// A request as a signature scheme sees it: the raw body, the header fields and the URL.
public struct SignedRequest: Sendable, Equatable {
    /// The raw body bytes, as sent or received.
    public var body: [UInt8]
    /// The header fields received (ignored when signing).
    public var headers: [HeaderField]
    /// The absolute URL the sender requested, as the sender saw it (scheme, host, optional port,
    /// path and the query exactly as sent), or nil when unknown. Behind a proxy this is the
    /// configured public URL, not the one the gateway received.
    public var url: String?
    /// The request method (`POST`), or nil when unknown; schemes that sign it read nil as `POST`.
    public var method: String?

    public init(body: [UInt8], headers: [HeaderField] = [], url: String? = nil, method: String? = nil) {
        self.body = body
        self.headers = headers
        self.url = url
        self.method = method
    }
}

extension SignatureScheme {
    public var credential: SignatureCredential { .sharedSecret }
    public var needsURL: Bool { false }
    public var defaultTolerance: Int64 { SignatureSchemes.defaultTolerance }

    public func sign(_ request: SignedRequest, secrets: [String], timestamp: Int64, id: String?)
        throws(SignatureSchemeError) -> [HeaderField] {
        try sign(body: request.body, secrets: secrets, timestamp: timestamp, id: id)
    }

    public func verify(_ request: SignedRequest, secrets: [String], now: Int64, tolerance: Int64)
        throws(SignatureFailure) {
        try verify(body: request.body, headers: request.headers, secrets: secrets, now: now, tolerance: tolerance)
    }

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

    /// The schemes that sign and verify with secrets and the body alone (outbound deliveries and
    /// the original inbound sources), in a stable order.
    public static let names = [
        CallingBoxSignature.schemeName, StandardWebhooksSignature.schemeName,
        InkboxSignature.schemeName, HeaderTokenSignature.schemeName,
    ]

    /// The voice providers' inbound schemes, in a stable order. Some need more than the body
    /// (Twilio the request URL) or keys rather than secrets (Telnyx); see ``SignatureScheme/credential``.
    public static let providerNames = [
        TwilioSignature.schemeName, TelnyxSignature.schemeName, VonageSignature.schemeName,
        RetellSignature.schemeName, VapiSignature.schemeName, ElevenLabsSignature.schemeName,
    ]

    /// Every name a source may configure: ``names`` then ``providerNames``.
    public static var allNames: [String] { names + providerNames }

    /// The asymmetric schemes that sign outbound deliveries with a key pair (an endpoint's choice,
    /// e.g. a OneInbox webhook's `"signature": "v1a"`) and that `switchboard sign`/`verify` take;
    /// not a source's scheme.
    public static let asymmetricNames = [StandardWebhooksV1aSignature.schemeName]

    /// The schemes that take an ``HMACPlan`` (Vapi's HMAC credential).
    public static let hmacPlanNames = [VapiSignature.schemeName]

    /// The scheme called `name`. `tokenHeader` is the header name for `header-token`, required
    /// there and refused by the other schemes; `hmacPlan` is for the schemes of ``hmacPlanNames``
    /// only and refused by the others.
    public static func scheme(named name: String, tokenHeader: String? = nil, hmacPlan: HMACPlan? = nil)
        throws(SignatureSchemeError) -> any SignatureScheme {
        if let hmacPlan {
            guard name == VapiSignature.schemeName else { throw .hmacPlanNotApplicable(scheme: name) }
            guard tokenHeader == nil else { throw .tokenHeaderNotApplicable(scheme: name) }
            return VapiSignature(hmac: hmacPlan)
        }
        if name == HeaderTokenSignature.schemeName {
            guard let tokenHeader else { throw .missingTokenHeader }
            return try HeaderTokenSignature(headerName: tokenHeader)
        }
        let scheme: any SignatureScheme
        switch name {
        case CallingBoxSignature.schemeName: scheme = CallingBoxSignature()
        case StandardWebhooksSignature.schemeName: scheme = StandardWebhooksSignature()
        case StandardWebhooksV1aSignature.schemeName: scheme = StandardWebhooksV1aSignature()
        case InkboxSignature.schemeName: scheme = InkboxSignature()
        case TwilioSignature.schemeName: scheme = TwilioSignature()
        case TelnyxSignature.schemeName: scheme = TelnyxSignature()
        case VonageSignature.schemeName: scheme = VonageSignature()
        case RetellSignature.schemeName: scheme = RetellSignature()
        case VapiSignature.schemeName: scheme = VapiSignature()
        case ElevenLabsSignature.schemeName: scheme = ElevenLabsSignature()
        default: throw .unknownScheme(name)
        }
        guard tokenHeader == nil else { throw .tokenHeaderNotApplicable(scheme: name) }
        return scheme
    }
}
