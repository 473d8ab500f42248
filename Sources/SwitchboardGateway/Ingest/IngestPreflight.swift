import SwitchboardCore
import SwitchboardHTTP

/// What the ingest route decides from the headers alone, before the body is read (issue 13 §1): an
/// unknown source is 404; a missing or malformed signature header, a stale timestamp or a wrong
/// header token is 401. Only the signature proper of a scheme that signs the body waits for the body
/// (its mismatch over the empty body, `signatureMismatch` or a scheme's own `mismatch`).
extension IngestService {
    func preflight(_ head: HTTPRequestHead) -> HTTPResponse? {
        let name = head.pathParameters["source"] ?? ""
        guard let source = sources.withLock({ $0[name] }) else {
            return Self.unknownSource(name)
        }
        if head.method == .GET, let refusal = getRefusal(format: source.config.format) { return refusal }
        // The source's own verification over an empty body: its checks run headers first (presence,
        // syntax, timestamp window), so any failure but a body signature's mismatch is final.
        let request = HTTPRequest(method: head.method, path: head.path, headers: head.headers,
                                  remoteAddress: head.remoteAddress)
        do {
            try Self.authenticate(request, source: source, now: clock())
            return nil
        } catch {
            switch error {
            // A mismatch over the empty body is final only where the body is not signed (a header
            // token, Vapi's secret without an HMAC plan); Twilio's form fields, Vonage's payload_hash and
            // the HMACs wait for it.
            case .signatureMismatch where source.scheme.signsBody, .mismatch where source.scheme.signsBody, .cryptoFailure:
                return nil
            default:
                return refused(source: name, error)
            }
        }
    }
}
