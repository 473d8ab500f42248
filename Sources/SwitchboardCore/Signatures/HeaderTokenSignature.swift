/// A shared token in a header of the integrator's choosing (Salpre's "Additional Headers"): the
/// configured header must equal a configured value. No timestamp, no body binding: it proves
/// only that the sender knows the token, and a captured request can be replayed.
///
/// - Signing writes the header with the one secret as its value; the secret must be a valid
///   header value (no control characters, no surrounding whitespace).
/// - Verification accepts when the header's value (spaces and tabs around it removed) equals any
///   configured secret. The comparison is of the SHA-256 digests of the two texts, in constant
///   time, so neither the token's content nor its length shows in the timing.
public struct HeaderTokenSignature: SignatureScheme {
    /// The registry name.
    public static let schemeName = "header-token"

    /// The header that carries the token.
    public let headerName: String

    public var name: String { Self.schemeName }
    public var needsMessageID: Bool { false }
    public var usesTimestamp: Bool { false }

    /// A scheme reading the token from `headerName`, which must be an RFC 9110 token.
    public init(headerName: String) throws(SignatureSchemeError) {
        guard HTTPToken.isToken(headerName) else { throw .invalidHeaderName(headerName) }
        self.headerName = headerName
    }

    public func sign(body: [UInt8], secrets: [String], timestamp: Int64, id: String?) throws(SignatureSchemeError)
        -> [HeaderField] {
        guard let token = secrets.first else { throw .noSecret }
        guard secrets.count == 1 else { throw .tooManySecrets(scheme: name, limit: 1) }
        guard HeaderText.problem(withValue: token) == nil else {
            throw .invalidSecret(problem: "the token is not a valid header value")
        }
        return [HeaderField(headerName, token)]
    }

    public func verify(body: [UInt8], headers: [HeaderField], secrets: [String], now: Int64, tolerance: Int64)
        throws(SignatureFailure) {
        guard !secrets.isEmpty else { throw .noSecretConfigured }
        guard !secrets.contains(where: \.isEmpty) else { throw .invalidSecret(problem: "the token is empty") }
        try Self.requireMatch(try ReceivedHeaders(fields: headers).single(headerName), secrets: secrets)
    }

    /// Returns when `received` equals one of `secrets`, compared as SHA-256 digests in constant
    /// time (every secret is compared); else throws ``SignatureFailure/signatureMismatch``.
    static func requireMatch(_ received: Substring, secrets: [String]) throws(SignatureFailure) {
        let digest = try Self.sha256(received)
        var matched = false
        for secret in secrets {
            if ConstantTime.equals(try Self.sha256(secret[...]), digest) { matched = true }
        }
        guard matched else { throw .signatureMismatch }
    }

    private static func sha256(_ text: Substring) throws(SignatureFailure) -> [UInt8] {
        do { return try Digest.sha256(Array(text.utf8)) } catch { throw .cryptoFailure(error) }
    }
}
