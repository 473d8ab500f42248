import Testing
@testable import SwitchboardCore

/// Standard Webhooks `v1a` (Ed25519): the PROVIDERS.md §8 vector (signed with Python `cryptography`
/// and verified there and with PyNaCl), key encodings, two keys during a rotation, and refusals.
@Suite("Standard Webhooks v1a signatures")
struct StandardWebhooksV1aTests {
    static let seedKey = "whsk_lRrbb82NG1TRxRFM2OKjQCGgRuWcFaYZuXFI8r9rVYk="
    static let expandedKey = "whsk_lRrbb82NG1TRxRFM2OKjQCGgRuWcFaYZuXFI8r9rVYl2cpBu5zf9aHl0/qfI9Ys2jJ77vt3yX4AgYiuzoytbeA=="
    static let publicKey = "whpk_dnKQbuc3/Wh5dP6nyPWLNoye+77d8l+AIGIrs6MrW3g="
    static let id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
    static let time: Int64 = 1_767_225_600
    static let body = Array(#"{"type":"call.completed","timestamp":"2026-01-01T00:00:00Z","data":{"call_id":"call_123","status":"completed"}}"#.utf8)
    static let signature = "v1a,sM3N8g8x8bZcQv2oDjmtK2NLr1nwFNJ8D1lZUwj4p4HoG/5F3pat4vfhUwFGMxzdTrvK4haH453fukK3t0LOAA=="

    let scheme = StandardWebhooksV1aSignature()

    @Test func theVectorSignsAndVerifiesWithEitherSecretKeyForm() throws {
        for key in [Self.seedKey, Self.expandedKey] {
            let headers = try scheme.sign(body: Self.body, secrets: [key], timestamp: Self.time, id: Self.id)
            #expect(headers == [HeaderField("webhook-id", Self.id), HeaderField("webhook-timestamp", "1767225600"),
                                HeaderField("webhook-signature", Self.signature)])
        }
        try scheme.verify(body: Self.body, headers: Self.headers(Self.signature), secrets: [Self.publicKey], now: Self.time)
        // Without the prefix the key reads the same; a v1 item before it is skipped, as the spec's verifiers do.
        try scheme.verify(body: Self.body, headers: Self.headers("v1,Ao7MG1Tuc7OVBKeS/BzO1KqJAVq4jbcgl7luU7TY2Z8= " + Self.signature),
                          secrets: [String(Self.publicKey.dropFirst(5))], now: Self.time)
        #expect(try SignatureSchemes.scheme(named: "standard-webhooks-v1a").credential == .ed25519)
    }

    @Test func keysAreWhskAndWhpkOfThirtyTwoBytesAndThePublicKeyDerivesFromTheSecretOne() throws {
        #expect(StandardWebhooksV1aSignature.publicKey(forSecretKey: Self.seedKey) == Self.publicKey)
        #expect(StandardWebhooksV1aSignature.publicKey(forSecretKey: Self.expandedKey) == Self.publicKey)
        #expect(StandardWebhooksV1aSignature.publicKey(forSecretKey: "whsec_abc") == nil)
        let pair = try StandardWebhooksV1aSignature.KeyPair.generate()
        #expect(pair.secretKey.hasPrefix("whsk_") && pair.publicKey.hasPrefix("whpk_"))
        #expect(try Base64.decode(String(pair.secretKey.dropFirst(5))).count == 32)
        #expect(try Base64.decode(String(pair.publicKey.dropFirst(5))).count == 32)
        #expect(StandardWebhooksV1aSignature.publicKey(forSecretKey: pair.secretKey) == pair.publicKey)
        #expect(try StandardWebhooksV1aSignature.KeyPair.generate() != pair)
        let headers = try scheme.sign(body: Self.body, secrets: [pair.secretKey], timestamp: Self.time, id: "m")
        try scheme.verify(body: Self.body, headers: headers, secrets: [pair.publicKey], now: Self.time)
    }

    @Test func duringARotationBothKeysSignNewestFirstAndEitherPublicKeyVerifies() throws {
        let old = try StandardWebhooksV1aSignature.KeyPair.generate(), new = try StandardWebhooksV1aSignature.KeyPair.generate()
        let headers = try scheme.sign(body: Self.body, secrets: [new.secretKey, old.secretKey], timestamp: Self.time, id: Self.id)
        let items = headers[2].value.split(separator: " ")
        #expect(items.count == 2 && items.allSatisfy { $0.hasPrefix("v1a,") })
        let newOnly = try scheme.sign(body: Self.body, secrets: [new.secretKey], timestamp: Self.time, id: Self.id)
        #expect(items[0] == newOnly[2].value[...])
        for key in [new.publicKey, old.publicKey] {
            try scheme.verify(body: Self.body, headers: headers, secrets: [key], now: Self.time)
        }
        let stranger = try StandardWebhooksV1aSignature.KeyPair.generate()
        #expect(throws: SignatureFailure.signatureMismatch) {
            try scheme.verify(body: Self.body, headers: headers, secrets: [stranger.publicKey], now: Self.time)
        }
    }

    @Test func aTamperedBodyIdOrTimestampAWrongKeyAndBadInputsAreRefused() throws {
        let good = Self.headers(Self.signature)
        #expect(throws: SignatureFailure.signatureMismatch) {
            try scheme.verify(body: Self.body + [0x20], headers: good, secrets: [Self.publicKey], now: Self.time)
        }
        #expect(throws: SignatureFailure.signatureMismatch) {
            try scheme.verify(body: Self.body, headers: [HeaderField("webhook-id", "msg_other")] + good.dropFirst(),
                              secrets: [Self.publicKey], now: Self.time)
        }
        let pair = try StandardWebhooksV1aSignature.KeyPair.generate()
        #expect(throws: SignatureFailure.signatureMismatch) {
            try scheme.verify(body: Self.body, headers: good, secrets: [pair.publicKey], now: Self.time)
        }
        #expect(throws: SignatureFailure.staleTimestamp(age: 301, tolerance: 300)) {
            try scheme.verify(body: Self.body, headers: good, secrets: [Self.publicKey], now: Self.time + 301)
        }
        #expect(throws: SignatureFailure.malformedHeader(name: "webhook-signature", problem: "no v1a signature")) {
            try scheme.verify(body: Self.body, headers: Self.headers("v1,Ao7MG1Tuc7OVBKeS/BzO1KqJAVq4jbcgl7luU7TY2Z8="),
                              secrets: [Self.publicKey], now: Self.time)
        }
        #expect(throws: SignatureFailure.malformedHeader(name: "webhook-signature", problem: "no v1a signature is base64 of 64 bytes")) {
            try scheme.verify(body: Self.body, headers: Self.headers("v1a,AAAA"), secrets: [Self.publicKey], now: Self.time)
        }
        // A secret key where a public key belongs (and the reverse) is a configuration mistake, named as such.
        #expect(throws: SignatureFailure.invalidSecret(problem: "the public key is not whpk_<base64 of a 32-byte Ed25519 key>")) {
            try scheme.verify(body: Self.body, headers: good, secrets: [Self.seedKey], now: Self.time)
        }
        #expect(throws: SignatureSchemeError.invalidSecret(
            problem: "not whsk_<base64 of a 32-byte Ed25519 seed or 64-byte seed and public key>")) {
            try scheme.sign(body: Self.body, secrets: [Self.publicKey], timestamp: Self.time, id: Self.id)
        }
        var mismatched = try Base64.decode(String(Self.expandedKey.dropFirst(5)))
        mismatched[40] ^= 1
        #expect(throws: SignatureSchemeError.invalidSecret(problem: "the 64-byte key's public half does not belong to its seed")) {
            try scheme.sign(body: Self.body, secrets: ["whsk_" + Base64.encode(mismatched)], timestamp: Self.time, id: Self.id)
        }
        #expect(throws: SignatureSchemeError.missingMessageID(scheme: "standard-webhooks-v1a")) {
            try scheme.sign(body: Self.body, secrets: [Self.seedKey], timestamp: Self.time, id: nil)
        }
        #expect(throws: SignatureSchemeError.noSecret) { try scheme.sign(body: Self.body, secrets: [], timestamp: Self.time, id: Self.id) }
    }

    static func headers(_ signature: String) -> [HeaderField] {
        [HeaderField("webhook-id", id), HeaderField("webhook-timestamp", "\(time)"), HeaderField("webhook-signature", signature)]
    }
}
