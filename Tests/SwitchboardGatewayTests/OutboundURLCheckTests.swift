import Foundation
import SwitchboardCore
import SwitchboardHTTP
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Destination URL validation with real name resolution, and the policy enforced by the real HTTP client.
@Suite struct OutboundURLCheckTests {
    private let strict = OutboundURLCheck(policy: OutboundPolicy())
    private let permissive = OutboundURLCheck(policy: OutboundPolicy(allowPrivateNetworks: true))

    /// The reason `check` refuses `url` with, or nil if it passes. Runs off the cooperative pool (DNS blocks).
    private func refusal(_ check: OutboundURLCheck, _ url: String) async throws -> OutboundURLError.Reason? {
        try await blocking { () -> OutboundURLError.Reason? in
            do {
                _ = try check.check(url)
                return nil
            } catch let error as OutboundURLError {
                #expect(error.url == url)
                return error.reason
            } catch {
                Issue.record("unexpected \(error)")
                return nil
            }
        }
    }

    @Test func shapeOfTheURL() async throws {
        #expect(try await refusal(strict, "not a url") == .malformed)
        #expect(try await refusal(strict, "/relative/path") == .malformed)
        #expect(try await refusal(strict, "ftp://example.com/") == .unsupportedScheme("ftp"))
        #expect(try await refusal(strict, "file:///etc/passwd") == .unsupportedScheme("file"))
        #expect(try await refusal(strict, "http:///path") == .missingHost)
        #expect(try await refusal(strict, "https://user:secret@8.8.8.8/") == .userinfo)
        #expect(try await refusal(strict, "https://user@8.8.8.8/") == .userinfo)
        #expect(try await refusal(strict, "http://evil.com\\@127.0.0.1/") == .userinfo)
        #expect(try await refusal(strict, "https://8.8.8.8:0/") == .invalidPort(0))
        #expect(try await refusal(strict, "https://8.8.8.8:65536/") == .invalidPort(65_536))
        #expect(try await refusal(strict, "https://8.8.8.8:abc/") == .malformed)
        #expect(try await refusal(strict, "https://exa%6Dple.com/") == .invalidHost("exa%6Dple.com"))
    }

    @Test func literalAddresses() async throws {
        let loopback = try #require(IPAddress("127.0.0.1"))
        #expect(try await refusal(strict, "http://127.0.0.1:8080/hook") == .refusedAddress(loopback, .loopback))
        #expect(try await refusal(strict, "http://[::1]/") == .refusedAddress(#require(IPAddress("::1")), .loopback))
        #expect(try await refusal(strict, "http://[::ffff:127.0.0.1]/")
                == .refusedAddress(#require(IPAddress("::ffff:127.0.0.1")), .loopback))
        #expect(try await refusal(strict, "http://169.254.169.254/latest/meta-data/")
                == .refusedAddress(IPAddress(169, 254, 169, 254), .metadata))
        #expect(try await refusal(strict, "http://10.0.0.5/") == .refusedAddress(IPAddress(10, 0, 0, 5), .privateNetwork))
        // The resolver's numeric shorthands are caught too: 127.1 and 2130706433 are 127.0.0.1.
        #expect(try await refusal(strict, "http://127.1/") == .refusedAddress(loopback, .loopback))
        #expect(try await refusal(strict, "http://2130706433/") == .refusedAddress(loopback, .loopback))
        let checked = try await blocking { try strict.check("HTTPS://8.8.8.8/hook") }
        #expect(checked.scheme == "https")
        #expect(checked.host == "8.8.8.8")
        #expect(checked.port == 443)
        #expect(checked.addresses == [IPAddress(8, 8, 8, 8)])
        let v6 = try await blocking { try strict.check("http://[2606:4700:4700::1111]:8443/") }
        #expect(v6.host == "2606:4700:4700::1111")
        #expect(v6.port == 8443)
    }

    @Test func aNameResolvingToLoopbackIsRefusedUnlessPrivateNetworksAreAllowed() async throws {
        let reason = try await refusal(strict, "https://localhost/hook")
        guard case .refusedAddress(let address, let category) = reason else {
            Issue.record("expected a refused address, got \(String(describing: reason))")
            return
        }
        #expect(category == .loopback)
        #expect(address == IPAddress(127, 0, 0, 1) || address == IPAddress("::1"))
        let message = OutboundURLError(url: "https://localhost/hook", reason: .refusedAddress(IPAddress(127, 0, 0, 1), .loopback))
        #expect(message.description == "url: https://localhost/hook: host resolves to 127.0.0.1, a loopback address")

        let checked = try await blocking { try permissive.check("http://localhost:8080/hook") }
        #expect(checked.port == 8080)
        #expect(checked.addresses.contains(IPAddress(127, 0, 0, 1)) || checked.addresses.contains { $0 == IPAddress("::1") })
        // An allow-list naming loopback also lets it through.
        let listed = OutboundURLCheck(policy: try OutboundPolicy(allowCIDRs: ["127.0.0.0/8", "::1/128"]))
        #expect(try await refusal(listed, "http://localhost/") == nil)
    }

    @Test func unresolvableNames() async throws {
        guard case .unresolvable(let message) = try await refusal(strict, "https://nonexistent.invalid/") else {
            Issue.record("expected unresolvable")
            return
        }
        #expect(!message.isEmpty)
    }

    @Test func anyRefusedAddressRefusesTheURL() async throws {
        let resolver: OutboundURLCheck.Resolver = { host throws(HostResolutionError) in
            guard host == "mixed.example" else { throw HostResolutionError(message: "unknown") }
            return [IPAddress(93, 184, 216, 34), IPAddress(10, 0, 0, 7)]
        }
        let check = OutboundURLCheck(policy: OutboundPolicy(), resolver: resolver)
        #expect(try await refusal(check, "https://mixed.example/") == .refusedAddress(IPAddress(10, 0, 0, 7), .privateNetwork))
        #expect(try await refusal(check, "https://other.example/") == .unresolvable("unknown"))
        let empty = OutboundURLCheck(policy: OutboundPolicy()) { _ throws(HostResolutionError) in [] }
        #expect(try await refusal(empty, "https://nothing.example/") == .unresolvable("no addresses"))
    }

    @Test func deliveryConfigBuildsThePolicies() throws {
        var config = DeliveryConfig()
        config.allowCIDRs = ["10.0.0.0/8"]
        let policy = try config.outboundPolicy()
        #expect(policy.check(IPAddress(10, 1, 1, 1)) == .allowed)
        #expect(policy.check(IPAddress(127, 0, 0, 1)) == .refused(.loopback))
        #expect(config.retryPolicy.maximumAttempts == 8)
        #expect(config.retryPolicy.jitter == 0.2)
        config.allowCIDRs = ["nope"]
        #expect(throws: CIDRError.self) { try config.outboundPolicy() }
    }

    // MARK: - Through the real client

    /// The project's server on 127.0.0.1 answering `GET /` with 200 "ok".
    private func withLoopbackServer(_ body: (Int) async throws -> Void) async throws {
        var router = Router()
        router.add(.GET, "/", .immediate { _ in HTTPResponse(status: 200, body: Array("ok".utf8)) })
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, threads: 2),
                                router: router)
        try server.start()
        defer { server.shutdown(graceSeconds: 0) }
        try await body(server.port)
    }

    @Test func clientRefusesLocalhostUnderTheDefaultPolicy() async throws {
        try await withLoopbackServer { port in
            let refusals = LockedArray<AddressCategory>()
            var configuration = HTTPClientConfiguration()
            configuration.addressPolicy = OutboundPolicy().clientAddressPolicy { _, category in refusals.append(category) }
            let client = try HTTPClient(configuration: configuration)
            defer { client.shutdown() }
            do {
                _ = try await client.execute(HTTPClientRequest(url: "http://localhost:\(port)/"))
                Issue.record("the request went through")
            } catch let error as HTTPClientError {
                #expect(error.kind == .blockedAddress)
                let blocked = try #require(error.blockedAddress)
                #expect(IPAddress(bytes: blocked.bytes).flatMap(AddressCategory.of) == .loopback)
            } catch {
                Issue.record("unexpected \(error)")
            }
            #expect(!refusals.values.isEmpty)
            #expect(refusals.values.allSatisfy { $0 == .loopback })
        }
    }

    @Test func clientReachesLocalhostWhenPrivateNetworksAreAllowed() async throws {
        try await withLoopbackServer { port in
            var configuration = HTTPClientConfiguration()
            let policy = OutboundPolicy(allowPrivateNetworks: true)
            configuration.addressPolicy = policy.clientAddressPolicy { _, _ in Issue.record("refused") }
            let client = try HTTPClient(configuration: configuration)
            defer { client.shutdown() }
            let response = try await client.execute(HTTPClientRequest(url: "http://localhost:\(port)/"))
            #expect(response.status == 200)
            #expect(response.body == Array("ok".utf8))
        }
    }

    @Test func loggingAdapterWritesTheRefusal() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("log.jsonl")
        let writer = LogWriter(fileDescriptor: Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600))
        let addressPolicy = OutboundPolicy().clientAddressPolicy(logger: Logger(writer: writer))
        #expect(!addressPolicy(ResolvedAddress(family: .ipv4, bytes: [169, 254, 169, 254], port: 80, text: "169.254.169.254")))
        #expect(addressPolicy(ResolvedAddress(family: .ipv4, bytes: [8, 8, 8, 8], port: 443, text: "8.8.8.8")))
        writer.close()
        let log = try String(contentsOfFile: path, encoding: .utf8)
        #expect(log.contains("outbound connection refused"))
        #expect(log.contains(#""address":"169.254.169.254""#))
        #expect(log.contains(#""category":"metadata""#))
        #expect(!log.contains("8.8.8.8"))
    }
}
