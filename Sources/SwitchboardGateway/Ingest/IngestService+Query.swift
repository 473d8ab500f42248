import SwitchboardCore
import SwitchboardHTTP

/// `GET /v1/ingest/{source}`: providers that fetch an answer URL with GET (Vonage's default for its
/// answer URL, `AnswerLanguage.answersGet`) send their fields in the query. For such a format the query becomes a
/// flat JSON object of the parameters in the order sent, written compactly: what the mapping decodes
/// and what Vonage's `payload_hash` covers on a GET ("query parameters in order", PROVIDERS.md §3.3).
/// Other formats are refused 405 (Twilio and TeXML: their GET signature covers the query exactly as
/// sent, which the server does not keep, so their Voice URL must use POST, Twilio's default).
extension IngestService {
    /// 405 for a GET to a source whose format does not take one (also answered by the preflight, before
    /// the signature is looked at).
    func getRefusal(format: String) -> HTTPResponse? {
        if AnswerLanguage.of(format: format)?.answersGet == true, mappings.mappings[format]?.bodyEncoding == .json { return nil }
        return .error(405, type: "method_not_allowed", message: "format \(format) takes POST only: set the provider's URL to HTTP POST")
    }

    /// Puts the query of `request` in its body; returns the refusal when that cannot be done.
    func moveQueryToBody(_ request: inout HTTPRequest, format: String) -> HTTPResponse? {
        if let refusal = getRefusal(format: format) { return refusal }
        var object = JSONObject()
        for (name, value) in request.query {
            guard object[name] == nil else {
                return .error(400, type: "invalid_query", message: "\(name) appears more than once in the query")
            }
            object[name] = .string(value)
        }
        request.body = JSONWriter.bytes(.object(object))
        return nil
    }
}
