import Foundation
import Testing
import SwitchboardCore

@Suite("SHA-256 and SHA-1")
struct DigestTests {
    @Test(arguments: [
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256FIPS180Vectors(message: String, expected: String) throws {
        #expect(Hex.encode(try Digest.sha256(Array(message.utf8))) == expected)
    }

    @Test func sha256OneMillionA() throws {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(Hex.encode(try Digest.sha256(message))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func sha256AcceptsData() throws {
        #expect(try Digest.sha256(Data("abc".utf8)) == Digest.sha256(Array("abc".utf8)))
        #expect(try Digest.sha256(Data()).count == 32)
    }

    @Test func sha1ABC() throws {
        let digest = try Digest.sha1(Array("abc".utf8))
        #expect(digest.count == 20)
        #expect(Hex.encode(digest) == "a9993e364706816aba3e25717850c26c9cd0d89d")
    }
}
