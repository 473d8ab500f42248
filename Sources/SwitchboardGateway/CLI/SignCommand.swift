import SwitchboardCore

/// `switchboard sign`: prints the headers that authenticate a body under a signature scheme.
struct SignCommand: SwitchboardCommand {
    static let name = "sign"
    static let summary = "Sign a request body; print the headers to send."
    static let usage = """
    Usage: switchboard sign --scheme S --secret SECRET... [--timestamp T] [--id ID] [--header NAME]
                            [--url URL] [--private-key KEY] [--hmac-plan FILE] [--in FILE]

    Reads a request body byte for byte (no newline is added or removed) and prints the headers that
    authenticate it, one 'Name: value' per line.

    Options:
      --scheme S       callingbox, standard-webhooks, inkbox or header-token; or a voice
                       provider's: twilio, telnyx, vonage, retell, vapi or elevenlabs; or
                       standard-webhooks-v1a (Ed25519, what a "v1a" OneInbox webhook receives)
      --secret SECRET  the signing secret; repeat it to sign with several (rotation overlap):
                       callingbox and standard-webhooks write one signature per secret, the
                       others take exactly one (twilio: the auth token; retell: the API key)
      --timestamp T    Unix seconds to sign (default: now); not for header-token, twilio, vapi
                       (but vapi with --hmac-plan that includes a timestamp)
      --id ID          the message id of standard-webhooks(-v1a) (webhook-id), inkbox
                       (X-Inkbox-Request-ID) and vonage (the JWT's jti) (default: a new random
                       UUID); not for the others
      --header NAME    header-token only, and required there: the header that carries the token,
                       whose value is the secret
      --url URL        twilio only, and required there: the URL the provider requests, query
                       included; with bodySHA256 in its query the body is JSON, else form fields
      --private-key KEY
                       telnyx and standard-webhooks-v1a, instead of --secret: base64 of the
                       32-byte Ed25519 seed (v1a: whsk_<base64>; repeat it to sign with several,
                       one v1a signature each)
      --hmac-plan FILE vapi only: sign with Vapi's HMAC credential instead of the secret header;
                       FILE is a JSON object with the keys of a source's auth.hmac but secret
                       (which is --secret); --id is then the {svix-id}, --url the {url}
      --in FILE        read the body from FILE ('-' or absent: standard input)
      --help           show this help

    Secrets: callingbox uses the whole secret, 'whsec_' included, as the HMAC key; inkbox drops a
    leading 'whsec_'; standard-webhooks base64-decodes what follows 'whsec_' (or the whole secret
    when it has no prefix); the provider schemes use the secret's text as it is.

    Exit status: 0 headers printed, 1 failure, 2 usage error (also a secret the scheme cannot use).

    """
    static let options = OptionSpec(valued: ["scheme", "secret", "timestamp", "id", "header", "url", "private-key",
                                             "hmac-plan", "in"],
                                    repeatable: ["secret", "private-key"])

    static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        let inputs = try SignatureCommandInputs(arguments, tokenHeader: arguments.value("header"),
                                                tokenHeaderOption: "header", keyOption: "private-key")
        let scheme = inputs.scheme
        let timestamp = try SignatureCommandInputs.seconds(arguments, "timestamp")
        if timestamp != nil, !scheme.usesTimestamp { throw UsageError("--timestamp is not used by \(scheme.name)") }
        var id = arguments.value("id")
        if id != nil, !scheme.needsMessageID { throw UsageError("--id is not used by \(scheme.name)") }
        if id == nil, scheme.needsMessageID { id = try UUIDGenerator.version4().uuidString.lowercased() }
        let headers: [HeaderField]
        do {
            headers = try scheme.sign(SignedRequest(body: inputs.body, url: inputs.url), secrets: inputs.secrets,
                                      timestamp: timestamp ?? SignatureCommandInputs.now(), id: id)
        } catch .cryptoFailure(let error) {
            throw error
        } catch {
            throw UsageError(error.description)
        }
        output.out(headers.map { "\($0)\n" }.joined())
        return 0
    }
}
