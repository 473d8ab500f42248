import Testing
import SwitchboardHTTP

/// HTTPClient against the project's HTTPServer over loopback.
@Suite struct HTTPClientTests {
    @Test func getRoundTrip() async throws {
        try await withClientAndServer { client, server in
            let response = try await client.execute(HTTPClientRequest(url: server.url("/echo"), headers: ["X-Test": "get"]))
            #expect(response.status == 200)
            #expect(response.headers["x-method"] == "GET")
            #expect(response.headers["X-Echoed"] == "get")
            #expect(response.body.isEmpty)
            #expect(response.remoteAddress == "127.0.0.1")
        }
    }

    @Test func postRoundTripCarriesBodyAndHeaders() async throws {
        try await withClientAndServer { client, server in
            let body = Array("{\"event\":\"call.answered\",\"bytes\":\"\u{00e9}\u{0000}\"}".utf8)
            let request = HTTPClientRequest(method: .POST, url: server.url("/echo"),
                                            headers: ["X-Test": "post value", "Content-Type": "application/json"],
                                            body: body)
            let response = try await client.execute(request)
            #expect(response.status == 200)
            #expect(response.headers["X-Method"] == "POST")
            #expect(response.headers["X-Echoed"] == "post value")
            #expect(response.body == body)
        }
    }

    @Test func putWithoutBodySendsEmptyBody() async throws {
        try await withClientAndServer { client, server in
            let response = try await client.execute(HTTPClientRequest(method: .PUT, url: server.url("/echo")))
            #expect(response.status == 200)
            #expect(response.headers["X-Method"] == "PUT")
        }
    }

    @Test func callbackVariantCompletes() async throws {
        try await withClientAndServer { client, server in
            let result = await withCheckedContinuation { continuation in
                client.execute(HTTPClientRequest(url: server.url("/echo"))) { continuation.resume(returning: $0) }
            }
            let response = try result.get()
            #expect(response.status == 200)
        }
    }

    @Test func manyConcurrentRequestsAllSucceed() async throws {
        try await withClientAndServer { client, server in
            let count = 200
            let matched = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<count {
                    group.addTask {
                        let body = Array("request \(index)".utf8)
                        let request = HTTPClientRequest(method: .POST, url: server.url("/echo"), body: body)
                        guard let response = try? await client.execute(request) else { return false }
                        return response.status == 200 && response.body == body
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(matched == count)
        }
    }

    @Test func sequentialRequestsReuseTheConnection() async throws {
        try await withClientAndServer { client, server in
            var responses: [HTTPClientResponse] = []
            for _ in 0..<5 {
                responses.append(try await client.execute(HTTPClientRequest(url: server.url("/echo"))))
            }
            let first = try #require(responses.first)
            #expect(!first.reusedConnection)
            #expect(first.localPort > 0)
            for response in responses.dropFirst() {
                #expect(response.reusedConnection)
                #expect(response.localPort == first.localPort)
            }
        }
    }

    @Test func redirectIsReturnedNotFollowed() async throws {
        try await withClientAndServer { client, server in
            let response = try await client.execute(HTTPClientRequest(url: server.url("/redirect")))
            #expect(response.status == 302)
            #expect(response.headers["Location"] == "/echo")
            #expect(response.headers["X-Method"] == nil)
        }
    }
}
