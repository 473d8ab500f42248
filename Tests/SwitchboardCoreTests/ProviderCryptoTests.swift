import Testing
@testable import SwitchboardCore

/// The pieces the provider schemes are built from: HMAC with a chosen hash (RFC 2202, RFC 4231),
/// Ed25519 (RFC 8032 §7.1 test 1), base64url, form decoding as Python's `parse_qsl`, and the URL
/// variants Twilio's SDK tries. Expected values computed with Python's `hmac`, `base64`,
/// `urllib.parse` and `cryptography`.
@Suite("Provider crypto and request parts")
struct ProviderCryptoTests {
    @Test func hmacKnownAnswers() throws {
        let jefe = Array("Jefe".utf8), question = Array("what do ya want for nothing?".utf8)
        #expect(Hex.encode(try HMAC.authenticationCode(.sha1, key: [UInt8](repeating: 0x0b, count: 20),
                                                       message: Array("Hi There".utf8)))
            == "b617318655057264e28bc0b6fb378c8ef146be00")
        #expect(Hex.encode(try HMAC.authenticationCode(.sha1, key: jefe, message: question))
            == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        #expect(Hex.encode(try HMAC.authenticationCode(.sha1, key: [], message: []))
            == "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d")
        #expect(Hex.encode(try HMAC.authenticationCode(.sha512, key: jefe, message: question))
            == "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75"
            + "c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")
        #expect(try HMAC.authenticationCode(.sha256, key: jefe, message: question)
            == HMACSHA256Key.authenticationCode(key: jefe, message: question))
    }

    @Test func ed25519RFC8032TestOne() throws {
        let seed = try Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        let publicKey = try Ed25519.publicKey(forSeed: seed)
        #expect(Hex.encode(publicKey) == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let signature = try Ed25519.sign([], seed: seed)
        #expect(Hex.encode(signature) == "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
        #expect(try Ed25519.isValid(signature: signature, of: [], publicKey: publicKey))
        #expect(try !Ed25519.isValid(signature: signature, of: [0], publicKey: publicKey))
        var flipped = signature
        flipped[10] ^= 1
        #expect(try !Ed25519.isValid(signature: flipped, of: [], publicKey: publicKey))
        #expect(try !Ed25519.isValid(signature: Array(signature.prefix(63)), of: [], publicKey: publicKey))
        #expect(throws: CryptoError.invalidArgument("an Ed25519 private key is 32 bytes")) { try Ed25519.sign([], seed: [1]) }
    }

    @Test func base64URLIsUnpaddedAndStrict() throws {
        #expect(Base64URL.encode([0xFB, 0xFF, 0xFE]) == "-__-")
        #expect(Base64URL.encode(Array("ab".utf8)) == "YWI")
        #expect(try Base64URL.decode("-__-") == [0xFB, 0xFF, 0xFE])
        #expect(try Base64URL.decode("YWI") == Array("ab".utf8))
        for bad in ["YWI=", "+//+", "Y", "YWJ", "YW I"] {
            #expect(throws: CryptoError.invalidBase64, "\(bad)") { try Base64URL.decode(bad) }
        }
    }

    @Test func formDecodingFollowsParseQSL() {
        let pairs = FormURLEncoding.decode(Array("a=1&&b=%zz&c&d=x+y%2By&e=%C3%A9&f=%FF&=v".utf8))
        #expect(pairs.map { "\($0.name)=\($0.value)" }
            == ["a=1", "b=%zz", "c=", "d=x y+y", "e=é", "f=\u{FFFD}", "=v"])
        #expect(FormURLEncoding.decode([UInt8]()).isEmpty)
    }

    @Test func requestURLPortVariantsAndQuery() throws {
        let plain = try #require(RequestURL("https://Hooks.example.com/p?a=1&bodySHA256=ab%63#frag"))
        #expect(plain.withoutPort == "https://Hooks.example.com/p?a=1&bodySHA256=ab%63#frag")
        #expect(plain.withDefaultPort == "https://Hooks.example.com:443/p?a=1&bodySHA256=ab%63#frag")
        #expect(plain.queryValue("bodySHA256") == "abc")
        let ported = try #require(RequestURL("http://[::1]:8080?x"))
        #expect(ported.withoutPort == "http://[::1]?x")
        #expect(ported.withDefaultPort == "http://[::1]:8080?x")
        #expect(try #require(RequestURL("http://h")).withDefaultPort == "http://h:80")
        for bad in ["ftp://h/p", "https:///p", "hooks.example.com/p", ""] { #expect(RequestURL(bad) == nil, "\(bad)") }
    }
}
