import Testing
@testable import SwitchboardCore

/// The `vapi` scheme with an ``HMACPlan``: each option, the defaults, every failure. The expected
/// signatures were computed independently with Python's `hmac` module (values in comments).
@Suite("Vapi HMAC plan")
struct VapiHMACPlanTests {
    static let body = Array(#"{"message":{"type":"end-of-call-report"}}"#.utf8)
    static let secret = "vapi-hmac-secret"
    static let time: Int64 = 1_767_225_600
    static let url = "https://hooks.example.com/v1/ingest/vapi"

    static func request(_ headers: [HeaderField], body: [UInt8] = body, url: String? = nil) -> SignedRequest {
        SignedRequest(body: body, headers: headers, url: url, method: "POST")
    }

    @Test func defaultsAreVapis() throws {
        let plan = try HMACPlan()
        #expect(plan.algorithm == .sha256)
        #expect(plan.signatureHeader == "x-signature")
        #expect(plan.timestampHeader == "x-timestamp")
        #expect(plan.includeTimestamp)
        #expect(plan.payloadFormat == "{timestamp}.{body}")
        #expect(plan.signaturePrefix.isEmpty)
        #expect(plan.signatureEncoding == .hex)
        #expect(plan.messageIdHeader == nil)
        #expect(!plan.secretIsBase64)
        #expect(try HMACPlan(includeTimestamp: false).payloadFormat == "{body}")
        #expect(HMACPlan.algorithm(named: "sha512") == .sha512)
        #expect(HMACPlan.algorithm(named: "SHA256") == nil)
    }

    /// hmac.new(b"vapi-hmac-secret", b"1767225600." + body, sha256).hexdigest()
    @Test func defaultPlanVerifiesAnIndependentVector() throws {
        let scheme = VapiSignature(hmac: try HMACPlan())
        let headers = [HeaderField("X-Timestamp", "1767225600"),
                       HeaderField("X-Signature", "f2b2cb68b3edc1ab3f857302ebee5cfa7353d158a9bfa8a64469010475ecebb8")]
        try scheme.verify(Self.request(headers), secrets: [Self.secret], now: Self.time + 10, tolerance: 300)
        #expect(try scheme.sign(Self.request([]), secrets: [Self.secret], timestamp: Self.time, id: nil) == headers.map {
            HeaderField($0.name.lowercased(), $0.value)
        })
        #expect(scheme.usesTimestamp && !scheme.needsURL && !scheme.needsMessageID)
        #expect(scheme.signsBody && !VapiSignature().signsBody)
    }

    /// The same with milliseconds: hmac.new(key, b"1767225600000." + body, sha256).hexdigest()
    @Test func millisecondTimestampsAreAccepted() throws {
        let scheme = VapiSignature(hmac: try HMACPlan())
        let headers = [HeaderField("x-timestamp", "1767225600000"),
                       HeaderField("x-signature", "19fecb33b780595befd40971521495a9861b8aabeb46bb6e4f60fe785484d2b2")]
        try scheme.verify(Self.request(headers), secrets: [Self.secret], now: Self.time + 299, tolerance: 300)
        #expect(throws: SignatureFailure.staleTimestamp(age: 301, tolerance: 300)) {
            try scheme.verify(Self.request(headers), secrets: [Self.secret], now: Self.time + 301, tolerance: 300)
        }
    }

    /// `sha256=` prefix: "sha256=" + the default vector.
    @Test func prefixIsPartOfTheHeader() throws {
        let scheme = VapiSignature(hmac: try HMACPlan(signaturePrefix: "sha256="))
        let hex = "f2b2cb68b3edc1ab3f857302ebee5cfa7353d158a9bfa8a64469010475ecebb8"
        try scheme.verify(Self.request([HeaderField("x-timestamp", "1767225600"), HeaderField("x-signature", "sha256=" + hex)]),
                          secrets: [Self.secret], now: Self.time, tolerance: 300)
        #expect(throws: SignatureFailure.signatureMismatch) {
            try scheme.verify(Self.request([HeaderField("x-timestamp", "1767225600"), HeaderField("x-signature", hex)]),
                              secrets: [Self.secret], now: Self.time, tolerance: 300)
        }
    }

    /// Every placeholder, SHA-512, base64, a base64 secret and custom headers:
    /// key = b64decode("c2VjcmV0LWtleS1ieXRlcw=="), message = b"POST <url> msg_1 1767225600 " + body.
    @Test func everyOptionTogether() throws {
        let plan = try HMACPlan(algorithm: .sha512, signatureHeader: "x-vapi-hmac", timestampHeader: "x-sent-at",
                                payloadFormat: "{method} {url} {svix-id} {timestamp} {body}", signatureEncoding: .base64,
                                messageIdHeader: "svix-id", secretIsBase64: true)
        let scheme = VapiSignature(hmac: plan)
        #expect(scheme.needsURL && scheme.needsMessageID)
        let signature = "Iq7ERFdBwVH+Un3I7FMjBzcI8yqrMOPsxWr/srzjoDVKlpSYKKipXnQAR/mhMIAw9M6hAKMazdZwvpaT3ujMkA=="
        let headers = [HeaderField("x-sent-at", "1767225600"), HeaderField("svix-id", "msg_1"), HeaderField("x-vapi-hmac", signature)]
        try scheme.verify(Self.request(headers, url: Self.url), secrets: ["c2VjcmV0LWtleS1ieXRlcw=="], now: Self.time, tolerance: 300)
        let signed = try scheme.sign(SignedRequest(body: Self.body, url: Self.url), secrets: ["c2VjcmV0LWtleS1ieXRlcw=="],
                                     timestamp: Self.time, id: "msg_1")
        #expect(signed == headers)
        #expect(throws: SignatureFailure.signatureMismatch) {
            var put = Self.request(headers, url: Self.url)
            put.method = "PUT"
            try scheme.verify(put, secrets: ["c2VjcmV0LWtleS1ieXRlcw=="], now: Self.time, tolerance: 300)
        }
        #expect(throws: SignatureFailure.urlRequired) {
            try scheme.verify(Self.request(headers), secrets: ["c2VjcmV0LWtleS1ieXRlcw=="], now: Self.time, tolerance: 300)
        }
        #expect(throws: SignatureFailure.missingHeader("svix-id")) {
            try scheme.verify(Self.request([headers[0], headers[2]], url: Self.url), secrets: ["c2VjcmV0LWtleS1ieXRlcw=="],
                              now: Self.time, tolerance: 300)
        }
    }

    /// No timestamp: the body alone, SHA-1 hex: hmac.new(key, body, sha1).hexdigest().
    @Test func withoutTimestampTheBodyAloneIsSigned() throws {
        let scheme = VapiSignature(hmac: try HMACPlan(algorithm: .sha1, includeTimestamp: false))
        #expect(!scheme.usesTimestamp)
        let headers = [HeaderField("x-signature", "cc498b109ee9576bb6a2d17ca5edc580e2ef3913")]
        try scheme.verify(Self.request(headers), secrets: [Self.secret], now: 0, tolerance: 300)
        #expect(try scheme.sign(Self.request([]), secrets: [Self.secret], timestamp: Self.time, id: nil) == headers)
    }

    @Test func failuresAreNamed() throws {
        let scheme = VapiSignature(hmac: try HMACPlan())
        let signed = try scheme.sign(Self.request([]), secrets: [Self.secret], timestamp: Self.time, id: nil)
        #expect(throws: SignatureFailure.missingHeader("x-signature")) {
            try scheme.verify(Self.request([signed[0]]), secrets: [Self.secret], now: Self.time, tolerance: 300)
        }
        #expect(throws: SignatureFailure.missingHeader("x-timestamp")) {
            try scheme.verify(Self.request([signed[1]]), secrets: [Self.secret], now: Self.time, tolerance: 300)
        }
        #expect(throws: SignatureFailure.signatureMismatch) {
            try scheme.verify(Self.request(signed, body: Self.body + [0x20]), secrets: [Self.secret], now: Self.time, tolerance: 300)
        }
        #expect(throws: SignatureFailure.signatureMismatch) {
            try scheme.verify(Self.request(signed), secrets: ["other"], now: Self.time, tolerance: 300)
        }
        try scheme.verify(Self.request(signed), secrets: ["other", Self.secret], now: Self.time, tolerance: 300)
        #expect(throws: SignatureFailure.staleTimestamp(age: 301, tolerance: 300)) {
            try scheme.verify(Self.request(signed), secrets: [Self.secret], now: Self.time + 301, tolerance: 300)
        }
        #expect(throws: SignatureFailure.futureTimestamp(ahead: 301, tolerance: 300)) {
            try scheme.verify(Self.request(signed), secrets: [Self.secret], now: Self.time - 301, tolerance: 300)
        }
        #expect(throws: SignatureFailure.malformedHeader(
            name: "x-timestamp", problem: "timestamp '2026-01-01' is not a whole number of seconds or milliseconds")) {
            try scheme.verify(Self.request([HeaderField("x-timestamp", "2026-01-01"), signed[1]]), secrets: [Self.secret],
                              now: Self.time, tolerance: 300)
        }
        #expect(throws: SignatureFailure.noSecretConfigured) {
            try scheme.verify(Self.request(signed), secrets: [], now: Self.time, tolerance: 300)
        }
        #expect(throws: SignatureFailure.invalidSecret(problem: "the secret is empty")) {
            try scheme.verify(Self.request(signed), secrets: [""], now: Self.time, tolerance: 300)
        }
        let base64 = VapiSignature(hmac: try HMACPlan(secretIsBase64: true))
        #expect(throws: SignatureFailure.invalidSecret(problem: "the secret is not base64 (secret_is_base64 is true)")) {
            try base64.verify(Self.request(signed), secrets: ["not base64!"], now: Self.time, tolerance: 300)
        }
        // The Bearer credential does not pass an HMAC source: the plan replaces it.
        #expect(throws: SignatureFailure.missingHeader("x-signature")) {
            try scheme.verify(Self.request([HeaderField("X-Vapi-Secret", Self.secret)]), secrets: [Self.secret],
                              now: Self.time, tolerance: 300)
        }
    }

    @Test func signingRefusesWhatCannotBeSigned() throws {
        let scheme = VapiSignature(hmac: try HMACPlan(payloadFormat: "{url}{svix-id}{timestamp}{body}", messageIdHeader: "svix-id"))
        #expect(throws: SignatureSchemeError.invalidURL(scheme: "vapi", problem: "no URL given")) {
            try scheme.sign(Self.request([]), secrets: [Self.secret], timestamp: Self.time, id: "m")
        }
        #expect(throws: SignatureSchemeError.missingMessageID(scheme: "vapi")) {
            try scheme.sign(Self.request([], url: Self.url), secrets: [Self.secret], timestamp: Self.time, id: nil)
        }
        #expect(throws: SignatureSchemeError.tooManySecrets(scheme: "vapi", limit: 1)) {
            try scheme.sign(Self.request([], url: Self.url), secrets: ["a", "b"], timestamp: Self.time, id: "m")
        }
        #expect(throws: SignatureSchemeError.hmacPlanNotApplicable(scheme: "retell")) {
            try SignatureSchemes.scheme(named: "retell", hmacPlan: try HMACPlan())
        }
        #expect(try SignatureSchemes.scheme(named: "vapi", hmacPlan: try HMACPlan()).usesTimestamp)
    }

    @Test func plansThatCannotWorkAreRefused() {
        #expect(throws: HMACPlanError(option: "payload_format", "must contain {body}: otherwise the body is not signed")) {
            try HMACPlan(payloadFormat: "{timestamp}")
        }
        #expect(throws: HMACPlanError(option: "payload_format", "uses {timestamp} but include_timestamp is false")) {
            try HMACPlan(includeTimestamp: false, payloadFormat: "{timestamp}.{body}")
        }
        #expect(throws: HMACPlanError(option: "payload_format", "uses {svix-id}, which needs message_id_header")) {
            try HMACPlan(payloadFormat: "{svix-id}.{body}")
        }
        #expect(throws: HMACPlanError(option: "signature_header", "'bad header' is not a valid header name")) {
            try HMACPlan(signatureHeader: "bad header")
        }
        #expect(throws: HMACPlanError.self) { try HMACPlan(signaturePrefix: "sha256=\n") }
    }

    /// Placeholders are substituted in one pass: a `{timestamp}` inside the body stays literal, and
    /// unknown `{…}` text is literal.
    @Test func substitutionIsOnePass() throws {
        let plan = try HMACPlan(payloadFormat: "{other}:{timestamp}:{body}")
        let message = plan.message(body: Array("{timestamp}".utf8), timestamp: "12", method: "POST", url: nil, messageID: nil)
        #expect(String(decoding: message, as: UTF8.self) == "{other}:12:{timestamp}")
    }
}
