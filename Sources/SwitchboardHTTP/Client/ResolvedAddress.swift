#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SwitchboardCore

/// A network address the client is about to connect to, after DNS resolution.
/// Given to ``HTTPClientConfiguration/addressPolicy``.
public struct ResolvedAddress: Sendable, Hashable, CustomStringConvertible {
    /// `.ipv4` or `.ipv6`: the same families as the outbound policy's ``IPAddress``.
    public typealias Family = IPAddress.Family

    public var family: Family
    /// Network-order address bytes: 4 for IPv4, 16 for IPv6.
    public var bytes: [UInt8]
    public var port: UInt16
    /// Textual form, e.g. `127.0.0.1` or `::1` (no brackets, no port).
    public var text: String

    public init(family: Family, bytes: [UInt8], port: UInt16, text: String) {
        self.family = family
        self.bytes = bytes
        self.port = port
        self.text = text
    }

    public var description: String {
        family == .ipv6 ? "[\(text)]:\(port)" : "\(text):\(port)"
    }
}

extension ResolvedAddress {
    /// Decodes an IPv4 or IPv6 socket address; nil for any other family or a too-short length.
    /// Reads only `length` bytes from `pointer`; does not retain it.
    public init?(sockaddr pointer: UnsafeRawPointer, length: Int) {
        guard length >= MemoryLayout<sa_family_t>.size else { return nil }
        switch Int32(pointer.loadUnaligned(as: sa_family_t.self)) {
        case AF_INET where length >= MemoryLayout<sockaddr_in>.size:
            let address = pointer.loadUnaligned(as: sockaddr_in.self)
            let bytes = withUnsafeBytes(of: address.sin_addr) { Array($0) }
            self.init(family: .ipv4, bytes: bytes, port: UInt16(bigEndian: address.sin_port),
                      text: Self.format(bytes))
        case AF_INET6 where length >= MemoryLayout<sockaddr_in6>.size:
            let address = pointer.loadUnaligned(as: sockaddr_in6.self)
            let bytes = withUnsafeBytes(of: address.sin6_addr) { Array($0) }
            self.init(family: .ipv6, bytes: bytes, port: UInt16(bigEndian: address.sin6_port),
                      text: Self.format(bytes))
        default:
            return nil
        }
    }

    private static func format(_ bytes: [UInt8]) -> String {
        IPAddress(bytes: bytes)?.description ?? bytes.map(String.init).joined(separator: ".")
    }
}

extension ResolvedAddress {
    /// The address without the port, as the outbound policy judges it.
    public var ipAddress: IPAddress? { IPAddress(bytes: bytes) }
}
