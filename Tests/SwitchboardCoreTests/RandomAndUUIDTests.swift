import Foundation
import Testing
import SwitchboardCore

@Suite("Secure random bytes")
struct SecureRandomTests {
    @Test(arguments: [0, 1, 16, 32, 1000])
    func producesRequestedLength(_ count: Int) throws {
        #expect(try SecureRandom.bytes(count: count).count == count)
    }

    @Test func doesNotRepeat() throws {
        var seen = Set<[UInt8]>()
        for _ in 0..<1000 {
            seen.insert(try SecureRandom.bytes(count: 16))
        }
        #expect(seen.count == 1000)
    }

    @Test func rejectsBadCounts() {
        #expect(throws: CryptoError.self) { try SecureRandom.bytes(count: -1) }
        #expect(throws: CryptoError.self) { try SecureRandom.bytes(count: Int(Int32.max) + 1) }
    }
}

@Suite("UUIDs")
struct UUIDGeneratorTests {
    @Test func version5RFCExample() throws {
        // Cross-checked with Python: uuid.uuid5(uuid.NAMESPACE_DNS, "www.example.com").
        let uuid = try UUIDGenerator.version5(namespace: UUIDGenerator.namespaceDNS, name: "www.example.com")
        #expect(uuid.uuidString.lowercased() == "2ed6657d-e927-568b-95e1-2665a8aea6a2")
    }

    @Test func version5IsDeterministicAndNamespaced() throws {
        let first = try UUIDGenerator.version5(namespace: UUIDGenerator.namespaceURL, name: "https://example.com/")
        let again = try UUIDGenerator.version5(namespace: UUIDGenerator.namespaceURL, name: Array("https://example.com/".utf8))
        let other = try UUIDGenerator.version5(namespace: UUIDGenerator.namespaceDNS, name: "https://example.com/")
        #expect(first == again)
        #expect(first != other)
        #expect(versionAndVariant(first) == (5, 0b10))
    }

    @Test func namespaceConstants() {
        #expect(UUIDGenerator.namespaceDNS.uuidString == "6BA7B810-9DAD-11D1-80B4-00C04FD430C8")
        #expect(UUIDGenerator.namespaceURL.uuidString == "6BA7B811-9DAD-11D1-80B4-00C04FD430C8")
        #expect(UUIDGenerator.namespaceOID.uuidString == "6BA7B812-9DAD-11D1-80B4-00C04FD430C8")
        #expect(UUIDGenerator.namespaceX500.uuidString == "6BA7B814-9DAD-11D1-80B4-00C04FD430C8")
    }

    @Test func version4HasVersionAndVariantBits() throws {
        var seen = Set<UUID>()
        for _ in 0..<500 {
            let uuid = try UUIDGenerator.version4()
            #expect(versionAndVariant(uuid) == (4, 0b10))
            #expect(uuid.uuidString.split(separator: "-")[2].first == "4")
            seen.insert(uuid)
        }
        #expect(seen.count == 500)
    }

    private func versionAndVariant(_ uuid: UUID) -> (UInt8, UInt8) {
        let bytes = withUnsafeBytes(of: uuid.uuid) { Array($0) }
        return (bytes[6] >> 4, bytes[8] >> 6)
    }
}

@Suite("UUID text")
struct UUIDTextTests {
    @Test func lowercasedTextMatchesFoundation() throws {
        for _ in 0..<100 {
            let uuid = try UUIDGenerator.version4()
            #expect(uuid.lowercasedText == uuid.uuidString.lowercased())
        }
        #expect(try UUIDGenerator.version5(namespace: UUIDGenerator.namespaceDNS, name: "www.example.com").lowercasedText
                == "2ed6657d-e927-568b-95e1-2665a8aea6a2")
    }
}
