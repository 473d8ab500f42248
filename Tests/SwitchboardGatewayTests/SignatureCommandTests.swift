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
}
