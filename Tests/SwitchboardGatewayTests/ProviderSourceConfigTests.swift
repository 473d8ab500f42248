import Foundation
import SwitchboardCore
import Testing
@testable import SwitchboardGateway

/// Source configuration for the voice providers' schemes (issue 16 part 2): the blocks the issue
/// writes parse as written, defaults come from each scheme, and each mistake is one line naming its key.
@Suite("Sources with the voice providers' schemes")
struct ProviderSourceConfigTests {
    private static let telnyxKey = "LzJDOCyTYfLyYp5fLoW9alZwihRdN57bayxK5W+qowg="
    private static let environment = ["TWILIO_AUTH_TOKEN": "12345", "VONAGE_SIGNATURE_SECRET": "v", "RETELL_API_KEY": "r",
                                      "VAPI_SERVER_SECRET": "s", "ELEVENLABS_WEBHOOK_SECRET": "e"]

    private func parse(_ sources: String) throws -> GatewayConfig {
        try GatewayConfig.parse(Data(#"{"sources": [\#(sources)]}"#.utf8), environment: Self.environment)
    }

    /// The error `GatewayConfig.parse` or `ConfigCheck` reports for one source, or nil.
    private func problem(_ source: String) -> String? {
        do {
            try ConfigCheck.run(try parse(source))
            return nil
        } catch {
            return (error as? ConfigError)?.description ?? "\(error)"
        }
    }

    @Test func theIssuesBlocksParseWithEachSchemesDefaults() throws {
        let config = try parse("""
        {"name": "twilio", "format": "twilio", "public_url": "https://hooks.example.com/v1/ingest/twilio",
         "auth": {"scheme": "twilio", "secret": "env:TWILIO_AUTH_TOKEN"}},
        {"name": "telnyx", "format": "callingbox", "auth": {"scheme": "telnyx", "public_key": "\(Self.telnyxKey)", "tolerance_seconds": 300}},
        {"name": "vonage", "format": "callingbox", "auth": {"scheme": "vonage", "secret": "env:VONAGE_SIGNATURE_SECRET"}},
        {"name": "retell", "format": "callingbox", "auth": {"scheme": "retell", "secret": "env:RETELL_API_KEY"}},
        {"name": "vapi", "format": "callingbox", "auth": {"scheme": "vapi", "secret": "env:VAPI_SERVER_SECRET"}},
        {"name": "elevenlabs", "format": "callingbox", "auth": {"scheme": "elevenlabs", "secret": "env:ELEVENLABS_WEBHOOK_SECRET",
         "secret_previous": "old", "secret_previous_expires_at": "2026-12-08T00:00:00Z"}}
        """)
        try ConfigCheck.run(config)
        let auths = config.sources.map(\.auth)
        #expect(auths == [
            .signature(scheme: "twilio", secrets: ["12345"], toleranceSeconds: 300),
            .signature(scheme: "telnyx", secrets: [Self.telnyxKey], toleranceSeconds: 300),
            .signature(scheme: "vonage", secrets: ["v"], toleranceSeconds: 300),
            .signature(scheme: "retell", secrets: ["r"], toleranceSeconds: 300),
            .signature(scheme: "vapi", secrets: ["s"], toleranceSeconds: 300),
            .signature(scheme: "elevenlabs", secrets: ["e"], toleranceSeconds: 1800),
        ])
        #expect(config.sources[0].publicURL == "https://hooks.example.com/v1/ingest/twilio")
        #expect(config.sources[5].previousSecret?.secret == "old")
    }

    @Test func eachMistakeIsOneLineNamingItsKey() {
        let twilio = #""name": "t", "format": "twilio", "auth": {"scheme": "twilio", "secret": "x"}"#
        #expect(problem("{\(twilio)}")?.hasPrefix("sources[0].public_url: is required for scheme twilio") == true)
        #expect(problem(#"{\#(twilio), "public_url": "/v1/ingest/t"}"#)
                == #"sources[0].public_url: must be an absolute http or https URL, got "/v1/ingest/t""#)
        #expect(problem(#"{\#(twilio), "public_url": "ftp://h.example.com/x"}"#)
                == #"sources[0].public_url: must be an absolute http or https URL, got "ftp://h.example.com/x""#)
        #expect(problem(#"{"name": "c", "format": "callingbox", "public_url": "https://h.example.com/x", "auth": {"scheme": "callingbox", "secret": "k"}}"#)
                == "sources[0].public_url: applies only to schemes that sign the request URL (twilio, or an hmac plan whose payload_format has {url})")
        #expect(problem(#"{"name": "t", "format": "callingbox", "auth": {"scheme": "telnyx", "secret": "k"}}"#)
                == "sources[0].auth.secret: does not apply to scheme telnyx: it verifies with public_key")
        #expect(problem(#"{"name": "t", "format": "callingbox", "auth": {"scheme": "telnyx"}}"#)
                == "sources[0].auth.public_key: is required for scheme telnyx")
        #expect(problem(#"{"name": "t", "format": "callingbox", "auth": {"scheme": "telnyx", "public_key": "c2hvcnQ="}}"#)
                == "sources[0].auth.public_key: not usable by scheme telnyx: the public key is not base64 of a 32-byte Ed25519 key")
        #expect(problem(#"{"name": "v", "format": "callingbox", "auth": {"scheme": "vonage", "public_key": "\#(Self.telnyxKey)", "secret": "k"}}"#)
                == "sources[0].auth.public_key: does not apply to scheme vonage: it verifies with secret")
        #expect(problem(#"{"name": "v", "format": "callingbox", "auth": {"scheme": "telnyx", "public_key": "\#(Self.telnyxKey)", "secret_previous": "\#(Self.telnyxKey)", "secret_previous_expires_at": 1}}"#)
                == "sources[0].auth.secret_previous: does not apply to scheme telnyx: list every accepted key in public_keys")
        #expect(problem(#"{"name": "v", "format": "callingbox", "auth": {"scheme": "plivo", "secret": "k"}}"#)?
                .hasPrefix(#"sources[0].auth.scheme: must be one of header-token, callingbox, standard-webhooks, inkbox, twilio, telnyx"#) == true)
    }
}
