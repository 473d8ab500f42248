import Foundation
import SwitchboardCore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// A source's inbound secret rolled with `secret_previous`: both verify until the expiry, then only the
/// new one (over real HTTP ingest, real signatures).
@Suite("Source secret_previous")
struct SecretPreviousTests {
    private static let body = Array(#"{"id": "9c1d9f9e-21a1-4f6d-8fce-bf4a4b8a9e3f", "type": "call.completed", "created": 1713268800, "api_version": "2026-04", "data": {"call": {"id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "status": "completed", "result": {"confirmed": true}, "duration_seconds": 34}}}"#.utf8)

    private func post(port: Int, source: String, secret: String) throws -> Int {
        let headers = try CallingBoxSignature().sign(body: Self.body, secrets: [secret],
                                                     timestamp: Int64(Date().timeIntervalSince1970), id: nil)
        return try RawHTTPConnection(port: port).request("POST", "/v1/ingest/\(source)",
                                                         headers: headers.map { ($0.name, $0.value) } + [("Content-Type", "application/json")],
                                                         body: Self.body).status
    }

    @Test func thePreviousSecretVerifiesUntilItsExpiryOnly() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let now = Date().timeIntervalSince1970
        let json = """
        {"listen": {"host": "127.0.0.1", "port": 0}, "store": {"path": "\(directory.file("gw.sqlite"))"},
         "sources": [
           {"name": "rolling", "format": "callingbox",
            "auth": {"scheme": "callingbox", "secret": "whsec_new", "secret_previous": "whsec_old",
                     "secret_previous_expires_at": \(Int(now) + 3600)}},
           {"name": "rolled", "format": "callingbox",
            "auth": {"scheme": "callingbox", "secret": "whsec_new", "secret_previous": "whsec_old",
                     "secret_previous_expires_at": "\(Timestamp.iso8601(now - 1))"}}]}
        """
        let config = try GatewayConfig.parse(Data(json.utf8), environment: [:])
        try ConfigCheck.run(config)
        let writer = LogWriter(fileDescriptor: open("/dev/null", O_WRONLY))
        defer { writer.close() }
        let gateway = Gateway(config: config, logger: Logger(writer: writer))
        try gateway.start()
        defer { gateway.shutdown() }
        let port = gateway.port
        let statuses = try await blocking { [self] in
            try [post(port: port, source: "rolling", secret: "whsec_old"),
                 post(port: port, source: "rolling", secret: "whsec_new"),
                 post(port: port, source: "rolled", secret: "whsec_old"),
                 post(port: port, source: "rolled", secret: "whsec_new"),
                 post(port: port, source: "rolling", secret: "whsec_other")]
        }
        // 202 accepted, 200 a duplicate of the same event (authenticated, then de-duplicated), 401 refused.
        #expect(statuses[0] == 202)
        #expect(statuses[1] == 200)
        #expect(statuses[2] == 401)
        #expect(statuses[3] == 202)
        #expect(statuses[4] == 401)
    }
}
