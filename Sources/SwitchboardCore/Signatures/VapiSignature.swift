/// Vapi's server-URL credential: the configured secret, sent by Vapi either in `X-Vapi-Secret`
/// (the server URL's inline secret, a Bearer credential without prefix) or as
/// `Authorization: Bearer <secret>` (a Bearer credential). `X-Vapi-Secret` wins when both are
/// present. Compared as SHA-256 digests in constant time, as ``HeaderTokenSignature`` does.
///
/// No timestamp and no body binding: a captured request can be replayed. Vapi's optional HMAC
/// credential (`HMACAuthenticationPlan`) is not implemented: what it signs by default (the
/// exact body bytes and timestamp text) is not documented well enough to check.
public struct VapiSignature: SignatureScheme {
    /// The registry name.
    public static let schemeName = "vapi"
    /// The inline-secret header.
    public static let secretHeader = "X-Vapi-Secret"
    /// The Bearer credential header.
    public static let authorizationHeader = "Authorization"

    public var name: String { Self.schemeName }
    public var needsMessageID: Bool { false }
    public var usesTimestamp: Bool { false }

    public init() {}

    /// Writes `X-Vapi-Secret` with the one secret (as ``HeaderTokenSignature`` writes its header).
    public func sign(body: [UInt8], secrets: [String], timestamp: Int64, id: String?) throws(SignatureSchemeError)
        -> [HeaderField] {
        try HeaderTokenSignature(headerName: Self.secretHeader).sign(body: body, secrets: secrets, timestamp: timestamp, id: id)
    }

    public func verify(body: [UInt8], headers: [HeaderField], secrets: [String], now: Int64, tolerance: Int64)
        throws(SignatureFailure) {
        guard !secrets.isEmpty else { throw .noSecretConfigured }
        guard !secrets.contains(where: \.isEmpty) else { throw .invalidSecret(problem: "the secret is empty") }
        let received = ReceivedHeaders(fields: headers)
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
