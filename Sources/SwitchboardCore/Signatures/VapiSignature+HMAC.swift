/// Vapi's HMAC credential (``HMACPlan``): `signatureHeader` carries `signaturePrefix` + the hex or
/// base64 HMAC, keyed with the secret, of the plan's payload format.
///
/// - Timestamp (with `includeTimestamp`): whole Unix time in the timestamp header, signed as the
///   text received. Vapi does not document its unit, so both are read: a value of 11 or more
///   digits (≥ 10^11, i.e. after 1973 in milliseconds, after year 5138 in seconds) is milliseconds,
///   anything shorter seconds. The freshness window is the scheme's tolerance, either way.
///   Signing writes seconds.
/// - Comparison: the whole header text (prefix included) with the expected text, in constant
///   time, for every configured secret; hex is lowercase, as Node's `digest('hex')` writes it.
/// - `{method}` is the request's (nil: `POST`, what Vapi sends); `{url}` needs the public URL.
extension VapiSignature {
    /// Values from 10^11 up are milliseconds (see above).
    static let millisecondThreshold: Int64 = 100_000_000_000

    static func sign(_ request: SignedRequest, plan: HMACPlan, secrets: [String], timestamp: Int64, id: String?)
        throws(SignatureSchemeError) -> [HeaderField] {
        guard let secret = secrets.first else { throw .noSecret }
        guard secrets.count == 1 else { throw .tooManySecrets(scheme: schemeName, limit: 1) }
        let key: [UInt8]
        switch plan.key(secret) {
        case .success(let bytes): key = bytes
        case .failure(let error): throw .invalidSecret(problem: error.problem)
        }
        if plan.signsURL, request.url == nil { throw .invalidURL(scheme: schemeName, problem: "no URL given") }
        if plan.signsMessageID, id == nil { throw .missingMessageID(scheme: schemeName) }
        var headers: [HeaderField] = []
        var time: String?
        if plan.includeTimestamp {
            let text = "\(try SignedTimestamp.checkedForSigning(timestamp))"
            time = text
            headers.append(HeaderField(plan.timestampHeader, text))
        }
        if let header = plan.messageIdHeader, let id {
            headers.append(HeaderField(header, try HeaderText.checked(id, for: header)))
        }
        let message = plan.message(body: request.body, timestamp: time?[...], method: request.method ?? "POST",
                                   url: request.url, messageID: id?[...])
        do {
            let code = try HMAC.authenticationCode(plan.algorithm, key: key, message: message)
            headers.append(HeaderField(plan.signatureHeader, plan.headerValue(code)))
        } catch {
            throw .cryptoFailure(error)
        }
        return headers
    }

    static func verify(_ request: SignedRequest, plan: HMACPlan, secrets: [String], now: Int64, tolerance: Int64)
        throws(SignatureFailure) {
        guard !secrets.isEmpty else { throw .noSecretConfigured }
        var keys: [[UInt8]] = []
        for secret in secrets {
            switch plan.key(secret) {
            case .success(let bytes): keys.append(bytes)
            case .failure(let error): throw .invalidSecret(problem: error.problem)
            }
        }
        let received = ReceivedHeaders(fields: request.headers)
        let signature = try received.single(plan.signatureHeader)
        var timestampText: Substring?
        if plan.includeTimestamp { timestampText = try received.single(plan.timestampHeader) }
        var messageID: Substring?
        if plan.signsMessageID, let header = plan.messageIdHeader { messageID = try received.single(header) }
        if let timestampText {
            guard let value = SignedTimestamp.parse(timestampText) else {
                throw .malformedHeader(name: plan.timestampHeader,
                                       problem: "timestamp '\(timestampText)' is not a whole number of seconds or milliseconds")
            }
            let seconds = value >= millisecondThreshold ? value / 1000 : value
            try SignedTimestamp.checkFreshness(seconds, now: now, tolerance: tolerance)
        }
        if plan.signsURL, request.url == nil { throw .urlRequired }
        let message = plan.message(body: request.body, timestamp: timestampText, method: request.method ?? "POST",
                                   url: request.url, messageID: messageID)
        let candidate = Array(signature.utf8)
        var matched = false
        for key in keys {
            let code: [UInt8]
            do { code = try HMAC.authenticationCode(plan.algorithm, key: key, message: message) } catch {
                throw .cryptoFailure(error)
            }
            if ConstantTime.equals(Array(plan.headerValue(code).utf8), candidate) { matched = true }
        }
        guard matched else { throw .signatureMismatch }
    }
}
