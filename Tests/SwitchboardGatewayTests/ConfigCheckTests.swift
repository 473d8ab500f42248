import Foundation
import SwitchboardCore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// The start-up checks (`ConfigCheck`): what used to fail at the first event fails at start, one key named.
@Suite("Configuration checks at start")
struct ConfigCheckTests {
    /// The problem `ConfigCheck` finds in `json`, or nil; run off the cooperative pool (it resolves names).
    private func problem(_ json: String) async throws -> String? {
        try await blocking { () -> String? in
            do {
                try ConfigCheck.run(try GatewayConfig.parse(Data(json.utf8), environment: [:]))
                return nil
            } catch {
                return (error as? ConfigError)?.description ?? "\(error)"
            }
        }
    }

    private func source(_ fields: String) -> String {
        #"{"delivery": {"allow_private_networks": false}, "org_default_secret": "whsec_c3dpdGNoYm9hcmQtZGV2LW9ubHktbm90LWEtc2VjcmV0", "sources": [{"name": "s", \#(fields)}]}"#
    }

    private static let oneInboxWebhook = #""format": "salpre", "auth": {"scheme": "header-token", "header": "X-T", "value": "t"}, "webhook_url": "https://hooks.example.test/x", "webhook_format": "oneinbox""#

    @Test func orgDefaultSecretMustSuitStandardWebhooksWhenAOneInboxWebhookURLSignsWithIt() async throws {
        // The secret the shipped dev config had: not base64, so OneInbox signing broke at the first delivery.
        let old = #"{"org_default_secret": "whsec_dev_only_not_a_secret", "sources": [{"name": "s", \#(Self.oneInboxWebhook)}]}"#
        #expect(try await problem(old) == "org_default_secret: sources[0].webhook_url with webhook_format oneinbox signs with standard-webhooks, which needs whsec_ followed by base64 of at least 24 bytes")
        let short = #"{"org_default_secret": "whsec_c2hvcnQ=", "sources": [{"name": "s", \#(Self.oneInboxWebhook)}]}"#
        #expect(try await problem(short)?.hasPrefix("org_default_secret: ") == true)
        // CallingBox-style destinations take any string, the same secret included.
        #expect(try await problem(#"{"org_default_secret": "whsec_dev_only_not_a_secret", "sources": [{"name": "s", "format": "salpre", "auth": {"scheme": "header-token", "header": "X-T", "value": "t"}, "webhook_url": "https://hooks.example.test/x"}]}"#) == nil)
        #expect(try await problem(source(Self.oneInboxWebhook)) == nil)
        #expect(try await problem(#"{"sources": [{"name": "s", \#(Self.oneInboxWebhook)}]}"#)
                == "sources[0].webhook_url: needs org_default_secret to sign its deliveries")
    }

    @Test func theShippedDevSecretSignsOneInboxDeliveries() async throws {
        let config = try GatewayConfig.load(path: "Config/switchboard.json")
        let secret = try #require(config.orgDefaultSecret)
        let headers = try StandardWebhooksSignature().sign(body: Array("{}".utf8), secrets: [secret], timestamp: 1, id: "msg_1")
        #expect(headers.contains { $0.name == StandardWebhooksSignature.signatureHeader })
    }

    @Test func sourceWebhookURLsMustBeAbsoluteHTTPAndAllowedByThePolicy() async throws {
        let base = #""format": "salpre", "auth": {"scheme": "header-token", "header": "X-T", "value": "t"}, "webhook_url": "#
        #expect(try await problem(source(base + #""hooks.example.test/x""#)) == #"sources[0].webhook_url: not an absolute URL: "hooks.example.test/x""#)
        #expect(try await problem(source(base + #""ftp://hooks.example.test/x""#)) == #"sources[0].webhook_url: scheme "ftp" is not http or https: "ftp://hooks.example.test/x""#)
        #expect(try await problem(source(base + #""http://127.0.0.1:9/x""#))
                == #"sources[0].webhook_url: host resolves to 127.0.0.1, a loopback address: "http://127.0.0.1:9/x""#)
        #expect(try await problem(source(base + #""http://user:pw@hooks.example.test/x""#))?.hasPrefix("sources[0].webhook_url: user name") == true)
    }

    @Test func sourceSecretsMustFitTheirScheme() async throws {
        let standard = #""format": "oneinbox", "auth": {"scheme": "standard-webhooks", "secret": "whsec_not*base64"}"#
        #expect(try await problem(source(standard))?.hasPrefix("sources[0].auth.secret: not usable by scheme standard-webhooks: ") == true)
        let rolled = #""format": "oneinbox", "auth": {"scheme": "standard-webhooks", "secret": "whsec_c2VjcmV0", "secret_previous": "whsec_%%", "secret_previous_expires_at": 1}"#
        #expect(try await problem(source(rolled))?.hasPrefix("sources[0].auth.secret_previous: not usable by scheme standard-webhooks") == true)
        // CallingBox and Inkbox secrets are opaque strings used as given, whsec_ prefix and all.
        #expect(try await problem(source(#""format": "callingbox", "auth": {"scheme": "callingbox", "secret": "whsec_not*base64"}"#)) == nil)
        #expect(try await problem(source(#""format": "inkbox", "auth": {"scheme": "inkbox", "secret": "whsec_k"}"#)) == nil)
        #expect(try await problem(source(#""format": "inkbox", "auth": {"scheme": "inkbox", "secret": "whsec_"}"#))?
            .hasPrefix("sources[0].auth.secret: not usable by scheme inkbox") == true)
    }

    @Test func unknownFormatsListTheKnownOnes() async throws {
        #expect(try await problem(source(#""format": "telepathy", "auth": {"scheme": "inkbox", "secret": "k"}"#))
                == #"sources[0].format: unknown format "telepathy" (known: "# + shippedFormatNames().joined(separator: ", ") + ")")
        #expect(try await problem(source(#""format": "salpre", "auth": {"scheme": "inkbox", "secret": "k"}, "webhook_url": "https://h.example.test/", "webhook_format": "fax""#))
                == #"sources[0].webhook_format: unknown format "fax" (known: "# + shippedFormatNames().joined(separator: ", ") + ")")
    }

    /// A decision request is sent in any format that can write `call.incoming`, signed by that format's
    /// delivery scheme (its mapping file's `delivery` block): no list of vendors in the config code.
    @Test func aDecisionFormatMustWriteCallIncomingAndItsSecretSuitItsScheme() async throws {
        func decision(_ fields: String) -> String {
            source(#""format": "inkbox", "auth": {"scheme": "inkbox", "secret": "k"}, "incoming_call": {"decision": {"url": "https://d.example.test/", \#(fields)}, "fallback": {"action": "reject"}}"#)
        }
        #expect(try await problem(decision(#""format": "salpre", "secret": "s""#))
                == "sources[0].incoming_call.decision.format: format salpre has no call.incoming output (formats with one: callingbox, inkbox, oneinbox)")
        #expect(try await problem(decision(#""format": "oneinbox", "secret": "whsec_not*base64""#))?
            .hasPrefix("sources[0].incoming_call.decision.secret: not usable by scheme standard-webhooks") == true)
        #expect(try await problem(decision(#""format": "callingbox", "secret": "whsec_not*base64""#)) == nil)
    }

    @Test func mappingsListenHostAndStoreFolderAreChecked() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(try await problem(#"{"mappings": "\#(directory.file("none"))"}"#) == "mappings: folder \(directory.file("none")) does not exist")
        #expect(try await problem(#"{"listen": {"host": "no such host.invalid"}}"#)?.hasPrefix(#"listen.host: cannot listen on "no such host.invalid": "#) == true)
        let file = (directory.file("plain") as NSString).standardizingPath
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try await problem(#"{"store": {"path": "\#(file)/gw.sqlite"}}"#) == "store.path: \(file) is not a folder")
        #expect(try await problem(#"{"store": {"path": "\#(directory.file("new/deeper/gw.sqlite"))"}}"#) == nil)
    }

    @Test func relativePathsAreTakenFromTheConfigFilesFolder() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let folder = (directory.file("etc") as NSString).standardizingPath
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "s3cret\n".write(toFile: folder + "/token", atomically: true, encoding: .utf8)
        let path = folder + "/c.json"
        try #"""
        {"store": {"path": "data/gw.sqlite"}, "mappings": "maps",
         "sources": [{"name": "s", "format": "salpre", "auth": {"scheme": "header-token", "header": "X-T", "value": "file:token"}}]}
        """#.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try GatewayConfig.load(path: path)
        #expect(config.store.path == folder + "/data/gw.sqlite")
        #expect(config.mappingsDirectory == folder + "/maps")
        #expect(config.sources.first?.auth == .headerToken(header: "X-T", value: "s3cret"))
        // Without a mappings key the binary's own mappings are used, whatever the working directory.
        try #"{}"#.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try GatewayConfig.load(path: path).mappingsDirectory == MappingLoader.defaultDirectory)
        #expect(MappingLoader.defaultDirectory.hasPrefix("/"))
    }

    @Test func mappingsAreFoundBesideAnInstalledBinaryElseInTheSourceTree() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let installed = (directory.file("share/switchboard/mappings") as NSString).standardizingPath
        try FileManager.default.createDirectory(atPath: installed, withIntermediateDirectories: true)
        let sourceFile = "/nonexistent/tree/Sources/SwitchboardGateway/Mappings/MappingLoader.swift"
        #expect(MappingLoader.locate(executable: directory.file("bin/switchboard"), sourceFile: sourceFile) == installed)
        #expect(MappingLoader.locate(executable: "/nonexistent/bin/switchboard", sourceFile: sourceFile) == "mappings")
        let tree = FileManager.default.currentDirectoryPath
        #expect(MappingLoader.locate(executable: nil, sourceFile: tree + "/Sources/SwitchboardGateway/Mappings/MappingLoader.swift")
                == tree + "/mappings")
    }

    @Test func secretPreviousNeedsAnExpiryAndASignatureScheme() async throws {
        func auth(_ fields: String) -> String {
            #"{"sources": [{"name": "s", "format": "callingbox", "auth": {"scheme": "callingbox", "secret": "new", \#(fields)}}]}"#
        }
        func failure(_ json: String) -> String? {
            do { _ = try GatewayConfig.parse(Data(json.utf8), environment: [:]); return nil } catch { return "\(error)" }
        }
        let parsed = try GatewayConfig.parse(Data(auth(#""secret_previous": "old", "secret_previous_expires_at": "2026-12-08T10:00:00Z""#).utf8))
        let previous = try #require(parsed.sources.first?.previousSecret)
        #expect(previous == SourceConfig.PreviousSecret(secret: "old", expiresAt: 1_796_724_000))
        #expect(parsed.sources.first?.previousSecrets(at: 1_796_723_999) == ["old"])
        #expect(parsed.sources.first?.previousSecrets(at: 1_796_724_000) == [])
        let unix = try GatewayConfig.parse(Data(auth(#""secret_previous": "old", "secret_previous_expires_at": 1796724000"#).utf8))
        #expect(unix.sources.first?.previousSecret?.expiresAt == 1_796_724_000)
        #expect(failure(auth(#""secret_previous": "old""#))
                == "sources[0].auth.secret_previous_expires_at: is required with secret_previous (RFC 3339 or Unix seconds): a previous secret must expire")
        #expect(failure(auth(#""secret_previous": "old", "secret_previous_expires_at": "tomorrow""#))
                == "sources[0].auth.secret_previous_expires_at: must be an RFC 3339 date-time (2026-12-08T00:00:00Z) or Unix seconds")
        #expect(failure(#"{"sources": [{"name": "s", "format": "inkbox", "allow_unsigned": true, "auth": {"scheme": "inkbox", "secret_previous": "o", "secret_previous_expires_at": 1}}]}"#)
                == "sources[0].auth.secret_previous: cannot be combined with allow_unsigned: with a signing key, every request must be signed")
        #expect(failure(#"{"sources": [{"name": "s", "format": "salpre", "auth": {"scheme": "header-token", "header": "X-T", "value": "v", "secret_previous": "o", "secret_previous_expires_at": 1}}]}"#)
                == "sources[0].auth.secret_previous: applies to the signature schemes (callingbox, standard-webhooks, inkbox, twilio, telnyx, vonage, retell, vapi, elevenlabs)")
    }
}
