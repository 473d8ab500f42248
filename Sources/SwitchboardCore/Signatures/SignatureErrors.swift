/// Why a request's signature was not accepted. Every verification either returns normally (the
/// request is authentic and fresh) or throws exactly one of these, naming the first problem found.
///
/// Checks run in a fixed order: configured secrets, headers (presence, then syntax), timestamp
/// window, signature. The descriptions are one line and safe to log: they never contain a secret
/// or an expected signature.
public enum SignatureFailure: Error, Sendable, Equatable {
    /// No secret is configured, so nothing can be verified.
    case noSecretConfigured
    /// A configured secret cannot be used by this scheme (for example not base64 where the scheme
    /// requires it). `problem` says what is wrong without quoting the secret.
    case invalidSecret(problem: String)
    /// A header the scheme requires is absent (names compare without regard to case).
    case missingHeader(String)
    /// A required header is present but unusable: repeated, empty, or not in the scheme's syntax.
    case malformedHeader(name: String, problem: String)
    /// The signed timestamp is more than `tolerance` seconds in the past (`age` seconds old).
    case staleTimestamp(age: Int64, tolerance: Int64)
    /// The signed timestamp is more than `tolerance` seconds in the future (`ahead` seconds).
    case futureTimestamp(ahead: Int64, tolerance: Int64)
    /// The headers are well formed and fresh, but no signature matches any configured secret.
    case signatureMismatch
    /// No signature matches, for a reason the scheme states: the URL a Twilio signature was
    /// checked against, a body hash that differs from the one signed, and the like.
    case mismatch(detail: String)
    /// The scheme signs the request URL and none is known (no public URL configured).
    case urlRequired
    /// The signed token carries an expiry (`exp`, Unix seconds) that has passed.
    case tokenExpired(at: Int64)
    /// The HMAC or digest computation itself failed (OpenSSL); not a verdict on the request.
    case cryptoFailure(CryptoError)
}

extension SignatureFailure: CustomStringConvertible {
    public var description: String {
        switch self {
        case .noSecretConfigured:
            return "no signing secret is configured"
        case .invalidSecret(let problem):
            return "invalid signing secret: \(problem)"
        case .missingHeader(let name):
            return "missing header \(name)"
        case .malformedHeader(let name, let problem):
            return "malformed header \(name): \(problem)"
        case .staleTimestamp(let age, let tolerance):
            return "stale timestamp: signed \(age) s ago, outside the \(tolerance) s tolerance"
        case .futureTimestamp(let ahead, let tolerance):
            return "timestamp \(ahead) s in the future, outside the \(tolerance) s tolerance"
        case .signatureMismatch:
            return "signature mismatch: no signature matches a configured secret"
        case .mismatch(let detail):
            return "signature mismatch: \(detail)"
        case .urlRequired:
            return "no public URL is configured to check the signature against"
        case .tokenExpired(let expiry):
            return "timestamp outside tolerance: the token expired at \(expiry)"
        case .cryptoFailure(let error):
            return "signature computation failed: \(error)"
        }
    }
}

/// A problem in choosing or configuring a scheme, or in the inputs given to signing. These are
/// caller mistakes (or a crypto library failure), never a verdict on a received request.
public enum SignatureSchemeError: Error, Sendable, Equatable {
    /// No scheme has this name; ``SignatureSchemes/names`` lists the known ones.
    case unknownScheme(String)
    /// `header-token` needs the name of the header that carries the token.
    case missingTokenHeader
    /// A token header name was given to a scheme that does not use one.
    case tokenHeaderNotApplicable(scheme: String)
    /// An HMAC plan was given to a scheme that does not take one (``SignatureSchemes/hmacPlanNames``).
    case hmacPlanNotApplicable(scheme: String)
    /// The header name is not an RFC 9110 token.
    case invalidHeaderName(String)
    /// Signing needs at least one secret.
    case noSecret
    /// A secret cannot be used by this scheme; `problem` says why without quoting it.
    case invalidSecret(problem: String)
    /// The scheme's header carries fewer signatures than the number of secrets given.
    case tooManySecrets(scheme: String, limit: Int)
    /// The scheme signs a message id, and none was given.
    case missingMessageID(scheme: String)
    /// A value that would go into a header cannot be sent (line breaks, control characters,
    /// surrounding whitespace, empty).
    case invalidHeaderValue(name: String, problem: String)
    /// A negative signing timestamp.
    case invalidTimestamp(Int64)
    /// The scheme signs the request URL and none was given, or it is unusable; `problem` says which.
    case invalidURL(scheme: String, problem: String)
    /// The HMAC computation failed (OpenSSL).
    case cryptoFailure(CryptoError)
}

extension SignatureSchemeError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unknownScheme(let name):
            return "unknown signature scheme '\(name)' (known: \((SignatureSchemes.allNames + SignatureSchemes.asymmetricNames).joined(separator: ", ")))"
        case .missingTokenHeader:
            return "the header-token scheme needs the name of its header"
        case .tokenHeaderNotApplicable(let scheme):
            return "the \(scheme) scheme does not take a token header name"
        case .hmacPlanNotApplicable(let scheme):
            return "the \(scheme) scheme does not take an HMAC plan (only \(SignatureSchemes.hmacPlanNames.joined(separator: ", ")))"
        case .invalidHeaderName(let name):
            return "'\(name)' is not a valid header name"
        case .noSecret:
            return "no secret given"
        case .invalidSecret(let problem):
            return "invalid secret: \(problem)"
        case .tooManySecrets(let scheme, let limit):
            return "the \(scheme) scheme signs with at most \(limit) secret\(limit == 1 ? "" : "s")"
        case .missingMessageID(let scheme):
            return "the \(scheme) scheme needs a message id"
        case .invalidHeaderValue(let name, let problem):
            return "cannot send header \(name): \(problem)"
        case .invalidTimestamp(let timestamp):
            return "invalid timestamp \(timestamp): must not be negative"
        case .invalidURL(let scheme, let problem):
            return "the \(scheme) scheme signs the request URL: \(problem)"
        case .cryptoFailure(let error):
            return "signature computation failed: \(error)"
        }
    }
}
