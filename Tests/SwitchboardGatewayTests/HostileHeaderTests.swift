import Foundation
import SwitchboardCore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Issue 12 §8, end to end over raw sockets: a NUL-suffixed API key is no longer taken for its prefix,
/// two `Authorization` headers are refused, and two signature headers of one scheme are 401 with the
/// reason, for every scheme a source can use.
@Suite("Gateway: hostile headers")
struct HostileHeaderTests {
    private static let sources = """
        [{"name": "salpre", "format": "salpre",
          "auth": {"scheme": "header-token", "header": "X-Salpre-Token", "value": "\(ManagementFixture.salpreToken)"}},
         {"name": "cb", "format": "salpre", "auth": {"scheme": "callingbox", "secret": "whsec_cb_source"}},
         {"name": "sw", "format": "salpre", "auth": {"scheme": "standard-webhooks", "secret": "whsec_\(Base64.encode(Array(repeating: 7, count: 32)))"}},
         {"name": "ib", "format": "salpre", "auth": {"scheme": "inkbox", "secret": "whsec_ib_source"}}]
        """

    private func send(_ port: Int, _ head: String, _ extra: [UInt8] = [], body: String = "") async throws -> Reply {
        let bytes = Array(head.utf8) + extra + Array("\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        return try await blocking {
            let connection = try RawHTTPConnection(port: port, timeoutSeconds: 5)
            try connection.send(bytes)
            return Reply(try connection.readResponse())
        }
    }

    @Test func aNULSuffixedAPIKeyAndTwoAuthorizationHeadersAre400() async throws {
        let fixture = try ManagementFixture(sources: Self.sources)
        defer { fixture.close() }
        let port = fixture.gateway.port
        let head = "GET /v1/webhook_endpoints HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer \(ManagementFixture.apiKey)"
        #expect(try await send(port, head).status == 200)
        for suffix: [UInt8] in [[0x00], [0x00] + Array("junk".utf8), [0x01], [0x7F]] {
            let reply = try await send(port, head, suffix)
            #expect(reply.status == 400, "\(suffix): \(reply.text)")
            #expect(reply.errorType == "invalid_header")
        }
        let twice = try await send(port, head + "\r\nAuthorization: Bearer sk_other")
        #expect(twice.status == 400)
        #expect(twice.errorMessage == "header Authorization appears more than once")
    }

    @Test func twoSignatureHeadersOfOneSchemeAre401() async throws {
        let fixture = try ManagementFixture(sources: Self.sources)
        defer { fixture.close() }
        let port = fixture.gateway.port
        let body = ManagementFixture.salpre()
        let now = Int64(Date().timeIntervalSince1970)
        let cases: [(source: String, scheme: String, secret: String, header: String)] = [
            ("salpre", "header-token", ManagementFixture.salpreToken, "X-Salpre-Token"),
            ("cb", "callingbox", "whsec_cb_source", "CallingBox-Signature"),
            ("sw", "standard-webhooks", "whsec_\(Base64.encode(Array(repeating: 7, count: 32)))", "webhook-signature"),
            ("ib", "inkbox", "whsec_ib_source", "X-Inkbox-Signature"),
        ]
        for item in cases {
            let scheme = try SignatureSchemes.scheme(named: item.scheme,
                                                     tokenHeader: item.scheme == "header-token" ? item.header : nil)
            let signed = try scheme.sign(body: Array(body.utf8), secrets: [item.secret], timestamp: now,
                                         id: scheme.needsMessageID ? "msg_\(item.source)" : nil)
            let lines = signed.map { "\($0.name): \($0.value)" }
            let head = "POST /v1/ingest/\(item.source) HTTP/1.1\r\nHost: a\r\n" + lines.joined(separator: "\r\n")
            // Once: accepted. The same valid signature header twice: refused, naming the header.
            let once = try await send(port, head, body: body)
            #expect(once.status == 202, "\(item.source): \(once.text)")
            let repeated = try #require(signed.first { $0.name.equalsIgnoringASCIICase(item.header) })
            let twice = try await send(port, head + "\r\n\(repeated.name): \(repeated.value)",
                                       body: ManagementFixture.salpre(call: 2))
            #expect(twice.status == 401, "\(item.source): \(twice.text)")
            #expect(twice.errorType == "unauthorized")
            #expect(twice.errorMessage == "malformed header \(item.header): appears more than once", "\(item.source)")
        }
    }
}
