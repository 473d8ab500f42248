import Testing
import SwitchboardCore

@Suite("Hex")
struct HexTests {
    @Test func encodesLowercase() {
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.encode([0x00, 0x01, 0x7F, 0x80, 0xAB, 0xFF]) == "00017f80abff")
    }

    @Test func decodesEitherCase() throws {
        #expect(try Hex.decode("") == [])
        #expect(try Hex.decode("00017f80abff") == [0x00, 0x01, 0x7F, 0x80, 0xAB, 0xFF])
        #expect(try Hex.decode("ABFF") == [0xAB, 0xFF])
        #expect(try Hex.decode("aBfF") == [0xAB, 0xFF])
    }

    @Test func roundTripsEveryByte() throws {
        let all = (0...255).map { UInt8($0) }
        #expect(try Hex.decode(Hex.encode(all)) == all)
    }

    @Test(arguments: ["a", "abc", "0g", "zz", " 0a", "0a ", "0x0a", "0a\n", "-1", "é0"])
    func rejectsInvalid(_ text: String) {
        #expect(throws: CryptoError.invalidHex) { try Hex.decode(text) }
    }
}

@Suite("Base64")
struct Base64Tests {
    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648Vectors(plain: String, encoded: String) throws {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(try Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test func shortInputs() throws {
        let cases: [([UInt8], String)] = [
            ([], ""), ([0x00], "AA=="), ([0xFF, 0xFE], "//4="),
            ([0xFB, 0xFF, 0xBF], "+/+/"), ([0x00, 0x00, 0x00, 0x00], "AAAAAA=="),
        ]
        for (bytes, text) in cases {
            #expect(Base64.encode(bytes) == text)
            #expect(try Base64.decode(text) == bytes)
        }
    }

    @Test func allByteValuesRoundTrip() throws {
        let all = (0...255).map { UInt8($0) }
        for length in 0...all.count {
            let slice = Array(all.suffix(length))
            #expect(try Base64.decode(Base64.encode(slice)) == slice)
        }
        #expect(Base64.encode(all).hasPrefix("AAECAwQFBgcICQoLDA0O"))
    }

    @Test(arguments: [
        "Zg", "Zg=", "Zm8", "Zm9vY",            // missing padding
        "Zg===", "Z===", "====", "=Zg=", "Zg=a", "Zm=v", "Zg==Zg==",  // misplaced padding
        "Zh==", "Zm9=",                          // non-zero bits under the padding
        "Zm9v\n", " Zm9v", "Zm 9v", "Zm9v\r\n",  // whitespace
        "Zm9-", "Zm9_", "Zm9*", "Zm9é",          // outside the alphabet
    ])
    func rejectsInvalid(_ text: String) {
        #expect(throws: CryptoError.invalidBase64) { try Base64.decode(text) }
    }
}

@Suite("Constant-time comparison")
struct ConstantTimeTests {
    @Test func comparesContents() {
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
        #expect(ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(!ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2, 4] as [UInt8]))
        #expect(!ConstantTime.equals([0, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
    }

    @Test func differentLengthsAreUnequal() {
        #expect(!ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2] as [UInt8]))
        #expect(!ConstantTime.equals([1, 2] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(!ConstantTime.equals([UInt8](), [0] as [UInt8]))
    }
}
