import SwitchboardCore

/// `switchboard verify`: checks a body and its received headers against a signature scheme.
struct VerifyCommand: SwitchboardCommand {
    static let name = "verify"
    static let summary = "Check a request body's signature headers."
    static let usage = """
    Usage: switchboard verify --scheme S --secret SECRET... --header 'Name: value'...
                              [--tolerance SECONDS] [--token-header NAME] [--url URL]
                              [--public-key KEY...] [--hmac-plan FILE] [--in FILE]

    Reads a request body byte for byte (no newline is added or removed) and checks that the given
    headers authenticate it. Prints 'ok' when they do; otherwise prints the reason (a missing or
    malformed header, a stale or future timestamp, a signature mismatch) and exits 1.

    Options:
      --scheme S           callingbox, standard-webhooks, inkbox or header-token; or a voice
                           provider's: twilio, telnyx, vonage, retell, vapi or elevenlabs; or
                           standard-webhooks-v1a (Ed25519)
      --secret SECRET      a secret to accept; repeat it to accept several (rotation)
      --header 'N: V'      a received header, name and value separated by the first ':';
                           repeat it for each header (names ignore case)
      --tolerance SECONDS  how far the signed timestamp may lie from now, either way
                           (default: \(SignatureSchemes.defaultTolerance), elevenlabs \(ElevenLabsSignature.tolerance); 0 disables the check)
      --token-header NAME  header-token only, and required there: the header that must carry one of
                           the secrets
      --url URL            twilio only, and required there: the URL the provider requested (the
                           public one, query included), which the signature covers
      --public-key KEY     telnyx and standard-webhooks-v1a, instead of --secret: base64 of the
                           32-byte Ed25519 public key (v1a: whpk_<base64>); repeat it to accept several
      --hmac-plan FILE     vapi only: check Vapi's HMAC credential instead of the secret header;
                           FILE is a JSON object with the keys of a source's auth.hmac but secret
                           (which is --secret); with {url} in its payload_format, --url is required
      --in FILE            read the body from FILE ('-' or absent: standard input)
      --help               show this help

    Exit status: 0 valid, 1 not valid (reason on standard error), 2 usage error.

    """
    static let options = OptionSpec(
        valued: ["scheme", "secret", "header", "tolerance", "token-header", "url", "public-key", "hmac-plan", "in"],
        repeatable: ["secret", "header", "public-key"])

    static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        let inputs = try SignatureCommandInputs(arguments, tokenHeader: arguments.value("token-header"),
                                                tokenHeaderOption: "token-header", keyOption: "public-key")
        let headers = try arguments.all("header").map(parseHeader)
        let tolerance = try SignatureCommandInputs.seconds(arguments, "tolerance") ?? inputs.scheme.defaultTolerance
        do {
            try inputs.scheme.verify(SignedRequest(body: inputs.body, headers: headers, url: inputs.url),
                                     secrets: inputs.secrets, now: SignatureCommandInputs.now(), tolerance: tolerance)
        } catch {
            // A secret the scheme cannot use is the caller's mistake, not a verdict on the request.
            // (A `catch .invalidSecret` pattern here crashes the Swift 6.3.1 compiler.)
            if case .invalidSecret(let problem) = error {
                let option = inputs.scheme.credential == .ed25519 ? "--public-key" : "--secret"
                throw UsageError("invalid \(option): \(problem)")
            }
            throw error
        }
        output.out("ok\n")
        return 0
    }

    /// A `Name: value` argument as a header field. Spaces and tabs around the value are kept here;
    /// the schemes ignore them, as HTTP does.
    static func parseHeader(_ text: String) throws -> HeaderField {
        guard let colon = text.firstIndex(of: ":") else {
            throw UsageError("--header '\(text)' is not 'Name: value'")
        }
        let name = String(text[..<colon])
        guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "\t" }) else {
            throw UsageError("--header '\(text)' has no valid name before ':'")
        }
        return HeaderField(name, String(text[text.index(after: colon)...]))
    }
}
