import Testing
@testable import SwitchboardCore

@Suite("Signature failures")
struct SignatureFailureTests {
    typealias F = SignatureFixture
    static let hex = "ae8f5284d8343c921cd4611caa0380cdd87c3b5315eb8f564379543765a26705"

    /// Verifies a CallingBox header value over the fixture body signed with `whsec_test` at `F.time`.
    private func callingBox(_ value: String, now: Int64 = F.time) throws(SignatureFailure) {
        try CallingBoxSignature().verify(body: F.body, headers: F.headers(["CallingBox-Signature": value]),
                                         secrets: ["whsec_test"], now: now)
    }

    private func malformed(_ problem: String, _ name: String = "CallingBox-Signature") -> SignatureFailure {
        .malformedHeader(name: name, problem: problem)
    }

    @Test func callingBoxHeaderParsing() throws {
        try callingBox("t=1700000000,v1=\(Self.hex)")
        try callingBox(" t = 1700000000 ,\tv1 = \(Self.hex) ")  // spaces around keys and values, as the SDK
        try callingBox("v0=abc,t=1700000000,x=y,v1=\(String(repeating: "0", count: 64)),v1=\(Self.hex)")
        try callingBox("t=0001700000000,v1=\(Self.hex)")  // signed over the canonical integer, as the SDK
        #expect(throws: malformed("part 2 is empty")) { try callingBox("t=1700000000, ,v1=\(Self.hex)") }
        #expect(throws: malformed("part 3 is empty")) { try callingBox("t=1700000000,v1=\(Self.hex),") }
        #expect(throws: malformed("part 2 has an empty key or value")) { try callingBox("t=1700000000,v1=") }
        #expect(throws: malformed("part 1 has an empty key or value")) { try callingBox("=1,t=1700000000,v1=\(Self.hex)") }
        #expect(throws: malformed("part 2 has no '='")) { try callingBox("t=1700000000,v1\(Self.hex)") }
        #expect(throws: malformed("missing t=")) { try callingBox("v1=\(Self.hex)") }
        #expect(throws: malformed("missing v1=")) { try callingBox("t=1700000000,v0=\(Self.hex)") }
        #expect(throws: malformed("more than one t=")) { try callingBox("t=1700000000,t=1700000000,v1=\(Self.hex)") }
        for bad in ["abc", "+1700000000", "-5", "1.5", "1e9", "1_700_000_000", "١٧", "1234567890123456789"] {
            #expect(throws: malformed("timestamp '\(bad)' is not a whole number of seconds")) {
                try callingBox("t=\(bad),v1=\(Self.hex)")
            }
        }
        let notHex = malformed("no v1= value is 64 lowercase hexadecimal digits")
        #expect(throws: notHex) { try callingBox("t=1700000000,v1=\(Self.hex.uppercased())") }
        #expect(throws: notHex) { try callingBox("t=1700000000,v1=\(Self.hex.dropLast(2))") }
        #expect(throws: notHex) { try callingBox("t=1700000000,v1=\(Self.hex)00") }
        #expect(throws: SignatureFailure.signatureMismatch) {
            try callingBox("t=1700000000,v1=\(Self.hex.uppercased()),v1=\(String(repeating: "0", count: 64))")
        }
    }

    @Test func toleranceEdges() throws {
        let signed = "t=1700000000,v1=\(Self.hex)"
        try callingBox(signed, now: F.time + 300)
        try callingBox(signed, now: F.time - 300)
        #expect(throws: SignatureFailure.staleTimestamp(age: 301, tolerance: 300)) { try callingBox(signed, now: F.time + 301) }
        #expect(throws: SignatureFailure.futureTimestamp(ahead: 301, tolerance: 300)) { try callingBox(signed, now: F.time - 301) }
        let headers = F.headers(["CallingBox-Signature": signed])
        let scheme = CallingBoxSignature()
        try scheme.verify(body: F.body, headers: headers, secrets: ["whsec_test"], now: F.time + 10, tolerance: 10)
        #expect(throws: SignatureFailure.staleTimestamp(age: 11, tolerance: 10)) {
            try scheme.verify(body: F.body, headers: headers, secrets: ["whsec_test"], now: F.time + 11, tolerance: 10)
        }
        for now in [Int64.min, 0, Int64.max] {  // 0 disables the window, even at the extremes
            try scheme.verify(body: F.body, headers: headers, secrets: ["whsec_test"], now: now, tolerance: 0)
        }
        #expect(throws: SignatureFailure.staleTimestamp(age: .max, tolerance: 300)) {
            try SignedTimestamp.checkFreshness(-2, now: .max, tolerance: 300)
        }
        #expect(throws: SignatureFailure.futureTimestamp(ahead: .max, tolerance: 300)) {
            try SignedTimestamp.checkFreshness(999_999_999_999_999_999, now: .min, tolerance: 300)
        }
    }

    @Test func staleAndFutureForEveryTimedScheme() throws {
        let cases: [(any SignatureScheme, String)] = [(StandardWebhooksSignature(), F.swSecret), (InkboxSignature(), "k")]
        for (scheme, secret) in cases {
            let headers = try scheme.sign(body: F.body, secrets: [secret], timestamp: F.time, id: "id_1")
            try scheme.verify(body: F.body, headers: headers, secrets: [secret], now: F.time + 300)
            try scheme.verify(body: F.body, headers: headers, secrets: [secret], now: F.time - 300)
            #expect(throws: SignatureFailure.staleTimestamp(age: 301, tolerance: 300)) {
                try scheme.verify(body: F.body, headers: headers, secrets: [secret], now: F.time + 301)
            }
            #expect(throws: SignatureFailure.futureTimestamp(ahead: 301, tolerance: 300)) {
                try scheme.verify(body: F.body, headers: headers, secrets: [secret], now: F.time - 301)
            }
        }
    }

    @Test func missingAndRepeatedHeadersAndNameCase() throws {
        let scheme = InkboxSignature()
        let headers = try scheme.sign(body: F.body, secrets: ["k"], timestamp: F.time, id: "req_1")
        let shouted = headers.map { HeaderField($0.name.uppercased(), $0.value) }
        let lowered = headers.map { HeaderField($0.name.lowercased(), $0.value) }
        try scheme.verify(body: F.body, headers: shouted, secrets: ["k"], now: F.time)
        try scheme.verify(body: F.body, headers: lowered + [HeaderField("Other", "x")], secrets: ["k"], now: F.time)
        for (index, name) in ["X-Inkbox-Request-ID", "X-Inkbox-Timestamp", "X-Inkbox-Signature"].enumerated() {
            var without = headers
            without.remove(at: index)
            #expect(throws: SignatureFailure.missingHeader(name)) {
                try scheme.verify(body: F.body, headers: without, secrets: ["k"], now: F.time)
            }
            #expect(throws: malformed("appears more than once", name)) {
                try scheme.verify(body: F.body, headers: headers + [lowered[index]], secrets: ["k"], now: F.time)
            }
            var blank = headers
            blank[index].value = " \t"
            #expect(throws: malformed("empty value", name)) {
                try scheme.verify(body: F.body, headers: blank, secrets: ["k"], now: F.time)
            }
        }
    }

    @Test func inkboxSignatureSyntax() throws {
        let scheme = InkboxSignature()
        var headers = try scheme.sign(body: F.body, secrets: ["k"], timestamp: F.time, id: "req_1")
        let signature = headers[2].value
        let name = "X-Inkbox-Signature"
        let notHex = malformed("the value after 'sha256=' is not 64 lowercase hexadecimal digits", name)
        let cases: [(String, SignatureFailure)] = [
            (signature.uppercased(), malformed("does not start with 'sha256='", name)),
            (String(signature.dropFirst(7)), malformed("does not start with 'sha256='", name)),
            ("sha256=" + signature.dropFirst(7).uppercased(), notHex),
            (signature + "00", notHex),
            (String(signature.dropLast(1)) + (signature.hasSuffix("0") ? "1" : "0"), .signatureMismatch),
        ]
        for (value, failure) in cases {
            headers[2].value = value
            #expect(throws: failure) { try scheme.verify(body: F.body, headers: headers, secrets: ["k"], now: F.time) }
        }
        headers[2].value = signature
        headers[1].value = "1700000000.0"
        #expect(throws: malformed("timestamp '1700000000.0' is not a whole number of seconds", "X-Inkbox-Timestamp")) {
            try scheme.verify(body: F.body, headers: headers, secrets: ["k"], now: F.time)
        }
    }

    @Test func standardWebhooksSignatureList() throws {
        let scheme = StandardWebhooksSignature()
        var headers = try scheme.sign(body: F.body, secrets: [F.swSecret], timestamp: F.time, id: "msg_1")
        let good = headers[2].value
        let name = "webhook-signature"
        let cases: [(String, SignatureFailure?)] = [
            ("  v1a,abc   \(good)  ", nil),  // extra spaces and other versions are skipped
            ("v2,\(good.dropFirst(3)) \(good)", nil),
            ("v1,\(good.dropFirst(3).dropLast()) \(good)", nil),  // an unpadded v1 never matches, the next does
            ("v1", malformed("'v1' is not <version>,<signature>", name)),
            ("v1a,abc", malformed("no v1 signature", name)),
            ("v1,not-base64!", malformed("no v1 signature is base64 of 32 bytes", name)),
            ("v1,\(good.dropFirst(3).dropLast())", malformed("no v1 signature is base64 of 32 bytes", name)),
            ("v1,AAAA", malformed("no v1 signature is base64 of 32 bytes", name)),
            ("v1," + String(repeating: "A", count: 43) + "=", .signatureMismatch),
        ]
        for (value, failure) in cases {
            headers[2].value = value
            if let failure {
                #expect(throws: failure, "\(value)") {
                    try scheme.verify(body: F.body, headers: headers, secrets: [F.swSecret], now: F.time)
                }
            } else {
                try scheme.verify(body: F.body, headers: headers, secrets: [F.swSecret], now: F.time)
            }
        }
        headers[2].value = good
        headers[1].value = "0001700000000"  // the canonical integer is signed, as the Python library does
        try scheme.verify(body: F.body, headers: headers, secrets: [F.swSecret], now: F.time)
        headers[0].value = "msg_2"
        #expect(throws: SignatureFailure.signatureMismatch) {
            try scheme.verify(body: F.body, headers: headers, secrets: [F.swSecret], now: F.time)
        }
    }

    @Test func secretsAreCheckedFirst() throws {
        let anyHeaders = F.headers(["X": "y"])
        for name in SignatureSchemes.names {
            let scheme = try F.scheme(name, tokenHeader: name == "header-token" ? "X-Token" : nil)
            #expect(throws: SignatureFailure.noSecretConfigured) {
                try scheme.verify(body: F.body, headers: anyHeaders, secrets: [], now: F.time)
            }
            #expect(throws: SignatureSchemeError.noSecret) {
                try scheme.sign(body: F.body, secrets: [], timestamp: F.time, id: "i")
            }
        }
        let invalid: [(String, String, String)] = [
            ("callingbox", "", "the secret is empty"),
            ("inkbox", "whsec_", "the key is empty"),
            ("standard-webhooks", "whsec_", "the key is empty"),
            ("standard-webhooks", "whsec_abc-_def", "not whsec_<base64 key> nor base64"),
            ("standard-webhooks", "plain secret", "not whsec_<base64 key> nor base64"),
            ("header-token", "", "the token is empty"),
        ]
        for (name, secret, problem) in invalid {
            let scheme = try F.scheme(name, tokenHeader: name == "header-token" ? "X-Token" : nil)
            #expect(throws: SignatureFailure.invalidSecret(problem: problem)) {
                try scheme.verify(body: F.body, headers: anyHeaders, secrets: ["whsec_dGVzdA", secret], now: F.time)
            }
        }
        #expect(throws: SignatureSchemeError.invalidSecret(problem: "the key is empty")) {
            try InkboxSignature().sign(body: F.body, secrets: ["whsec_"], timestamp: F.time, id: "r")
        }
    }

    @Test func headerTokenFailures() throws {
        let scheme = try HeaderTokenSignature(headerName: "X-Token")
        #expect(throws: SignatureFailure.missingHeader("X-Token")) {
            try scheme.verify(body: F.body, headers: F.headers(["X-Other": "t"]), secrets: ["t"], now: 0)
        }
        for wrong in ["T", "tt", "x", "t\u{0}"] {
            #expect(throws: SignatureFailure.signatureMismatch) {
                try scheme.verify(body: F.body, headers: F.headers(["x-token": wrong]), secrets: ["t"], now: 0)
            }
        }
        #expect(throws: SignatureSchemeError.tooManySecrets(scheme: "header-token", limit: 1)) {
            try scheme.sign(body: [], secrets: ["a", "b"], timestamp: 0, id: nil)
        }
    }

    @Test func signingNeverProducesLineBreaks() throws {
        let badValue = SignatureSchemeError.invalidHeaderValue
        #expect(throws: badValue("webhook-id", "contains a control character (such as CR or LF)")) {
            try StandardWebhooksSignature().sign(body: [], secrets: [F.swSecret], timestamp: 1, id: "a\r\nX-Evil: 1")
        }
        #expect(throws: badValue("X-Inkbox-Request-ID", "contains a control character (such as CR or LF)")) {
            try InkboxSignature().sign(body: [], secrets: ["k"], timestamp: 1, id: "a\n")
        }
        #expect(throws: badValue("X-Inkbox-Request-ID", "leading or trailing whitespace")) {
            try InkboxSignature().sign(body: [], secrets: ["k"], timestamp: 1, id: " a")
        }
        #expect(throws: badValue("webhook-id", "empty value")) {
            try StandardWebhooksSignature().sign(body: [], secrets: [F.swSecret], timestamp: 1, id: "")
        }
        #expect(throws: SignatureSchemeError.missingMessageID(scheme: "inkbox")) {
            try InkboxSignature().sign(body: [], secrets: ["k"], timestamp: 1, id: nil)
        }
        #expect(throws: SignatureSchemeError.invalidTimestamp(-1)) {
            try CallingBoxSignature().sign(body: [], secrets: ["k"], timestamp: -1, id: nil)
        }
        #expect(throws: SignatureSchemeError.invalidSecret(problem: "the token is not a valid header value")) {
            try HeaderTokenSignature(headerName: "X-Token").sign(body: [], secrets: ["a\r\nb"], timestamp: 0, id: nil)
        }
        // A CallingBox secret with a line break is a valid key: it never reaches a header.
        let headers = try CallingBoxSignature().sign(body: [], secrets: ["whsec_\r\n"], timestamp: 1, id: nil)
        #expect(!headers.contains { $0.value.contains(where: \.isNewline) })
    }

    @Test func descriptionsNameTheProblem() {
        #expect(SignatureFailure.missingHeader("webhook-id").description == "missing header webhook-id")
        #expect(SignatureFailure.staleTimestamp(age: 301, tolerance: 300).description
            == "stale timestamp: signed 301 s ago, outside the 300 s tolerance")
        #expect(SignatureFailure.futureTimestamp(ahead: 400, tolerance: 300).description
            == "timestamp 400 s in the future, outside the 300 s tolerance")
        #expect(SignatureFailure.malformedHeader(name: "X", problem: "missing t=").description == "malformed header X: missing t=")
        #expect(SignatureSchemeError.unknownScheme("x").description.contains("callingbox, standard-webhooks, inkbox, header-token"))
    }
}
