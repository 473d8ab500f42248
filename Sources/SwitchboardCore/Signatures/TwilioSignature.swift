/// Twilio's scheme, as `twilio` 9.13.0's `RequestValidator` checks it: `X-Twilio-Signature` is
/// the base64 HMAC-SHA1, keyed with the auth token, of the URL Twilio requested followed by the
/// form parameters sorted by name, each written as name then value with no separators.
///
/// - URL: the public URL the sender dialled (``SignedRequest/url``), query as sent. As the SDK
///   does, the signature may cover it with the default port added (`:443`, `:80`) or with any
///   port removed; both are tried.
/// - Parameters: the raw body decoded as `application/x-www-form-urlencoded` (``FormURLEncoding``);
///   names sorted by code point; a repeated name contributes each distinct value, sorted. An
///   empty body (GET, parameters in the URL) contributes nothing.
/// - JSON bodies: when the URL's query has `bodySHA256`, no parameters are appended and the
///   lowercase hex SHA-256 of the raw body must equal that value.
/// - SharedKey variant: `X-Twilio-Webhooks-Signature-Settings: key=…,algorithm=HMAC_SHA256`
///   selects HMAC-SHA256 (the configured secret is then the SharedKey's); a missing header or
///   one without `algorithm=` means HMAC-SHA1; another algorithm is refused.
/// - No timestamp: a captured request can be replayed.
public struct TwilioSignature: SignatureScheme {
    /// The registry name.
    public static let schemeName = "twilio"
    /// The signature header.
    public static let headerName = "X-Twilio-Signature"
    /// The header naming the SharedKey algorithm.
    public static let settingsHeader = "X-Twilio-Webhooks-Signature-Settings"
    /// The URL query parameter carrying the SHA-256 of a JSON body.
    public static let bodyHashParameter = "bodySHA256"

    public var name: String { Self.schemeName }
    public var needsMessageID: Bool { false }
    public var usesTimestamp: Bool { false }
    public var needsURL: Bool { true }

    public init() {}

    public func sign(body: [UInt8], secrets: [String], timestamp: Int64, id: String?) throws(SignatureSchemeError)
        -> [HeaderField] {
        try sign(SignedRequest(body: body), secrets: secrets, timestamp: timestamp, id: id)
    }

    public func verify(body: [UInt8], headers: [HeaderField], secrets: [String], now: Int64, tolerance: Int64)
        throws(SignatureFailure) {
        try verify(SignedRequest(body: body, headers: headers), secrets: secrets, now: now, tolerance: tolerance)
    }

    /// Signs with HMAC-SHA1 and exactly one auth token. A URL with `bodySHA256` must carry the
    /// hash of the body.
    public func sign(_ request: SignedRequest, secrets: [String], timestamp: Int64, id: String?)
        throws(SignatureSchemeError) -> [HeaderField] {
        guard let token = secrets.first else { throw .noSecret }
        guard secrets.count == 1 else { throw .tooManySecrets(scheme: name, limit: 1) }
        guard !token.isEmpty else { throw .invalidSecret(problem: "the auth token is empty") }
        guard let text = request.url else { throw .invalidURL(scheme: name, problem: "no URL given") }
        guard let url = RequestURL(text) else {
            throw .invalidURL(scheme: name, problem: "'\(text)' is not an absolute http or https URL")
        }
        let content: [UInt8]
        do {
            content = try Self.signedText(url: text, parsed: url, body: request.body)
        } catch {
            throw .invalidURL(scheme: name, problem: "its \(Self.bodyHashParameter) is not the SHA-256 of the body")
        }
        do {
            let code = try HMAC.authenticationCode(.sha1, key: Array(token.utf8), message: content)
            return [HeaderField(Self.headerName, Base64.encode(code))]
        } catch {
            throw .cryptoFailure(error)
        }
    }

    public func verify(_ request: SignedRequest, secrets: [String], now: Int64, tolerance: Int64)
        throws(SignatureFailure) {
        guard !secrets.isEmpty else { throw .noSecretConfigured }
        guard !secrets.contains(where: \.isEmpty) else { throw .invalidSecret(problem: "the auth token is empty") }
        guard let text = request.url else { throw .urlRequired }
        guard let url = RequestURL(text) else {
            throw .mismatch(detail: "the URL '\(text)' to check against is not an absolute http or https URL")
        }
        let received = ReceivedHeaders(fields: request.headers)
        let algorithm = try Self.algorithm(received)
        let signatureText = try received.single(Self.headerName)
        guard let signature = try? Base64.decode(signatureText), signature.count == algorithm.codeLength else {
            throw .malformedHeader(name: Self.headerName,
                                   problem: "not base64 of a \(algorithm.codeLength)-byte HMAC-\(algorithm.rawValue)")
        }
        var matched = false
        for variant in [url.withoutPort, url.withDefaultPort] {
            let content: [UInt8]
            do { content = try Self.signedText(url: variant, parsed: url, body: request.body) } catch {
                throw .mismatch(detail: "\(Self.bodyHashParameter) in \(text) is not the SHA-256 of the body")
            }
            for token in secrets {
                let code: [UInt8]
                do { code = try HMAC.authenticationCode(algorithm, key: Array(token.utf8), message: content) } catch {
                    throw .cryptoFailure(error)
                }
                if ConstantTime.equals(code, signature) { matched = true }
            }
        }
        guard matched else { throw .mismatch(detail: "no \(Self.headerName) over \(text) matches a configured auth token") }
    }

    /// Thrown by ``signedText(url:parsed:body:)`` when `bodySHA256` does not match the body.
    struct BodyHashMismatch: Error {}

    /// The text the HMAC covers: `url` followed by the sorted form parameters of `body`, or
    /// `url` alone when its query carries `bodySHA256` (which must then be the body's hash).
    static func signedText(url: String, parsed: RequestURL, body: [UInt8]) throws(BodyHashMismatch) -> [UInt8] {
        if let bodyHash = parsed.queryValue(bodyHashParameter) {
            guard let digest = try? Digest.sha256(body),
                  ConstantTime.equals(Array(Hex.encode(digest).utf8), Array(bodyHash.utf8)) else { throw BodyHashMismatch() }
            return Array(url.utf8)
        }
        var text = Array(url.utf8)
        var values: [[UInt8]: Set<[UInt8]>] = [:]
        for (name, value) in FormURLEncoding.decode(body) {
            values[Array(name.utf8), default: []].insert(Array(value.utf8))
        }
        for name in values.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            for value in (values[name] ?? []).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                text += name
                text += value
            }
        }
        return text
    }

    /// The HMAC named by the settings header (HMAC-SHA1 when absent or silent).
    static func algorithm(_ received: ReceivedHeaders) throws(SignatureFailure) -> HMAC.Algorithm {
        guard received.has(settingsHeader) else { return .sha1 }
        let value = try received.single(settingsHeader)
        for part in HeaderText.split(value, on: UInt8(ascii: ",")) {
            guard let (key, text) = HeaderText.partition(part, at: UInt8(ascii: "=")),
                  HeaderText.trimmed(key) == "algorithm", !HeaderText.trimmed(text).isEmpty else { continue }
            switch HeaderText.trimmed(text).uppercased() {
            case "HMAC_SHA1": return .sha1
            case "HMAC_SHA256": return .sha256
            default: throw .malformedHeader(name: settingsHeader, problem: "unsupported algorithm '\(HeaderText.trimmed(text))'")
            }
        }
        return .sha1
    }
}
