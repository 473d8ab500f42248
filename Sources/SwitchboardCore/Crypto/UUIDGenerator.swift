import Foundation

/// RFC 4122 UUIDs: random (version 4) and name-based with SHA-1 (version 5).
public enum UUIDGenerator {
    /// The name space for fully-qualified domain names (RFC 4122 Appendix C).
    public static let namespaceDNS = UUID(uuid: namespace(0x10))
    /// The name space for URLs.
    public static let namespaceURL = UUID(uuid: namespace(0x11))
    /// The name space for ISO object identifiers.
    public static let namespaceOID = UUID(uuid: namespace(0x12))
    /// The name space for X.500 distinguished names (DER or text).
    public static let namespaceX500 = UUID(uuid: namespace(0x14))

    /// A random (version 4) UUID: 122 bits from ``SecureRandom``, version and variant set.
    public static func version4() throws(CryptoError) -> UUID {
        let bytes = try SecureRandom.bytes(count: 16)
        return makeUUID(bytes, version: 4)
    }

    /// The name-based version 5 UUID of `name` (its bytes taken as given) in `namespace`:
    /// SHA-1 over the namespace's 16 bytes followed by the name, truncated to 16 bytes,
    /// with version and variant set (RFC 4122 §4.3). The same inputs always give the same UUID.
    public static func version5(namespace: UUID, name: some Sequence<UInt8>) throws(CryptoError) -> UUID {
        var input: [UInt8] = []
        input.reserveCapacity(16 + name.underestimatedCount)
        withUnsafeBytes(of: namespace.uuid) { input.append(contentsOf: $0) }
        input.append(contentsOf: name)
        let hash = try Digest.sha1(input)
        return makeUUID(hash, version: 5)
    }

    /// The version 5 UUID of the UTF-8 bytes of `name` in `namespace`.
    public static func version5(namespace: UUID, name: String) throws(CryptoError) -> UUID {
        try version5(namespace: namespace, name: name.utf8)
    }

    /// A UUID from the first 16 of `bytes` with the version nibble and the RFC 4122 variant set.
    /// Callers always pass at least 16 bytes (random output or a 20-byte SHA-1).
    private static func makeUUID(_ bytes: [UInt8], version: UInt8) -> UUID {
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &raw) { octets in
            for index in 0..<min(16, bytes.count) { octets[index] = bytes[index] }
            octets[6] = octets[6] & 0x0F | version << 4
            octets[8] = octets[8] & 0x3F | 0x80
        }
        return UUID(uuid: raw)
    }

    /// The RFC 4122 name-space UUIDs differ only in their fourth byte: 6ba7b8XX-9dad-11d1-80b4-00c04fd430c8.
    private static func namespace(_ lastOfFirstWord: UInt8) -> uuid_t {
        (0x6B, 0xA7, 0xB8, lastOfFirstWord, 0x9D, 0xAD, 0x11, 0xD1,
         0x80, 0xB4, 0x00, 0xC0, 0x4F, 0xD4, 0x30, 0xC8)
    }
}

extension UUID {
    /// The canonical lowercase text form (8-4-4-4-12), formatted directly: Foundation's `uuidString`
    /// goes through `sprintf`, which shows up when ids are derived for every event.
    public var lowercasedText: String {
        // Nibble to lowercase hex digit by arithmetic: no table to allocate per call.
        func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }
        return withUnsafeBytes(of: uuid) { raw in
            String(unsafeUninitializedCapacity: 36) { buffer in
                var out = 0
                for (index, byte) in raw.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        buffer[out] = 0x2D
                        out += 1
                    }
                    buffer[out] = digit(byte >> 4)
                    buffer[out + 1] = digit(byte & 0x0F)
                    out += 2
                }
                return out
            }
        }
    }
}
