import Foundation
import Testing
import SwitchboardHTTP

/// How HTTPClient classifies failures, against the project's HTTPServer over loopback.
@Suite struct HTTPClientFailureTests {
    @Test func totalTimeoutAgainstSlowHandler() async throws {
        try await withClientAndServer { client, server in
            let error = await clientError(client, HTTPClientRequest(url: server.url("/slow"), totalTimeoutMilliseconds: 200))
            #expect(error?.kind == .timeout)
            #expect(error?.curlCode == 28)
        }
    }

    @Test func closedPortIsConnectError() async throws {
        let server = try HTTPClientTestServer()
        let closedURL = server.url("/echo")
        server.shutdown()
        let client = try HTTPClient()
        defer { client.shutdown() }
        let error = await clientError(client, HTTPClientRequest(url: closedURL))
        #expect(error?.kind == .connect)
        #expect(error?.message.isEmpty == false)
    }

    @Test func unresolvableHostIsDNSError() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        let error = await clientError(client, HTTPClientRequest(url: "http://nonexistent.invalid/"))
        #expect(error?.kind == .dns)
    }

    @Test func malformedOrNonHTTPURLIsInvalidURL() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        for url in ["not a url", "ftp://127.0.0.1/file", "file:///etc/passwd"] {
            let error = await clientError(client, HTTPClientRequest(url: url))
            #expect(error?.kind == .invalidURL, "\(url)")
        }
    }

    @Test func headerInjectionIsInvalidRequest() async throws {
        try await withClientAndServer { client, server in
            let request = HTTPClientRequest(url: server.url("/echo"), headers: ["X-Test": "a\r\nX-Injected: 1"])
            let error = await clientError(client, request)
            #expect(error?.kind == .invalidRequest)
            let badMethod = HTTPClientRequest(method: HTTPMethod("GET /x"), url: server.url("/echo"))
            #expect(await clientError(client, badMethod)?.kind == .invalidRequest)
        }
    }

    /// Issue 13 §5: past the cap the client stops reading; the response keeps its status, its body is the
    /// first `cap` bytes and says it was truncated (it used to fail as `tooLarge`).
    @Test func responseOverTheCapIsTruncatedWithItsStatus() async throws {
        try await withClientAndServer { client, server in
            let overDefault = try await client.execute(HTTPClientRequest(url: server.url("/bytes/\((1 << 20) + 1)")))
            #expect(overDefault.status == 200)
            #expect(overDefault.body.count == 1 << 20)
            #expect(overDefault.truncated)
            let atCap = try await client.execute(HTTPClientRequest(url: server.url("/bytes/1000"), maxResponseBodyBytes: 1000))
            #expect(atCap.body.count == 1000)
            #expect(!atCap.truncated)
            let overCap = try await client.execute(HTTPClientRequest(url: server.url("/bytes/1001"), maxResponseBodyBytes: 1000))
            #expect(overCap.status == 200 && overCap.body.count == 1000 && overCap.truncated)
            // The client goes on working after a transfer it cut short.
            #expect(try await client.execute(HTTPClientRequest(url: server.url("/echo"))).status == 200)
        }
    }

    @Test func addressPolicyRefusingLoopbackBlocksTheRequest() async throws {
        let seen = AddressLog()
        var configuration = HTTPClientConfiguration()
        configuration.addressPolicy = { address in
            seen.append(address)
            return address.text != "127.0.0.1"
        }
        try await withClientAndServer(configuration: configuration) { client, server in
            let error = await clientError(client, HTTPClientRequest(url: server.url("/echo")))
            #expect(error?.kind == .blockedAddress)
            #expect(error?.blockedAddress?.text == "127.0.0.1")
            #expect(error?.blockedAddress?.bytes == [127, 0, 0, 1])
            #expect(error?.blockedAddress?.port == UInt16(server.server.port))
            #expect(error?.message.contains("127.0.0.1") == true)
            #expect(seen.addresses.map(\.family) == [.ipv4])
            #expect(server.server.statistics.requestsCompleted == 0)
        }
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        try await withClientAndServer { client, server in
            let task = Task { await clientError(client, HTTPClientRequest(url: server.url("/slow"))) }
            try await waitUntil { server.server.statistics.requestsSuspended == 1 }
            task.cancel()
            #expect(await task.value?.kind == .cancelled)
            // The client keeps working afterwards.
            #expect(try await client.execute(HTTPClientRequest(url: server.url("/echo"))).status == 200)
        }
    }

    @Test func shutdownFailsInFlightRequests() async throws {
        let server = try HTTPClientTestServer()
        defer { server.shutdown() }
        let client = try HTTPClient()
        let count = 10
        let kinds = try await withThrowingTaskGroup(of: HTTPClientError.Kind?.self) { group in
            for _ in 0..<count {
                group.addTask { await clientError(client, HTTPClientRequest(url: server.url("/slow")))?.kind }
            }
            try await waitUntil { server.server.statistics.requestsSuspended == count }
            client.shutdown()
            var kinds: [HTTPClientError.Kind?] = []
            for try await kind in group { kinds.append(kind) }
            return kinds
        }
        #expect(kinds == Array(repeating: .shutdown, count: count))
        #expect(await clientError(client, HTTPClientRequest(url: server.url("/echo")))?.kind == .shutdown)
        client.shutdown()
    }
}

/// Polls `condition` until it holds (or gives up after about ten seconds, failing the test).
func waitUntil(_ condition: () -> Bool) async throws {
    for _ in 0..<1_000 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("condition never became true")
}

/// Records the addresses an address policy was asked about (called on the client's loop thread).
private final class AddressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [ResolvedAddress] = []

    var addresses: [ResolvedAddress] { lock.withLock { recorded } }

    func append(_ address: ResolvedAddress) { lock.withLock { recorded.append(address) } }
}
