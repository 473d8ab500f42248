import Testing
@testable import SwitchboardCore

/// Each provider scheme refuses a tampered body, a wrong secret or key, a stale timestamp, and a
/// missing or repeated header, with the precise failure.
@Suite("Provider signature failures")
struct ProviderSignatureFailureTests {
    typealias V = ProviderVectors

    /// One scheme's signed vector: what verifies, and the secret that must not.
    struct Case: Sendable, CustomStringConvertible {
        let scheme: any SignatureScheme
        let request: SignedRequest
        let secret: String
        let wrongSecret: String
        /// The header whose absence or repetition is reported.
        let header: String
        var description: String { scheme.name }
    }

    static let cases: [Case] = [
        Case(scheme: TwilioSignature(), request: SignedRequest(body: V.twilioT2Body,
             headers: [HeaderField("X-Twilio-Signature", "OJkaNGi1sxtotygY0qLjOT9L6MA=")], url: V.twilioT2URL),
             secret: V.twilioT2Token, wrongSecret: "12345", header: "X-Twilio-Signature"),
        Case(scheme: TelnyxSignature(), request: SignedRequest(body: V.telnyxBody, headers: [
            HeaderField("telnyx-timestamp", "1767225600"), HeaderField("telnyx-signature-ed25519", V.telnyxSignature)]),
             secret: V.telnyxPublicKey, wrongSecret: "dnKQbuc3/Wh5dP6nyPWLNoye+77d8l+AIGIrs6MrW3g=",
             header: "telnyx-signature-ed25519"),
        Case(scheme: VonageSignature(), request: SignedRequest(body: V.vonageBody,
             headers: [HeaderField("Authorization", "Bearer " + V.vonageToken)]),
             secret: V.vonageSecret, wrongSecret: "another-secret", header: "Authorization"),
        Case(scheme: RetellSignature(), request: SignedRequest(body: V.retellBody,
             headers: [HeaderField("x-retell-signature", V.retellSignature)]),
             secret: V.retellKey, wrongSecret: "key_other", header: "x-retell-signature"),
        Case(scheme: ElevenLabsSignature(), request: SignedRequest(body: V.elevenLabsBody,
             headers: [HeaderField("ElevenLabs-Signature", V.elevenLabsSignature)]),
             secret: V.elevenLabsSecret, wrongSecret: "wsec_other", header: "ElevenLabs-Signature"),
    ]

    @Test(arguments: cases) func theVectorVerifies(_ test: Case) throws {
        try test.scheme.verify(test.request, secrets: [test.secret], now: V.time, tolerance: 300)
    }

    @Test(arguments: cases) func aTamperedBodyIsRefused(_ test: Case) throws {
        var request = test.request
        request.body.append(UInt8(ascii: " "))
        let expected: SignatureFailure = switch test.scheme.name {
        case "vonage": .mismatch(detail: "the token's payload_hash is not the SHA-256 of the body")
        case "twilio": .mismatch(detail: "no X-Twilio-Signature over \(V.twilioT2URL) matches a configured auth token")
        default: .signatureMismatch
        }
        #expect(throws: expected) { try test.scheme.verify(request, secrets: [test.secret], now: V.time, tolerance: 300) }
    }

    @Test(arguments: cases) func aWrongSecretIsRefused(_ test: Case) throws {
        #expect(throws: (any Error).self) {
            try test.scheme.verify(test.request, secrets: [test.wrongSecret], now: V.time, tolerance: 300)
        }
        do {
            try test.scheme.verify(test.request, secrets: [test.wrongSecret], now: V.time, tolerance: 300)
        } catch {
            #expect(error == .signatureMismatch || error.description.hasPrefix("signature mismatch"))
        }
        // Rotation: any configured secret may match.
        try test.scheme.verify(test.request, secrets: [test.wrongSecret, test.secret], now: V.time, tolerance: 300)
    }

    @Test(arguments: cases.filter { $0.scheme.usesTimestamp }) func aStaleOrFutureTimestampIsRefused(_ test: Case) {
        #expect(throws: SignatureFailure.staleTimestamp(age: 301, tolerance: 300)) {
            try test.scheme.verify(test.request, secrets: [test.secret], now: V.time + 301, tolerance: 300)
        }
        #expect(throws: SignatureFailure.futureTimestamp(ahead: 301, tolerance: 300)) {
            try test.scheme.verify(test.request, secrets: [test.secret], now: V.time - 301, tolerance: 300)
        }
    }

    @Test(arguments: cases) func aMissingOrRepeatedHeaderIsRefused(_ test: Case) {
        var missing = test.request
        missing.headers.removeAll { $0.name.equalsIgnoringASCIICase(test.header) }
        #expect(throws: SignatureFailure.missingHeader(test.header)) {
            try test.scheme.verify(missing, secrets: [test.secret], now: V.time, tolerance: 300)
        }
        var repeated = test.request
        repeated.headers += test.request.headers.filter { $0.name.equalsIgnoringASCIICase(test.header) }
        #expect(throws: SignatureFailure.malformedHeader(name: test.header, problem: "appears more than once")) {
            try test.scheme.verify(repeated, secrets: [test.secret], now: V.time, tolerance: 300)
        }
    }

    @Test func twilioNeedsTheURLAndNamesTheOneItCheckedAgainst() {
        let test = Self.cases[0]
        var request = test.request
        request.url = nil
        #expect(throws: SignatureFailure.urlRequired) { try test.scheme.verify(request, secrets: [test.secret], now: 0, tolerance: 0) }
        request.url = "https://proxy.internal:8080/twilio/voice"
        #expect(throws: SignatureFailure.mismatch(
            detail: "no X-Twilio-Signature over https://proxy.internal:8080/twilio/voice matches a configured auth token")) {
            try test.scheme.verify(request, secrets: [test.secret], now: 0, tolerance: 0)
        }
        #expect(throws: SignatureSchemeError.invalidURL(scheme: "twilio", problem: "no URL given")) {
            try TwilioSignature().sign(body: V.twilioT2Body, secrets: [test.secret], timestamp: 0, id: nil)
        }
    }

    @Test func twilioJSONBodyMustMatchBodySHA256() {
        let headers = [HeaderField("X-Twilio-Signature", "y77kIzt2vzLz71DgmJGsen2scGs=")]
        let tampered = SignedRequest(body: V.twilioT3Body + [0x20], headers: headers, url: V.twilioT3URL)
        #expect(throws: SignatureFailure.mismatch(detail: "bodySHA256 in \(V.twilioT3URL) is not the SHA-256 of the body")) {
            try TwilioSignature().verify(tampered, secrets: ["12345"], now: 0, tolerance: 0)
        }
        let unsupported = SignedRequest(body: V.twilioT3Body, headers: headers + [
            HeaderField("X-Twilio-Webhooks-Signature-Settings", "algorithm=HMAC_MD5")], url: V.twilioT3URL)
        #expect(throws: SignatureFailure.malformedHeader(name: "X-Twilio-Webhooks-Signature-Settings",
                                                         problem: "unsupported algorithm 'HMAC_MD5'")) {
            try TwilioSignature().verify(unsupported, secrets: ["12345"], now: 0, tolerance: 0)
        }
    }

    @Test func telnyxRefusesKeysThatAreNotEd25519() {
        #expect(throws: SignatureFailure.invalidSecret(problem: "the public key is not base64 of a 32-byte Ed25519 key")) {
            try TelnyxSignature().verify(body: [], headers: [], secrets: ["c2hvcnQ="], now: 0, tolerance: 0)
        }
        #expect(throws: SignatureSchemeError.invalidSecret(problem: "the private key is not base64 of a 32-byte Ed25519 seed")) {
            try TelnyxSignature().sign(body: [], secrets: ["not base64"], timestamp: 0, id: nil)
        }
    }

    @Test func vonageRefusesOtherAlgorithmsAndExpiredTokens() throws {
        func token(_ header: String, _ claims: String, secret: String = V.vonageSecret) throws -> [HeaderField] {
            let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
            let code = try HMACSHA256Key.authenticationCode(key: Array(secret.utf8), message: Array(input.utf8))
            return [HeaderField("Authorization", "Bearer \(input).\(Base64URL.encode(code))")]
        }
        let hash = Hex.encode(try Digest.sha256(V.vonageBody))
        let none = try token(#"{"alg":"none"}"#, #"{"iat":1767225600,"payload_hash":"\#(hash)"}"#)
        #expect(throws: SignatureFailure.malformedHeader(name: "Authorization", problem: "the token's alg is not HS256")) {
            try VonageSignature().verify(body: V.vonageBody, headers: none, secrets: [V.vonageSecret], now: V.time)
        }
        let expired = try token(#"{"alg":"HS256"}"#, #"{"iat":1767225600,"exp":1767225660,"payload_hash":"\#(hash)"}"#)
        try VonageSignature().verify(body: V.vonageBody, headers: expired, secrets: [V.vonageSecret], now: V.time + 59)
        #expect(throws: SignatureFailure.tokenExpired(at: 1_767_225_660)) {
            try VonageSignature().verify(body: V.vonageBody, headers: expired, secrets: [V.vonageSecret], now: V.time + 60)
        }
        let noHash = try token(#"{"alg":"HS256"}"#, #"{"iat":1767225600}"#)
        #expect(throws: SignatureFailure.malformedHeader(name: "Authorization", problem: "the token has no payload_hash")) {
            try VonageSignature().verify(body: V.vonageBody, headers: noHash, secrets: [V.vonageSecret], now: V.time)
        }
        let signed = try VonageSignature().sign(body: V.vonageBody, secrets: [V.vonageSecret], timestamp: V.time, id: "jti-1")
        try VonageSignature().verify(body: V.vonageBody, headers: signed, secrets: [V.vonageSecret], now: V.time)
    }

    @Test func vapiRefusesAWrongOrMissingCredential() {
        let scheme = VapiSignature()
        #expect(throws: SignatureFailure.signatureMismatch) {
            try scheme.verify(body: [], headers: [HeaderField("X-Vapi-Secret", "nope")], secrets: ["s3cret"], now: 0)
        }
        #expect(throws: SignatureFailure.missingHeader("X-Vapi-Secret (or Authorization: Bearer)")) {
            try scheme.verify(body: [], headers: [], secrets: ["s3cret"], now: 0)
        }
        #expect(throws: SignatureFailure.malformedHeader(name: "Authorization", problem: "not 'Bearer <credential>'")) {
            try scheme.verify(body: [], headers: [HeaderField("Authorization", "Basic czNjcmV0")], secrets: ["s3cret"], now: 0)
        }
        #expect(throws: SignatureFailure.malformedHeader(name: "X-Vapi-Secret", problem: "appears more than once")) {
            try scheme.verify(body: [], headers: [HeaderField("X-Vapi-Secret", "s3cret"), HeaderField("x-vapi-secret", "s3cret")],
                              secrets: ["s3cret"], now: 0)
        }
    }
}
