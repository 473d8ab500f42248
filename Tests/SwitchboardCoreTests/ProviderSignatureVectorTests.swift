import Testing
@testable import SwitchboardCore

/// The test vectors of shared/vendors/PROVIDERS.md (§1.7, §2.6, §3.4, §4.4, §6.4), each accepted by
/// the provider's own SDK there, checked against the provider schemes: every signature produced by
/// Switchboard is the vector's, and every vector verifies (with the clock the document pins).
enum ProviderVectors {
    /// 2026-01-01T00:00:00Z, the time every vector was made at.
    static let time: Int64 = 1_767_225_600

    static let twilioT1URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
    static let twilioT1Body = Array("CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212".utf8)
    static let twilioT2URL = "https://gw.example.com/twilio/voice"
    static let twilioT2Token = "a5d4c8f3e2b1a0f9e8d7c6b5a4f3e2d1"
    /// The T2 parameters in a non-sorted order, as a form body (CallerName empty).
    static let twilioT2Body = Array(("AccountSid=AC00000000000000000000000000000000&ApiVersion=2010-04-01"
        + "&CallSid=CA11111111111111111111111111111111&CallStatus=ringing&Direction=inbound&From=%2B15005550006"
        + "&To=%2B15551234567&CallerName=&Called=%2B15551234567&Caller=%2B15005550006").utf8)
    static let twilioT3Body = Array(#"{"property": "value", "boolean": true}"#.utf8)
    static let twilioT3URL = "https://mycompany.com/myapp.php?bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"

    static let telnyxSeed = "29Pc1uJZBf0KOEMox+bxEKSfzLFy540F0PYS1pkMeJs="  // base64 of dbd3dcd6…789b
    static let telnyxPublicKey = "LzJDOCyTYfLyYp5fLoW9alZwihRdN57bayxK5W+qowg="
    static let telnyxBody = Array(#"{"data":{"event_type":"call.initiated","id":"0ccc7b54-4df3-4bca-a65a-3da1ecc777f0","occurred_at":"2026-01-01T00:00:00.000000Z","payload":{"call_control_id":"v3:test-call-control-id","call_leg_id":"428c31b6-7af4-4bcb-b7f5-5013ef9657c1","call_session_id":"428c31b6-abf3-3bc1-b7f4-5013ef9657c1","client_state":null,"connection_id":"1684641123236054244","direction":"incoming","from":"+15551230001","state":"parked","to":"+15551230002"},"record_type":"event"}}"#.utf8)
    static let telnyxSignature = "nIYATUV6oq56W2OZ/boh5pAhoh+WIjn0Pe/hA+wteMFGrcgBxwMsRN2C9cFJ7Prtf9nS6SD8OVtMS1pLninoDA=="

    static let vonageSecret = "vonage-signature-secret-0123456789abcdef"
    static let vonageBody = Array(#"{"from":"447700900000","to":"447700900001","uuid":"aaaaaaaa-bbbb-cccc-dddd-0123456789ab","conversation_uuid":"CON-aaaaaaaa-bbbb-cccc-dddd-0123456789ab","status":"answered","direction":"inbound","timestamp":"2026-01-01T00:00:00.000Z"}"#.utf8)
    static let vonageToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3NjcyMjU2MDAsImp0aSI6ImM1YmE4ZjI0LTFhMTQtNGMxMC1iZmRmLTNmYmU4Y2U1MTFiNSIsImlzcyI6IlZvbmFnZSIsInBheWxvYWRfaGFzaCI6IjU2MzU1ODdhNWExNzAzZDBkZTVhMjI4N2MzOTk5NTMwNGFlMzBmMWQ2ZDU3YWJiZTk4MjA1NzNlNWM4NTYxYzAiLCJhcGlfa2V5IjoiYWJjZDEyMzQiLCJhcHBsaWNhdGlvbl9pZCI6ImFhYWFhYWFhLWJiYmItY2NjYy1kZGRkLTAxMjM0NTY3ODlhYiJ9.gQm1mQ4GL-EEaG9vz2e55LhisJaUCXHksEK24vB_8bA"

    static let retellKey = "key_0123456789abcdef0123456789ab"
    static let retellBody = Array(#"{"event":"call_started","call":{"call_type":"phone_call","call_id":"Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6","agent_id":"oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD","agent_version":1,"call_status":"ongoing","from_number":"+12137771234","to_number":"+12137771235","direction":"inbound","start_timestamp":1767225600000}}"#.utf8)
    static let retellSignature = "v=1767225600000,d=8f298acdb2403fd65c3a30f17f6a96d700cc93678e820f37a21c7002b595fdfd"

    static let elevenLabsSecret = "wsec_testsecret0123456789abcdef"
    static let elevenLabsBody = Array(#"{"type":"post_call_transcription","event_timestamp":1767225600,"data":{"agent_id":"agent_01testagent","conversation_id":"conv_01testconversation","status":"done","transcript":[{"role":"agent","message":"Hello!","time_in_call_secs":0}],"metadata":{"start_time_unix_secs":1767225500,"call_duration_secs":95},"analysis":{"call_successful":"success","transcript_summary":"Greeting only."}}}"#.utf8)
    static let elevenLabsSignature = "t=1767225600,v0=e542fa72a004b79b962cf7c6e50a8f2e921de83b2e9d5bdd232f8446561a5393"
}

@Suite("Provider signature vectors (PROVIDERS.md)")
struct ProviderSignatureVectorTests {
    typealias V = ProviderVectors

    @Test func twilioT1DocumentationVector() throws {
        let request = SignedRequest(body: V.twilioT1Body, url: V.twilioT1URL)
        let headers = try TwilioSignature().sign(request, secrets: ["12345"], timestamp: 0, id: nil)
        #expect(headers == [HeaderField("X-Twilio-Signature", "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")])
        try TwilioSignature().verify(SignedRequest(body: V.twilioT1Body, headers: headers, url: V.twilioT1URL),
                                     secrets: ["12345"], now: V.time, tolerance: 300)
    }

    @Test func twilioT1SharedKeyVariantUsesHMACSHA256() throws {
        let headers = [HeaderField("X-Twilio-Signature", "Rmm4Vzj+Ky7JGoWXMCsZDZuHDszLr9xvdbvitrDr4/M="),
                       HeaderField("X-Twilio-Webhooks-Signature-Settings", "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256")]
        try TwilioSignature().verify(SignedRequest(body: V.twilioT1Body, headers: headers, url: V.twilioT1URL),
                                     secrets: ["12345"], now: V.time, tolerance: 300)
        // The same signature without the settings header is read as HMAC-SHA1 and refused.
        #expect(throws: SignatureFailure.malformedHeader(name: "X-Twilio-Signature", problem: "not base64 of a 20-byte HMAC-SHA1")) {
            try TwilioSignature().verify(SignedRequest(body: V.twilioT1Body, headers: [headers[0]], url: V.twilioT1URL),
                                         secrets: ["12345"], now: V.time, tolerance: 300)
        }
    }

    @Test func twilioT2VoiceRequestWithAndWithoutTheDefaultPort() throws {
        for url in [V.twilioT2URL, "https://gw.example.com:443/twilio/voice"] {
            let headers = try TwilioSignature().sign(SignedRequest(body: V.twilioT2Body, url: V.twilioT2URL),
                                                     secrets: [V.twilioT2Token], timestamp: 0, id: nil)
            #expect(headers.map(\.value) == ["OJkaNGi1sxtotygY0qLjOT9L6MA="])
            try TwilioSignature().verify(SignedRequest(body: V.twilioT2Body, headers: headers, url: url),
                                         secrets: [V.twilioT2Token], now: V.time, tolerance: 300)
        }
    }

    @Test func twilioT3JSONBodyViaBodySHA256() throws {
        let headers = try TwilioSignature().sign(SignedRequest(body: V.twilioT3Body, url: V.twilioT3URL),
                                                 secrets: ["12345"], timestamp: 0, id: nil)
        #expect(headers.map(\.value) == ["y77kIzt2vzLz71DgmJGsen2scGs="])
        try TwilioSignature().verify(SignedRequest(body: V.twilioT3Body, headers: headers, url: V.twilioT3URL),
                                     secrets: ["12345"], now: V.time, tolerance: 300)
    }

    @Test func telnyxVectorSignsAndVerifies() throws {
        let seed = try Base64.decode(V.telnyxSeed)
        #expect(Hex.encode(seed) == "dbd3dcd6e25905fd0a384328c7e6f110a49fccb172e78d05d0f612d6990c789b")
        #expect(Base64.encode(try Ed25519.publicKey(forSeed: seed)) == V.telnyxPublicKey)
        let headers = try TelnyxSignature().sign(body: V.telnyxBody, secrets: [V.telnyxSeed], timestamp: V.time, id: nil)
        #expect(headers == [HeaderField("telnyx-timestamp", "1767225600"),
                            HeaderField("telnyx-signature-ed25519", V.telnyxSignature)])
        for now in [V.time + 10, V.time + 300, V.time - 300] {
            try TelnyxSignature().verify(body: V.telnyxBody, headers: headers, secrets: [V.telnyxPublicKey], now: now)
        }
        #expect(throws: SignatureFailure.staleTimestamp(age: 301, tolerance: 300)) {
            try TelnyxSignature().verify(body: V.telnyxBody, headers: headers, secrets: [V.telnyxPublicKey], now: V.time + 301)
        }
    }

    @Test func vonageVectorVerifiesAndSigningMatchesItsSignature() throws {
        let headers = [HeaderField("Authorization", "Bearer " + V.vonageToken)]
        try VonageSignature().verify(body: V.vonageBody, headers: headers, secrets: [V.vonageSecret], now: V.time)
        #expect(throws: SignatureFailure.signatureMismatch) {
            try VonageSignature().verify(body: V.vonageBody, headers: headers, secrets: ["wrong-secret"], now: V.time)
        }
        // Manual check of the document: base64url(HMAC-SHA256(secret, header.payload)) is the third segment.
        let segments = V.vonageToken.split(separator: ".")
        let code = try HMACSHA256Key.authenticationCode(key: Array(V.vonageSecret.utf8),
                                                        message: Array("\(segments[0]).\(segments[1])".utf8))
        #expect(Base64URL.encode(code) == String(segments[2]))
        let hash = try Digest.sha256(V.vonageBody)
        #expect(Hex.encode(hash) == "5635587a5a1703d0de5a2287c39995304ae30f1d6d57abbe9820573e5c8561c0")
    }

    @Test func retellVectorSignsAndVerifies() throws {
        let headers = try RetellSignature().sign(body: V.retellBody, secrets: [V.retellKey], timestamp: V.time, id: nil)
        #expect(headers == [HeaderField("x-retell-signature", V.retellSignature)])
        for now in [V.time + 30, V.time + 300] {
            try RetellSignature().verify(body: V.retellBody, headers: headers, secrets: [V.retellKey], now: now)
        }
        #expect(throws: SignatureFailure.staleTimestamp(age: 301, tolerance: 300)) {
            try RetellSignature().verify(body: V.retellBody, headers: headers, secrets: [V.retellKey], now: V.time + 301)
        }
        let upper = [HeaderField("x-retell-signature", V.retellSignature.uppercased().replacingOccurrences(of: "V=", with: "v=")
            .replacingOccurrences(of: "D=", with: "d="))]
        #expect(throws: SignatureFailure.malformedHeader(name: "x-retell-signature",
                                                         problem: "not v=<milliseconds>,d=<64 lowercase hexadecimal digits>")) {
            try RetellSignature().verify(body: V.retellBody, headers: upper, secrets: [V.retellKey], now: V.time)
        }
    }

    @Test func elevenLabsVectorSignsAndVerifiesWithinThirtyMinutes() throws {
        let scheme = ElevenLabsSignature()
        let headers = try scheme.sign(body: V.elevenLabsBody, secrets: [V.elevenLabsSecret], timestamp: V.time, id: nil)
        #expect(headers == [HeaderField("ElevenLabs-Signature", V.elevenLabsSignature)])
        #expect(scheme.defaultTolerance == 1800)
        for now in [V.time + 60, V.time + 1800] {
            try scheme.verify(body: V.elevenLabsBody, headers: headers, secrets: [V.elevenLabsSecret], now: now,
                              tolerance: scheme.defaultTolerance)
        }
        #expect(throws: SignatureFailure.staleTimestamp(age: 1801, tolerance: 1800)) {
            try scheme.verify(body: V.elevenLabsBody, headers: headers, secrets: [V.elevenLabsSecret], now: V.time + 1801,
                              tolerance: scheme.defaultTolerance)
        }
        let spaced = [HeaderField("ElevenLabs-Signature", V.elevenLabsSignature.replacingOccurrences(of: ",", with: ", "))]
        #expect(throws: SignatureFailure.malformedHeader(name: "ElevenLabs-Signature", problem: "missing v0=")) {
            try scheme.verify(body: V.elevenLabsBody, headers: spaced, secrets: [V.elevenLabsSecret], now: V.time)
        }
    }

    @Test func vapiAcceptsTheSecretInEitherHeader() throws {
        let scheme = VapiSignature()
        let signed = try scheme.sign(body: [], secrets: ["vapi-secret"], timestamp: 0, id: nil)
        #expect(signed == [HeaderField("X-Vapi-Secret", "vapi-secret")])
        for headers in [signed, [HeaderField("x-vapi-secret", " vapi-secret ")],
                        [HeaderField("Authorization", "Bearer vapi-secret")], [HeaderField("authorization", "bearer vapi-secret")]] {
            try scheme.verify(body: [1, 2], headers: headers, secrets: ["other", "vapi-secret"], now: 0)
        }
    }

    @Test func everyProviderSchemeIsRegistered() throws {
        #expect(SignatureSchemes.providerNames == ["twilio", "telnyx", "vonage", "retell", "vapi", "elevenlabs"])
        for name in SignatureSchemes.providerNames {
            #expect(try SignatureSchemes.scheme(named: name).name == name)
        }
        #expect(try SignatureSchemes.scheme(named: "twilio").needsURL)
        #expect(try SignatureSchemes.scheme(named: "telnyx").credential == .ed25519)
    }
}
