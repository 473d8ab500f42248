/// Vonage's signed webhooks: `Authorization: Bearer <JWT>`, HS256 (HMAC-SHA256 keyed with the
/// account's signature secret, UTF-8) over `base64url(header).base64url(claims)`, segments
/// base64url without padding. What `vonage-jwt` 1.1.5's `verify_signature` checks (PyJWT
/// `decode(…, algorithms='HS256')`), plus what it leaves to the receiver:
///
/// - `alg` must be `HS256` (`none`, RS256 and the rest are refused).
/// - `iat` (Unix seconds) is required and must lie within the tolerance of now, either way
///   (PyJWT refuses only a future `iat`); an `exp` that has passed is refused, as PyJWT does.
/// - `payload_hash` is required and must be the lowercase hex SHA-256 of the raw body.
///   (Vonage's own snippet hashes a compact re-serialisation of the parsed body; the raw body
///   is what this scheme checks, so a body Vonage sends re-formatted would not verify.)
/// - Signing writes `iat` (the timestamp), `jti` (the message id), `iss: "Vonage"` and
///   `payload_hash`, with exactly one secret.
public struct VonageSignature: SignatureScheme {
    /// The registry name.
    public static let schemeName = "vonage"
    /// The header carrying the token.
    public static let headerName = "Authorization"

    public var name: String { Self.schemeName }
    public var needsMessageID: Bool { true }
    public var usesTimestamp: Bool { true }

    public init() {}

    public func sign(body: [UInt8], secrets: [String], timestamp: Int64, id: String?) throws(SignatureSchemeError)
        -> [HeaderField] {
        let keys = try SigningKeys.forSigning(secrets, limit: 1, scheme: name, CallingBoxSignature.keyBytes)
        guard let id else { throw .missingMessageID(scheme: name) }
        let time = try SignedTimestamp.checkedForSigning(timestamp)
        let bodyHash: [UInt8]
        do { bodyHash = try Digest.sha256(body) } catch { throw .cryptoFailure(error) }
        let header: JSONValue = ["alg": "HS256", "typ": "JWT"]
        let claims: JSONValue = [
            "iat": .integer(time), "jti": .string(id), "iss": "Vonage", "payload_hash": .string(Hex.encode(bodyHash)),
        ]
        let signingInput = Base64URL.encode(JSONWriter.bytes(header)) + "." + Base64URL.encode(JSONWriter.bytes(claims))
        let codes = try keys.signingCodes(forParts: [Array(signingInput.utf8)])
        return [HeaderField(Self.headerName, "Bearer \(signingInput).\(Base64URL.encode(codes[0]))")]
    }

    public func verify(body: [UInt8], headers: [HeaderField], secrets: [String], now: Int64, tolerance: Int64)
        throws(SignatureFailure) {
        let keys = try SigningKeys.forVerifying(secrets, CallingBoxSignature.keyBytes)
        let token = try HeaderText.bearerCredential(try ReceivedHeaders(fields: headers).single(Self.headerName),
                                                    header: Self.headerName)
        let segments = HeaderText.split(token, on: UInt8(ascii: "."))
        guard segments.count == 3 else { throw Self.malformed("the token is not three base64url segments") }
        let header = try Self.object(segments[0], "header")
        guard header["alg"]?.stringValue == "HS256" else { throw Self.malformed("the token's alg is not HS256") }
        let claims = try Self.object(segments[1], "claims")
        guard let signature = try? Base64URL.decode(segments[2]), signature.count == HMACSHA256Key.codeLength else {
            throw Self.malformed("the token's signature is not base64url of 32 bytes")
        }
        guard let issuedAt = claims["iat"]?.integerValue else { throw Self.malformed("the token has no numeric iat") }
        try SignedTimestamp.checkFreshness(issuedAt, now: now, tolerance: tolerance)
        if let expiry = claims["exp"] {
            guard let seconds = expiry.integerValue else { throw Self.malformed("the token's exp is not a number") }
            guard now < seconds else { throw .tokenExpired(at: seconds) }
        }
        let signingInput = Array(segments[0].utf8) + [UInt8(ascii: ".")] + Array(segments[1].utf8)
        try keys.requireMatch(parts: [signingInput], candidates: [signature])
        guard let payloadHash = claims["payload_hash"]?.stringValue else {
            throw Self.malformed("the token has no payload_hash")
        }
        let bodyHash: [UInt8]
        do { bodyHash = try Digest.sha256(body) } catch { throw .cryptoFailure(error) }
        guard ConstantTime.equals(Array(Hex.encode(bodyHash).utf8), Array(payloadHash.utf8)) else {
            throw .mismatch(detail: "the token's payload_hash is not the SHA-256 of the body")
        }
    }

    /// The JSON object in a base64url token segment.
    private static func object(_ segment: Substring, _ what: String) throws(SignatureFailure) -> JSONValue {
        guard let bytes = try? Base64URL.decode(segment), let value = try? JSONReader.parse(bytes),
              value.objectValue != nil else {
            throw malformed("the token's \(what) is not base64url of a JSON object")
        }
        return value
    }

    private static func malformed(_ problem: String) -> SignatureFailure {
        .malformedHeader(name: headerName, problem: problem)
    }
}
