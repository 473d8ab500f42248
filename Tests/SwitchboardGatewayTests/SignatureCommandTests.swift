import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

@Suite("Signature commands")
struct SignatureCommandTests {
    private func run(_ arguments: [String]) -> (status: Int32, out: String, err: String) {
        let captured = CapturedOutput()
        let status = SwitchboardCLI.main(arguments, output: captured.output)
        return (status, captured.out, captured.err)
    }

    /// A temporary directory holding `body` as `body.bin`.
    private func bodyFile(_ body: [UInt8]) throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory()
        let path = directory.file("body.bin")
        try Data(body).write(to: URL(fileURLWithPath: path))
        return (directory, path)
    }

    /// `verify` arguments with each printed header line passed as a `--header`.
    private func verifyArguments(_ signed: String, scheme: String, secrets: [String], file: String) -> [String] {
        ["verify", "--scheme", scheme, "--in", file]
            + secrets.flatMap { ["--secret", $0] }
            + signed.split(separator: "\n").flatMap { ["--header", String($0)] }
    }

    @Test func signPrintsHeadersByteForByteFromTheFile() throws {
        let (directory, path) = try bodyFile(Array(#"{"id":"evt_1","type":"call.completed"}"#.utf8))
        defer { directory.remove() }
        let signed = run(["sign", "--scheme", "callingbox", "--secret", "whsec_test", "--timestamp", "1700000000", "--in", path])
        #expect(signed.status == 0)
        #expect(signed.out == "CallingBox-Signature: t=1700000000,"
            + "v1=ae8f5284d8343c921cd4611caa0380cdd87c3b5315eb8f564379543765a26705\n")
        #expect(signed.err.isEmpty)
        let inkbox = run(["sign", "--scheme", "inkbox", "--secret", "whsec_inkbox_secret", "--timestamp", "1700000000",
                          "--id", "req_123", "--in", path])
        #expect(inkbox.out.hasSuffix("X-Inkbox-Signature: sha256=260b302db47e6a764b3d8791740f8a17203287050352444795111bc4276390b0\n"))
    }

    @Test func signThenVerifyEveryScheme() throws {
        let (directory, path) = try bodyFile(Array("{\"a\":\"é\"}\r\n\n".utf8) + [0, 0xFF])
        defer { directory.remove() }
        let cases: [(String, [String], [String])] = [
            ("callingbox", ["whsec_a", "whsec_b"], []),
            ("standard-webhooks", ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_AAAA"], []),
            ("inkbox", ["whsec_a"], []),
        ]
        for (scheme, secrets, extra) in cases {
            let signed = run(["sign", "--scheme", scheme, "--in", path] + secrets.flatMap { ["--secret", $0] } + extra)
            #expect(signed.status == 0, "\(scheme): \(signed.err)")
            for secret in secrets {
                let verified = run(verifyArguments(signed.out, scheme: scheme, secrets: [secret], file: path))
                #expect(verified.status == 0, "\(scheme): \(verified.err)")
                #expect(verified.out == "ok\n")
            }
            let wrong = run(verifyArguments(signed.out, scheme: scheme, secrets: ["whsec_Zm9v"], file: path))
            #expect(wrong.status == 1)
            #expect(wrong.err == "switchboard verify: signature mismatch: no signature matches a configured secret\n")
        }
        let token = run(["sign", "--scheme", "header-token", "--header", "X-Token", "--secret", "t0k", "--in", path])
        #expect(token.out == "X-Token: t0k\n")
        let accepted = run(["verify", "--scheme", "header-token", "--token-header", "x-token", "--secret", "t0k",
                            "--header", "X-TOKEN:  t0k ", "--in", path])
        #expect(accepted.status == 0)
    }

    @Test func verifyReportsTheReasonWithStatus1() throws {
        let (directory, path) = try bodyFile(Array("body\n".utf8))
        defer { directory.remove() }
        let stale = run(["sign", "--scheme", "callingbox", "--secret", "whsec_a", "--timestamp", "1000", "--in", path])
        let staleCheck = run(verifyArguments(stale.out, scheme: "callingbox", secrets: ["whsec_a"], file: path))
        #expect(staleCheck.status == 1)
        #expect(staleCheck.err.hasPrefix("switchboard verify: stale timestamp: signed "))
        #expect(staleCheck.err.hasSuffix(" s ago, outside the 300 s tolerance\n"))
        let untimed = run(verifyArguments(stale.out, scheme: "callingbox", secrets: ["whsec_a"], file: path) + ["--tolerance", "0"])
        #expect(untimed.status == 0)

        let missing = run(["verify", "--scheme", "inkbox", "--secret", "k", "--header", "X-Inkbox-Timestamp: 1", "--in", path])
        #expect(missing.status == 1)
        #expect(missing.err == "switchboard verify: missing header X-Inkbox-Request-ID\n")

        let fresh = run(["sign", "--scheme", "callingbox", "--secret", "whsec_a", "--in", path])
        let (otherDirectory, trimmed) = try bodyFile(Array("body".utf8))  // the newline is part of the body
        defer { otherDirectory.remove() }
        #expect(run(verifyArguments(fresh.out, scheme: "callingbox", secrets: ["whsec_a"], file: trimmed)).status == 1)
        #expect(run(verifyArguments(fresh.out, scheme: "callingbox", secrets: ["whsec_a"], file: path)).status == 0)
    }

    @Test func usageErrorsExit2WithOneLine() throws {
        let (directory, path) = try bodyFile([])
        defer { directory.remove() }
        let cases: [([String], String)] = [
            (["sign", "--secret", "s", "--in", path], "switchboard sign: --scheme is required"),
            (["sign", "--scheme", "callingbox", "--in", path], "switchboard sign: --secret is required"),
            (["sign", "--scheme", "svix", "--secret", "s", "--in", path], "switchboard sign: unknown signature scheme 'svix'"),
            (["sign", "--scheme", "header-token", "--secret", "s", "--in", path],
             "switchboard sign: the header-token scheme needs --header NAME"),
            (["sign", "--scheme", "callingbox", "--header", "X", "--secret", "s", "--in", path],
             "switchboard sign: --header NAME is only for the header-token scheme"),
            (["sign", "--scheme", "callingbox", "--id", "x", "--secret", "s", "--in", path],
             "switchboard sign: --id is not used by callingbox"),
            (["sign", "--scheme", "header-token", "--header", "X", "--timestamp", "1", "--secret", "s", "--in", path],
             "switchboard sign: --timestamp is not used by header-token"),
            (["sign", "--scheme", "inkbox", "--secret", "a", "--secret", "b", "--in", path],
             "switchboard sign: the inkbox scheme signs with at most 1 secret"),
            (["sign", "--scheme", "standard-webhooks", "--secret", "whsec_%%", "--in", path],
             "switchboard sign: invalid secret: not whsec_<base64 key> nor base64"),
            (["sign", "--scheme", "inkbox", "--secret", "a", "--id", "a\r\nb", "--in", path],
             "switchboard sign: cannot send header X-Inkbox-Request-ID: contains a control character"),
            (["sign", "--scheme", "callingbox", "--secret", "a", "--timestamp", "-1", "--in", path],
             "switchboard sign: --timestamp must be an integer between 0 and"),
            (["sign", "--scheme", "callingbox", "--secret", "a", "--in", directory.file("none")],
             "switchboard sign: cannot read '\(directory.file("none"))'"),
            (["verify", "--scheme", "callingbox", "--secret", "a", "--header", "no colon", "--in", path],
             "switchboard verify: --header 'no colon' is not 'Name: value'"),
            (["verify", "--scheme", "callingbox", "--secret", "a", "--header", ": v", "--in", path],
             "switchboard verify: --header ': v' has no valid name before ':'"),
            (["verify", "--scheme", "callingbox", "--secret", "a", "--tolerance", "-5", "--in", path],
             "switchboard verify: --tolerance must be an integer between 0 and"),
            (["verify", "--scheme", "header-token", "--secret", "a", "--in", path],
             "switchboard verify: the header-token scheme needs --token-header NAME"),
            (["verify", "--scheme", "standard-webhooks", "--secret", "no prefix!", "--header", "a: b", "--in", path],
             "switchboard verify: invalid --secret: not whsec_<base64 key> nor base64"),
        ]
        for (arguments, prefix) in cases {
            let result = run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.err.hasPrefix(prefix), "\(arguments): \(result.err)")
            #expect(result.err.filter { $0 == "\n" }.count == 1, "\(arguments) prints one line")
            #expect(result.out.isEmpty)
        }
    }

    @Test func helpDescribesSchemesAndExitStatuses() {
        let sign = run(["sign", "--help"])
        #expect(sign.status == 0)
        #expect(sign.out.contains("--header NAME    header-token only"))
        let verify = run(["verify", "--help"])
        #expect(verify.out.contains("Exit status: 0 valid, 1 not valid (reason on standard error), 2 usage error."))
        #expect(run(["help"]).out.contains("  verify    Check a request body's signature headers."))
    }

    /// Every provider scheme through `sign` and `verify`: signing output verifies, a tampered body does not.
    @Test func signThenVerifyEveryProviderScheme() throws {
        let (directory, path) = try bodyFile(Array("CallSid=CA1&CallStatus=completed&From=%2B15551230001".utf8))
        let (tamperedDirectory, tampered) = try bodyFile(Array("CallSid=CA1&CallStatus=completed&From=%2B15551230002".utf8))
        defer { directory.remove(); tamperedDirectory.remove() }
        let url = "https://hooks.example.com/v1/ingest/twilio?tenant=t1"
        let seed = "29Pc1uJZBf0KOEMox+bxEKSfzLFy540F0PYS1pkMeJs="
        let publicKey = "LzJDOCyTYfLyYp5fLoW9alZwihRdN57bayxK5W+qowg="
        let cases: [(scheme: String, sign: [String], verify: [String])] = [
            ("twilio", ["--secret", "auth-token", "--url", url], ["--secret", "auth-token", "--url", url]),
            ("telnyx", ["--private-key", seed], ["--public-key", "dnKQbuc3/Wh5dP6nyPWLNoye+77d8l+AIGIrs6MrW3g=", "--public-key", publicKey]),
            ("vonage", ["--secret", "signature-secret"], ["--secret", "signature-secret"]),
            ("retell", ["--secret", "key_abc"], ["--secret", "key_abc"]),
            ("vapi", ["--secret", "vapi-secret"], ["--secret", "vapi-secret"]),
            ("elevenlabs", ["--secret", "wsec_abc"], ["--secret", "wsec_abc"]),
        ]
        for (scheme, signOptions, verifyOptions) in cases {
            let signed = run(["sign", "--scheme", scheme, "--in", path] + signOptions)
            #expect(signed.status == 0, "\(scheme): \(signed.err)")
            let headers = signed.out.split(separator: "\n").flatMap { ["--header", String($0)] }
            let verified = run(["verify", "--scheme", scheme, "--in", path] + verifyOptions + headers)
            #expect(verified.status == 0 && verified.out == "ok\n", "\(scheme): \(verified.err)")
            let refused = run(["verify", "--scheme", scheme, "--in", tampered] + verifyOptions + headers)
            #expect(refused.status == (scheme == "vapi" ? 0 : 1), "\(scheme): a tampered body")
            if scheme != "vapi" { #expect(refused.err.hasPrefix("switchboard verify: signature mismatch"), "\(scheme): \(refused.err)") }
        }
        let elsewhere = run(["verify", "--scheme", "twilio", "--in", path, "--secret", "auth-token",
                             "--url", "http://10.0.0.5:8080/v1/ingest/twilio?tenant=t1"]
                            + run(["sign", "--scheme", "twilio", "--in", path, "--secret", "auth-token", "--url", url])
                            .out.split(separator: "\n").flatMap { ["--header", String($0)] })
        #expect(elsewhere.err == "switchboard verify: signature mismatch: no X-Twilio-Signature over "
            + "http://10.0.0.5:8080/v1/ingest/twilio?tenant=t1 matches a configured auth token\n")
    }

    @Test func providerSchemeUsageErrorsExit2() throws {
        let (directory, path) = try bodyFile(Array("{}".utf8))
        defer { directory.remove() }
        let cases: [([String], String)] = [
            (["sign", "--scheme", "twilio", "--secret", "t"], "--url is required for twilio"),
            (["sign", "--scheme", "retell", "--secret", "t", "--url", "https://x.example/"], "--url is not used by retell"),
            (["sign", "--scheme", "telnyx", "--secret", "t"], "--secret is not used by telnyx: give --private-key"),
            (["sign", "--scheme", "telnyx"], "--private-key is required for telnyx"),
            (["sign", "--scheme", "telnyx", "--private-key", "c2hvcnQ="], "invalid secret: the private key is not base64"),
            (["sign", "--scheme", "vapi", "--secret", "t", "--timestamp", "1"], "--timestamp is not used by vapi"),
            (["verify", "--scheme", "callingbox", "--public-key", "k"], "--public-key is only for Ed25519 schemes"),
            (["verify", "--scheme", "telnyx", "--public-key", "c2hvcnQ=", "--header", "telnyx-timestamp: 1"],
             "invalid --public-key: the public key is not base64 of a 32-byte Ed25519 key"),
        ]
        for (arguments, message) in cases {
            let result = run(arguments + ["--in", path])
            #expect(result.status == 2, "\(arguments)")
            #expect(result.err.contains(message), "\(arguments): \(result.err)")
        }
    }
}
