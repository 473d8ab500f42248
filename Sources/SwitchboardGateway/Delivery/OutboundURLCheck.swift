import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SwitchboardCore
import SwitchboardHTTP

/// Why a destination URL was refused, worded for a 422 body:
/// `url: https://x/: host resolves to 127.0.0.1, a loopback address`.
public struct OutboundURLError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable, CustomStringConvertible {
        /// Not an absolute URL at all.
        case malformed
        /// A scheme other than `http`/`https` (or none).
        case unsupportedScheme(String)
        case missingHost
        /// `user:password@` in the authority (credentials leak into logs and stores; curl would send them).
        case userinfo
        /// A port outside `1...65535`.
        case invalidPort(Int)
        /// Percent-encoded or otherwise unusable host text.
        case invalidHost(String)
        /// The resolver found no address; the text is its own message.
        case unresolvable(String)
        /// One of the host's addresses is refused by the policy.
        case refusedAddress(IPAddress, AddressCategory)

        public var description: String {
            switch self {
            case .malformed: "not an absolute URL"
            case .unsupportedScheme(let scheme): "scheme \"\(scheme)\" is not http or https"
            case .missingHost: "no host"
            case .userinfo: "user name or password in the URL are not allowed"
            case .invalidPort(let port): "port \(port) is not 1 to 65535"
            case .invalidHost(let host): "host \"\(host)\" is not a valid host name"
            case .unresolvable(let message): "host does not resolve (\(message))"
            case .refusedAddress(let address, let category): "host resolves to \(address), \(category)"
            }
        }
    }

    /// The URL as given.
    public var url: String
    public var reason: Reason

    public init(url: String, reason: Reason) {
        self.url = url
        self.reason = reason
    }

    public var description: String { "url: \(url): \(reason)" }
}

/// A destination URL that passed ``OutboundURLCheck``.
public struct CheckedOutboundURL: Sendable, Equatable {
    public var url: String
    /// `http` or `https`, lowercased.
    public var scheme: String
    /// The host without brackets: a name, or an IPv4/IPv6 literal.
    public var host: String
    /// The explicit port, or the scheme's default.
    public var port: Int
    /// Every address the host resolved to when checked (all allowed).
    public var addresses: [IPAddress]
}

/// Validates destination URLs for the management APIs (endpoints, per-call webhook URLs) before they
/// are stored: absolute `http`/`https`, a host, no userinfo, a valid port, and every address the host
/// resolves to allowed by the ``OutboundPolicy`` (one refused address refuses the URL, as the client
/// might connect to any of them).
///
/// This is the early, friendly answer. DNS can change between this check and a delivery, so the HTTP
/// client enforces the same policy again on each connection (``OutboundPolicy/clientAddressPolicy(onRefusal:)``).
public struct OutboundURLCheck: Sendable {
    /// Resolves a host name to its addresses; throws the resolver's message.
    public typealias Resolver = @Sendable (String) throws(HostResolutionError) -> [IPAddress]

    public let policy: OutboundPolicy
    private let resolve: Resolver

    public init(policy: OutboundPolicy, resolver: @escaping Resolver = HostResolver.addresses(of:)) {
        self.policy = policy
        self.resolve = resolver
    }

    /// Checks `url`. Blocks on DNS (`getaddrinfo`): call it from a thread that may block, not from the
    /// cooperative pool.
    public func check(_ url: String) throws(OutboundURLError) -> CheckedOutboundURL {
        func fail(_ reason: OutboundURLError.Reason) -> OutboundURLError { OutboundURLError(url: url, reason: reason) }
        guard let components = URLComponents(string: url), let rawScheme = components.scheme else {
            throw fail(.malformed)
        }
        let scheme = rawScheme.lowercased()
        guard scheme == "http" || scheme == "https" else { throw fail(.unsupportedScheme(rawScheme)) }
        guard let encodedHost = components.encodedHost, !encodedHost.isEmpty else { throw fail(.missingHost) }
        guard components.user == nil, components.password == nil else { throw fail(.userinfo) }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65_535).contains(port) else { throw fail(.invalidPort(port)) }
        let host = Self.unbracketed(encodedHost)
        guard !host.contains("%") else { throw fail(.invalidHost(encodedHost)) }
        let addresses: [IPAddress]
        do {
            addresses = try resolve(host)
        } catch {
            throw fail(.unresolvable(error.message))
        }
        guard !addresses.isEmpty else { throw fail(.unresolvable("no addresses")) }
        for address in addresses {
            if case .refused(let category) = policy.check(address) { throw fail(.refusedAddress(address, category)) }
        }
        return CheckedOutboundURL(url: url, scheme: scheme, host: host, port: port, addresses: addresses)
    }

    private static func unbracketed(_ host: String) -> String {
        guard host.hasPrefix("["), host.hasSuffix("]"), host.count >= 2 else { return host }
        return String(host.dropFirst().dropLast())
    }
}

/// A failed name resolution.
public struct HostResolutionError: Error, Sendable, Equatable {
    public var message: String
}

/// The system resolver (`getaddrinfo`), as the HTTP client's resolver sees it: IPv4 and IPv6, every
/// address returned, no `AI_ADDRCONFIG` filtering.
public enum HostResolver {
    /// Every distinct address of `host` (a name or a literal), in the resolver's order.
    public static func addresses(of host: String) throws(HostResolutionError) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            throw HostResolutionError(message: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var node = list
        while let entry = node?.pointee {
            if let raw = entry.ai_addr,
               let address = ResolvedAddress(sockaddr: raw, length: Int(entry.ai_addrlen))?.ipAddress,
               !addresses.contains(address) {
                addresses.append(address)
            }
            node = entry.ai_next
        }
        return addresses
    }
}

extension OutboundPolicy {
    /// The policy as ``HTTPClientConfiguration/addressPolicy``: checked after DNS, before each new
    /// connection. `onRefusal` hears each refusal (on the client's loop thread: keep it cheap) with the
    /// address and its category. An address that is neither 4 nor 16 bytes cannot come from the client;
    /// it would be refused as reserved.
    public func clientAddressPolicy(
        onRefusal: (@Sendable (ResolvedAddress, AddressCategory) -> Void)? = nil
    ) -> HTTPClientConfiguration.AddressPolicy {
        let policy = self
        return { resolved in
            let decision = resolved.ipAddress.map(policy.check) ?? .refused(.reserved)
            guard case .refused(let category) = decision else { return true }
            onRefusal?(resolved, category)
            return false
        }
    }

    /// ``clientAddressPolicy(onRefusal:)`` logging each refusal as a warning with the address and why.
    public func clientAddressPolicy(logger: Logger) -> HTTPClientConfiguration.AddressPolicy {
        clientAddressPolicy { address, category in
            logger.warn("outbound connection refused",
                        ["address": .string(address.text), "port": .int(Int(address.port)),
                         "category": .string(category.rawValue), "reason": .string(category.description)])
        }
    }
}
