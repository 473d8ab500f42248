/// Vapi's server-URL credential: the configured secret, sent by Vapi either in `X-Vapi-Secret`
/// (the server URL's inline secret, a Bearer credential without prefix) or as
/// `Authorization: Bearer <secret>` (a Bearer credential). `X-Vapi-Secret` wins when both are
/// present. Compared as SHA-256 digests in constant time, as ``HeaderTokenSignature`` does.
/// No timestamp and no body binding: a captured request can be replayed.
///
/// With an ``HMACPlan`` (Vapi's HMAC credential) the plan replaces the shared-secret check: Vapi
/// sends one credential per server (the one its `credentialId` names), so a request carries
/// either the Bearer secret or the HMAC signature, never both. The secrets are then the HMAC
/// keys; see `VapiSignature+HMAC.swift`.
public struct VapiSignature: SignatureScheme {
    /// The registry name.
    public static let schemeName = "vapi"
    /// The inline-secret header.
    public static let secretHeader = "X-Vapi-Secret"
    /// The Bearer credential header.
    public static let authorizationHeader = "Authorization"

    /// The HMAC credential's plan, or nil for the Bearer / inline secret.
    public let hmac: HMACPlan?

    public var name: String { Self.schemeName }
    public var needsMessageID: Bool { hmac?.signsMessageID ?? false }
    public var usesTimestamp: Bool { hmac?.includeTimestamp ?? false }
    public var needsURL: Bool { hmac?.signsURL ?? false }
    /// The Bearer / inline secret is a header alone; the HMAC plan signs the body.
    public var signsBody: Bool { hmac != nil }

    public init(hmac: HMACPlan? = nil) {
        self.hmac = hmac
    }

    /// Writes `X-Vapi-Secret` with the one secret (as ``HeaderTokenSignature`` writes its header),
    /// or with a plan its signature headers (see ``sign(_:secrets:timestamp:id:)``).
    public func sign(body: [UInt8], secrets: [String], timestamp: Int64, id: String?) throws(SignatureSchemeError)
        -> [HeaderField] {
        try sign(SignedRequest(body: body), secrets: secrets, timestamp: timestamp, id: id)
    }

    public func verify(body: [UInt8], headers: [HeaderField], secrets: [String], now: Int64, tolerance: Int64)
        throws(SignatureFailure) {
        try verify(SignedRequest(body: body, headers: headers), secrets: secrets, now: now, tolerance: tolerance)
    }

    public func sign(_ request: SignedRequest, secrets: [String], timestamp: Int64, id: String?)
        throws(SignatureSchemeError) -> [HeaderField] {
        if let hmac { return try Self.sign(request, plan: hmac, secrets: secrets, timestamp: timestamp, id: id) }
        return try HeaderTokenSignature(headerName: Self.secretHeader)
            .sign(body: request.body, secrets: secrets, timestamp: timestamp, id: id)
    }

    public func verify(_ request: SignedRequest, secrets: [String], now: Int64, tolerance: Int64)
        throws(SignatureFailure) {
        if let hmac { return try Self.verify(request, plan: hmac, secrets: secrets, now: now, tolerance: tolerance) }
        guard !secrets.isEmpty else { throw .noSecretConfigured }
        guard !secrets.contains(where: \.isEmpty) else { throw .invalidSecret(problem: "the secret is empty") }
        let received = ReceivedHeaders(fields: request.headers)
        let credential: Substring
        if received.has(Self.secretHeader) {
            credential = try received.single(Self.secretHeader)
        } else if received.has(Self.authorizationHeader) {
            credential = try HeaderText.bearerCredential(try received.single(Self.authorizationHeader),
                                                         header: Self.authorizationHeader)
        } else {
            throw .missingHeader("\(Self.secretHeader) (or \(Self.authorizationHeader): Bearer)")
        }
        try HeaderTokenSignature.requireMatch(credential, secrets: secrets)
    }
}
