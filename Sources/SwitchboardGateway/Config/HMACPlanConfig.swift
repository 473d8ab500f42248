import SwitchboardCore

/// The `hmac` block of a source's `auth`, for the schemes that take an HMAC plan
/// (`SignatureSchemes.hmacPlanNames`: `vapi`), after Vapi's `HMACAuthenticationPlan`:
/// `{"secret", "algorithm"?, "signature_header"?, "timestamp_header"?, "include_timestamp"?,
/// "payload_format"?, "signature_prefix"?, "signature_encoding"?, "message_id_header"?,
/// "secret_is_base64"?}`. Only `secret` is required; the others default as Vapi's do.
///
/// The plan replaces the scheme's shared-secret check (Vapi sends one credential per server), so
/// `auth.secret`/`auth.secrets` are refused beside it; `hmac.secret` becomes the scheme's secret,
/// and `auth.secret_previous` rotates it as for the other schemes.
enum HMACPlanConfig {
    /// The HMAC secret and the plan of `block` (at `block.location`).
    static func parse(_ block: inout ConfigReader, scheme: String,
                      environment: [String: String]) throws -> (secret: String, plan: HMACPlan) {
        let at = block.location
        guard let secret = try block.secret("secret", environment: environment) else {
            throw ConfigError(at: "\(at).secret", "is required: the HMAC credential's secret key")
        }
        let plan = try parsePlan(&block)
        try block.finish()
        try check(secret, scheme: scheme, plan: plan, at: "\(at).secret")
        return (secret, plan)
    }

    /// The plan's keys of `block` (all but `secret`), not finishing it: also the JSON plan file of
    /// `switchboard sign`/`verify --hmac-plan`.
    static func parsePlan(_ block: inout ConfigReader) throws -> HMACPlan {
        let at = block.location.isEmpty ? "" : "\(block.location)."
        var algorithm = HMAC.Algorithm.sha256
        if let name = try block.string("algorithm") {
            guard let named = HMACPlan.algorithm(named: name) else {
                let known = HMACPlan.algorithmNames.map(\.0).joined(separator: ", ")
                throw ConfigError(at: "\(at)algorithm", "must be one of \(known), got \"\(name)\"")
            }
            algorithm = named
        }
        var encoding = HMACPlan.Encoding.hex
        if let name = try block.string("signature_encoding") {
            guard let named = HMACPlan.Encoding(rawValue: name) else {
                throw ConfigError(at: "\(at)signature_encoding", "must be \"hex\" or \"base64\", got \"\(name)\"")
            }
            encoding = named
        }
        do {
            return try HMACPlan(algorithm: algorithm, signatureHeader: try block.string("signature_header"),
                                timestampHeader: try block.string("timestamp_header"),
                                includeTimestamp: try block.bool("include_timestamp") ?? true,
                                payloadFormat: try block.string("payload_format"),
                                signaturePrefix: try block.string("signature_prefix") ?? "",
                                signatureEncoding: encoding, messageIdHeader: try block.string("message_id_header"),
                                secretIsBase64: try block.bool("secret_is_base64") ?? false)
        } catch let error as HMACPlanError {
            throw ConfigError(at: "\(at)\(error.option)", error.problem)
        }
    }

    /// A secret the plan can key with (base64 when `secret_is_base64`), else a `ConfigError` at `key`.
    static func check(_ secret: String, scheme name: String, plan: HMACPlan, at key: String) throws {
        do {
            let scheme = try SignatureSchemes.scheme(named: name, hmacPlan: plan)
            try scheme.verify(SignedRequest(body: []), secrets: [secret], now: 1, tolerance: 0)
        } catch let failure as SignatureFailure {
            if case .invalidSecret(let problem) = failure { throw ConfigError(at: key, "not usable: \(problem)") }
        }
    }
}
