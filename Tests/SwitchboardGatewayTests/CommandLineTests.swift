import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Captures what a command prints.
final class CapturedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var outText = ""
    private var errText = ""
    var out: String { lock.withLock { outText } }
    var err: String { lock.withLock { errText } }
    var output: CommandOutput {
        CommandOutput(out: { text in self.lock.withLock { self.outText += text } },
                      err: { text in self.lock.withLock { self.errText += text } })
    }
}

@Suite("Command line")
struct CommandLineTests {
    private func run(_ arguments: [String]) -> (Int32, CapturedOutput) {
        let captured = CapturedOutput()
        return (SwitchboardCLI.main(arguments, output: captured.output), captured)
    }

    @Test func versionAndHelp() {
        let (status, output) = run(["version"])
        #expect(status == 0)
        #expect(output.out == "switchboard 0.1.0\n")
        let (helpStatus, help) = run(["help"])
        #expect(helpStatus == 0)
        #expect(help.out.contains("serve"))
        #expect(help.out.contains("version"))
        #expect(run([]).0 == 0)
    }

    @Test func everyCommandHasHelp() {
        for command in SwitchboardCLI.commands {
            let (status, output) = run([command.name, "--help"])
            #expect(status == 0, "\(command.name) --help")
            #expect(output.out.hasPrefix("Usage: switchboard \(command.name)"))
            #expect(run(["help", command.name]).1.out == output.out)
        }
    }

    @Test func usageErrorsAreOneLineWithStatus2() {
        let cases: [([String], String)] = [
            (["bogus"], "switchboard: unknown command 'bogus'"),
            (["serve", "--bogus"], "switchboard serve: unknown option --bogus"),
            (["serve", "--port"], "switchboard serve: option --port needs a value"),
            (["serve", "--port", "eighty"], "switchboard serve: --port must be an integer between 0 and 65535, got 'eighty'"),
            (["serve", "--port=1", "--port=2"], "switchboard serve: option --port is given more than once"),
            (["serve", "stray"], "switchboard serve: unexpected argument 'stray'"),
            (["version", "--help=yes"], "switchboard version: option --help takes no value"),
        ]
        for (arguments, prefix) in cases {
            let (status, output) = run(arguments)
            #expect(status == 2, "\(arguments)")
            #expect(output.err.hasPrefix(prefix), "\(arguments): \(output.err)")
            #expect(output.err.filter { $0 == "\n" }.count == 1, "\(arguments) prints one line")
        }
    }

    @Test func configErrorsAreOneLineWithStatus2() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("bad.json")
        try #"{"listen": {"port": 8080, "hots": "x"}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let (status, output) = run(["serve", "--config", path])
        #expect(status == 2)
        #expect(output.err == "switchboard: config error: \(path): listen.hots: unknown key\n")
        // --mappings overrides the file's (or the default) mappings, for serve and config check alike.
        let valid = directory.file("valid.json")
        try #"{"store": {"path": "gw.sqlite"}}"#.write(toFile: valid, atomically: true, encoding: .utf8)
        #expect(run(["config", "check", "--config", valid]).0 == 0)
        for command in ["serve", "config check"] {
            let (status, output) = run(command.split(separator: " ").map(String.init) + ["--config", valid, "--mappings", "/nonexistent"])
            #expect(status == 2)
            #expect(output.err == "switchboard: config error: \(valid): mappings: folder /nonexistent does not exist\n")
        }
        let (missing, missingOutput) = run(["serve", "--config", directory.file("none.json")])
        #expect(missing == 2)
        #expect(missingOutput.err.contains("cannot read the file"))
    }

    /// `sign`/`verify --scheme vapi --hmac-plan FILE`: the plan file has the keys of a source's
    /// `auth.hmac` but `secret`; the signature is the one Python's `hmac` computes for the default
    /// plan with a `sha256=` prefix; mistakes are usage errors naming the file and key.
    @Test func signAndVerifyWithAPlanFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let body = directory.file("body.json")
        try Data(#"{"message":{"type":"end-of-call-report"}}"#.utf8).write(to: URL(fileURLWithPath: body))
        let plan = directory.file("plan.json")
        try Data(#"{"signature_prefix": "sha256="}"#.utf8).write(to: URL(fileURLWithPath: plan))
        // "sha256=" + hmac.new(b"vapi-hmac-secret", b"1767225600." + body, sha256).hexdigest()
        let signature = "sha256=f2b2cb68b3edc1ab3f857302ebee5cfa7353d158a9bfa8a64469010475ecebb8"
        let (status, output) = run(["sign", "--scheme", "vapi", "--secret", "vapi-hmac-secret", "--hmac-plan", plan,
                                    "--timestamp", "1767225600", "--in", body])
        #expect(status == 0, "\(output.err)")
        #expect(output.out == "x-timestamp: 1767225600\nx-signature: \(signature)\n")
        let verify = ["verify", "--scheme", "vapi", "--secret", "vapi-hmac-secret", "--hmac-plan", plan, "--tolerance", "0",
                      "--header", "x-timestamp: 1767225600", "--in", body]
        #expect(run(verify + ["--header", "x-signature: \(signature)"]).0 == 0)
        let (mismatch, refused) = run(verify + ["--header", "x-signature: sha256=00"])
        #expect(mismatch == 1)
        #expect(refused.err == "switchboard verify: signature mismatch: no signature matches a configured secret\n")

        let bad = directory.file("bad.json")
        try Data(#"{"algorithm": "md5"}"#.utf8).write(to: URL(fileURLWithPath: bad))
        let cases: [([String], String)] = [
            (["sign", "--scheme", "vapi", "--secret", "k", "--hmac-plan", bad, "--in", body],
             #"switchboard sign: --hmac-plan \#(bad): algorithm: must be one of sha256, sha512, sha1, got "md5""#),
            (["sign", "--scheme", "retell", "--secret", "k", "--hmac-plan", plan, "--in", body],
             "switchboard sign: --hmac-plan is only for vapi"),
            (["verify", "--scheme", "vapi", "--secret", "k", "--hmac-plan", directory.file("none.json"), "--in", body],
             "switchboard verify: cannot read --hmac-plan '\(directory.file("none.json"))'"),
            (["sign", "--scheme", "vapi", "--secret", "k", "--timestamp", "1", "--in", body],
             "switchboard sign: --timestamp is not used by vapi"),
        ]
        for (arguments, prefix) in cases {
            let (status, output) = run(arguments)
            #expect(status == 2, "\(arguments)")
            #expect(output.err.hasPrefix(prefix), "\(arguments): \(output.err)")
        }
    }
}
