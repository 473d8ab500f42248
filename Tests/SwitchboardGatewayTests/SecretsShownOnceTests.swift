import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Issue 13 §5: signing secrets appear in the create and rotate answers only — never in a GET, a list or
/// a PATCH answer (nor anywhere else a client or the log can read), CallingBox and OneInbox alike. Over
/// real HTTP: the whole answer text is searched for each secret, under any key.
@Suite("Secrets are shown once, in both management APIs")
struct SecretsShownOnceTests {
    /// (API, collection path, create body, secret key, PATCH body).
    static let apis: [(String, String, String, String, String)] = [
        ("callingbox", "/v1/webhook_endpoints", #"{"url": "http://127.0.0.1:9/cb", "description": "CRM"}"#, "signing_secret",
         #"{"description": "CRM 2", "url": "http://127.0.0.1:9/cb2"}"#),
        ("oneinbox", "/v1/webhooks", #"{"name": "CRM", "url": "http://127.0.0.1:9/oi", "events": ["call.ended"]}"#, "secret",
         #"{"name": "CRM 2", "status": "inactive"}"#),
    ]

    @Test(arguments: apis)
    func secretsAppearOnlyInCreateAndRotateAnswers(api: String, path: String, create: String, key: String, patch: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let logPath = directory.file("log.jsonl")
        let fixture = try ManagementFixture(logFile: logPath)
        defer { fixture.close() }
        let created = try await fixture.call("POST", path, create)
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.string("id"))
        let first = try #require(created.string(key))
        let rotated = try await fixture.call("POST", "\(path)/\(id)/rotate_secret", "{}")
        #expect(rotated.status == 200, "\(rotated.text)")
        let second = try #require(rotated.string(key))
        #expect(first != second)

        let reads: [(String, Reply)] = [
            ("GET", try await fixture.call("GET", "\(path)/\(id)")),
            ("list", try await fixture.call("GET", path)),
            ("list with a limit", try await fixture.call("GET", "\(path)?limit=1")),
            ("PATCH", try await fixture.call("PATCH", "\(path)/\(id)", patch)),
            ("GET after the PATCH", try await fixture.call("GET", "\(path)/\(id)")),
            ("deliveries", try await fixture.call("GET", "/v1/webhook_deliveries")),
        ]
        for (what, reply) in reads {
            #expect(reply.status == 200, "\(api) \(what): \(reply.status) \(reply.text)")
            #expect(!reply.text.contains(first) && !reply.text.contains(second), "\(api) \(what) shows a secret: \(reply.text)")
            #expect(!reply.text.contains("whsec_"), "\(api) \(what): \(reply.text)")
            #expect(!reply.text.contains("\"\(key)\""), "\(api) \(what) has a \(key) member")
        }
        fixture.close()
        let log = try String(contentsOfFile: logPath, encoding: .utf8)
        #expect(log.contains("secret rotated"))
        #expect(!log.contains(first) && !log.contains(second), "the log never carries a secret")
    }
}
