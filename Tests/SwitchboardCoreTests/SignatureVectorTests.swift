import Testing
@testable import SwitchboardCore

/// Shared inputs of the signature tests. Expected values were computed independently with
/// Python's `hmac`/`base64` modules (see each test) and are pinned here.
enum SignatureFixture {
    static let body = Array(#"{"id":"evt_1","type":"call.completed"}"#.utf8)
    /// Every byte value once: not UTF-8, contains NUL, CR and LF.
    static let binaryBody = (0...255).map { UInt8($0) }
    static let time: Int64 = 1_700_000_000
    static let swSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    static func headers(_ pairs: KeyValuePairs<String, String>) -> [HeaderField] {
        pairs.map { HeaderField($0.key, $0.value) }
    }

    static func scheme(_ name: String, tokenHeader: String? = nil) throws -> any SignatureScheme {
        try SignatureSchemes.scheme(named: name, tokenHeader: tokenHeader)
    }
}

@Suite("Signature known answers")
struct SignatureVectorTests {
    typealias F = SignatureFixture

    // hmac.new(b"whsec_test", b"1700000000." + body, sha256).hexdigest()
    @Test func callingBoxSignsWithTheWholeSecretAsKey() throws {
        let headers = try CallingBoxSignature().sign(body: F.body, secrets: ["whsec_test"], timestamp: F.time, id: nil)
        #expect(headers == [HeaderField("CallingBox-Signature",
            "t=1700000000,v1=ae8f5284d8343c921cd4611caa0380cdd87c3b5315eb8f564379543765a26705")])
        try CallingBoxSignature().verify(body: F.body, headers: headers, secrets: ["whsec_test"], now: F.time)
    }

    @Test func callingBoxRotationWritesOneV1PerSecret() throws {
        let scheme = CallingBoxSignature()
        let headers = try scheme.sign(body: F.body, secrets: ["whsec_old", "whsec_new"], timestamp: F.time, id: nil)
        #expect(headers.map(\.value) == ["t=1700000000,"
            + "v1=685da8ca96ddd888d27b37a8443009efb2196bdb00a2f31f1956861f23d7d91c,"
            + "v1=7f80c61205d62b6a163d3568609d6fa12d58e3f8ef5fa748cc9c4ea60d484ed0"])
        for secrets in [["whsec_old"], ["whsec_new"], ["whsec_other", "whsec_new"]] {
            try scheme.verify(body: F.body, headers: headers, secrets: secrets, now: F.time)
        }
        #expect(throws: SignatureFailure.signatureMismatch) {
            try scheme.verify(body: F.body, headers: headers, secrets: ["whsec_other"], now: F.time)
        }
    }

    // The published Standard Webhooks / Svix test vector.
    @Test func standardWebhooksSpecVector() throws {
        let body = Array(#"{"test": 2432232314}"#.utf8)
        let headers = try StandardWebhooksSignature().sign(
            body: body, secrets: [F.swSecret], timestamp: 1_614_265_330, id: "msg_p5jXN8AQM9LWM0D4loKWxJek")
        #expect(headers == F.headers([
            "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "webhook-timestamp": "1614265330",
            "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ]))
        try StandardWebhooksSignature().verify(body: body, headers: headers, secrets: [F.swSecret], now: 1_614_265_330)
    }

    // Without `whsec_` the whole secret is the base64 key; unpadded base64 is accepted.
    @Test func standardWebhooksSecretForms() throws {
        let scheme = StandardWebhooksSignature()
        let withPrefix = try scheme.sign(body: F.body, secrets: [F.swSecret], timestamp: F.time, id: "msg_1")
        let bare = try scheme.sign(body: F.body, secrets: ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], timestamp: F.time, id: "msg_1")
        #expect(withPrefix == bare)
        // base64.b64encode(hmac(b"\0" * 24, b"msg_1.1700000000." + body)); key "AAAA…" and unpadded "AA"-forms
        let zeros = try scheme.sign(body: F.body, secrets: ["whsec_" + String(repeating: "A", count: 32)],
                                    timestamp: F.time, id: "msg_1")
        #expect(zeros.last?.value == "v1,4DKUhdRmk6Wv1v/ar7JPwGM0bKVEuSFbKregdLGKlxQ=")
        #expect(try StandardWebhooksSignature.keyBytes("whsec_Zg") == [0x66])
        #expect(try StandardWebhooksSignature.keyBytes("Zm8") == [0x66, 0x6F])
        #expect(try StandardWebhooksSignature.keyBytes("Zm9v") == [0x66, 0x6F, 0x6F])
    }

    @Test func standardWebhooksRotationIsASpaceSeparatedList() throws {
        let scheme = StandardWebhooksSignature()
        let other = "whsec_" + String(repeating: "A", count: 32)
        let headers = try scheme.sign(body: F.body, secrets: [F.swSecret, other], timestamp: F.time, id: "msg_1")
        let list = try #require(headers.last?.value)
        #expect(list.split(separator: " ").count == 2)
        #expect(list.hasSuffix(" v1,4DKUhdRmk6Wv1v/ar7JPwGM0bKVEuSFbKregdLGKlxQ="))
        try scheme.verify(body: F.body, headers: headers, secrets: [F.swSecret], now: F.time)
        try scheme.verify(body: F.body, headers: headers, secrets: [other], now: F.time)
    }

    // hmac.new(b"inkbox_secret", b"req_123.1700000000." + body, sha256).hexdigest()
    @Test func inkboxStripsWhsecFromTheKey() throws {
        let expected = F.headers([
            "X-Inkbox-Request-ID": "req_123",
            "X-Inkbox-Timestamp": "1700000000",
            "X-Inkbox-Signature": "sha256=260b302db47e6a764b3d8791740f8a17203287050352444795111bc4276390b0",
        ])
        for secret in ["whsec_inkbox_secret", "inkbox_secret"] {
            let headers = try InkboxSignature().sign(body: F.body, secrets: [secret], timestamp: F.time, id: "req_123")
            #expect(headers == expected)
        }
        try InkboxSignature().verify(body: F.body, headers: expected, secrets: ["inkbox_secret"], now: F.time)
    }

    @Test func inkboxVerifiesWithAnyConfiguredSecretButSignsWithOne() throws {
        let scheme = InkboxSignature()
        let headers = try scheme.sign(body: F.body, secrets: ["new"], timestamp: F.time, id: "req_1")
        try scheme.verify(body: F.body, headers: headers, secrets: ["old", "whsec_new"], now: F.time)
        #expect(throws: SignatureSchemeError.tooManySecrets(scheme: "inkbox", limit: 1)) {
            try scheme.sign(body: F.body, secrets: ["old", "new"], timestamp: F.time, id: "req_1")
        }
    }

    @Test func binaryBodiesAreSignedByteForByte() throws {
        let callingBox = try CallingBoxSignature().sign(body: F.binaryBody, secrets: ["whsec_test"], timestamp: F.time, id: nil)
        #expect(callingBox.first?.value
            == "t=1700000000,v1=82697fce4827f7a10f321771c3127b78d2875c778192caafe9a27e5440b1cce3")
        let standard = try StandardWebhooksSignature().sign(body: F.binaryBody, secrets: [F.swSecret], timestamp: F.time, id: "msg_1")
        #expect(standard.last?.value == "v1,HV6NkEJtgS4pMY23HMZm8WVxY3H7uqu+qsHUm/K2Eho=")
        let inkbox = try InkboxSignature().sign(body: F.binaryBody, secrets: ["inkbox_secret"], timestamp: F.time, id: "req_123")
        #expect(inkbox.last?.value == "sha256=9f0ce1bf243003ff3f325e353775989dc7c1309ae889dabc45171dd0843e0a95")
        for (scheme, secret, headers) in [(CallingBoxSignature() as any SignatureScheme, "whsec_test", callingBox),
                                          (StandardWebhooksSignature(), F.swSecret, standard),
                                          (InkboxSignature(), "inkbox_secret", inkbox)] {
            try scheme.verify(body: F.binaryBody, headers: headers, secrets: [secret], now: F.time)
            var altered = F.binaryBody
            altered[13] ^= 1
            #expect(throws: SignatureFailure.signatureMismatch) {
                try scheme.verify(body: altered, headers: headers, secrets: [secret], now: F.time)
            }
        }
    }

    @Test func headerTokenRoundTrip() throws {
        let scheme = try F.scheme("header-token", tokenHeader: "X-Salpre-Token")
        let headers = try scheme.sign(body: F.body, secrets: ["s3cret"], timestamp: 0, id: nil)
        #expect(headers == [HeaderField("X-Salpre-Token", "s3cret")])
        try scheme.verify(body: [], headers: F.headers(["x-salpre-token": " s3cret\t"]), secrets: ["old", "s3cret"], now: 0)
    }

    @Test func registryKnowsFourSchemes() throws {
        #expect(SignatureSchemes.names == ["callingbox", "standard-webhooks", "inkbox", "header-token"])
        for name in SignatureSchemes.names {
            let scheme = try F.scheme(name, tokenHeader: name == "header-token" ? "X-Token" : nil)
            #expect(scheme.name == name)
        }
        #expect(throws: SignatureSchemeError.unknownScheme("svix")) { try F.scheme("svix") }
        #expect(throws: SignatureSchemeError.missingTokenHeader) { try F.scheme("header-token") }
        #expect(throws: SignatureSchemeError.invalidHeaderName("X Token")) { try F.scheme("header-token", tokenHeader: "X Token") }
        #expect(throws: SignatureSchemeError.tokenHeaderNotApplicable(scheme: "inkbox")) { try F.scheme("inkbox", tokenHeader: "X") }
        #expect(try F.scheme("inkbox").needsMessageID)
        #expect(try !F.scheme("callingbox").needsMessageID)
        #expect(try !F.scheme("header-token", tokenHeader: "X").usesTimestamp)
    }
}
