/// The document a provider expects back from its incoming-call request, and the one place (with the
/// signature schemes) where provider names appear in code: which source format answers in which
/// language, and how long that provider waits for the answer (PROVIDERS.md §0).
///
/// The rules, the decision request and the fallback are the same for every language; only the last
/// step, `render`, differs.
public enum AnswerLanguage: String, Sendable, Equatable, CaseIterable {
    /// Inkbox's JSON `{"action", "client_websocket_url"}` (REFERENCE.md §3.6).
    case inkbox
    /// Twilio TwiML (PROVIDERS.md §1.6).
    case twiml
    /// Telnyx TeXML, Twilio-compatible (PROVIDERS.md §2.5).
    case texml
    /// Vonage NCCO (PROVIDERS.md §3.1).
    case ncco

    /// The source formats whose incoming-call requests are answered, and in which language.
    public static let byFormat: [String: AnswerLanguage] = [
        "inkbox": .inkbox, "twilio": .twiml, "telnyx-texml": .texml, "vonage": .ncco,
    ]

    /// The language a source of `format` answers in; nil when the format has no incoming-call request.
    public static func of(format: String) -> AnswerLanguage? { byFormat[format] }

    /// The largest `incoming_call.decision.timeout_ms` for this language: the provider's wait for the
    /// answer less one second for the network and the fallback. Twilio waits 15 s in all; TeXML's
    /// wait is not documented, so Twilio's is assumed; Vonage waits 5 s for the NCCO; Inkbox keeps the
    /// bridge's general cap.
    public var maxTimeoutMilliseconds: Int {
        switch self {
        case .inkbox: 30_000
        case .twiml, .texml: 14_000
        case .ncco: 4_000
        }
    }

    /// Whether the provider may fetch its incoming-call URL with GET, the fields in the query, and the
    /// query can be verified: Vonage's answer URL (GET by default; `payload_hash` covers the query's
    /// fields as JSON). Twilio's GET signature covers the query as sent, which is not kept, so Twilio and
    /// TeXML take POST only.
    public var answersGet: Bool { self == .ncco }

    /// What the provider waits, in words for the configuration error.
    public var providerWait: String {
        switch self {
        case .inkbox: "the bridge's cap"
        case .twiml: "Twilio waits 15 s for the TwiML"
        case .texml: "Telnyx does not document its TeXML wait; Twilio's 15 s is assumed"
        case .ncco: "Vonage waits 5 s for the NCCO"
        }
    }

    /// Why `answer` cannot be said in this language (nil when it can). Inkbox may answer without a URL
    /// (the number's own URL applies); the others have no URL of their own to fall back on, and Twilio
    /// and TeXML stream only to `wss://`.
    public func problem(_ answer: CallAnswer) -> String? {
        guard self != .inkbox, answer.action == .answer else { return nil }
        guard let url = answer.websocketURL else {
            return "an answer for \(rawValue) needs client_websocket_url (the provider has no URL of its own)"
        }
        if self != .ncco, !url.lowercased().hasPrefix("wss://") {
            return "\(rawValue) streams only to wss:// URLs, got \"\(url.prefix(200))\""
        }
        return nil
    }

    /// The answer document: its `Content-Type` and bytes. `answer` must have passed `problem`.
    public func render(_ answer: CallAnswer) -> (contentType: String, body: [UInt8]) {
        switch self {
        case .inkbox:
            return ("application/json", answer.bytes)
        case .twiml, .texml:
            return ("text/xml", Array(TwiML.document(answer).utf8))
        case .ncco:
            return ("application/json", JSONWriter.bytes(NCCO.document(answer)))
        }
    }
}

/// TwiML (and TeXML, which reads the same verbs): `<Connect><Stream url/></Connect>` or `<Reject/>`, in
/// the form the `twilio` SDK's `VoiceResponse` writes.
public enum TwiML {
    public static func document(_ answer: CallAnswer) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?><Response>"#
        switch (answer.action, answer.websocketURL) {
        case (.answer, let url?):
            xml += #"<Connect><Stream url=""# + XMLText.attribute(url) + "\""
            if answer.parameters.isEmpty {
                xml += " />"
            } else {
                xml += ">"
                for parameter in answer.parameters {
                    xml += #"<Parameter name=""# + XMLText.attribute(parameter.name) + #"" value=""#
                        + XMLText.attribute(parameter.value) + #"" />"#
                }
                xml += "</Stream>"
            }
            xml += "</Connect>"
        case (.answer, nil):
            // Not renderable (AnswerLanguage.problem refuses it before): an empty Response hangs up.
            break
        case (.reject, _):
            if let reason = answer.reason {
                xml += #"<Reject reason=""# + reason.rawValue + #"" />"#
            } else {
                xml += "<Reject />"
            }
        }
        return xml + "</Response>"
    }
}

/// Vonage NCCO. A connect to the agent's websocket at 16 kHz linear PCM (stream parameters as the
/// endpoint's `headers`, which Vonage passes to the websocket); NCCO has no reject action, so
/// a reject is the empty NCCO `[]`: nothing to do, Vonage ends the call at once (the caller hears the
/// call drop, no message; PROVIDERS.md §3.1 leaves open whether the leg is billed as answered).
public enum NCCO {
    /// The websocket's audio format.
    public static let contentType = "audio/l16;rate=16000"

    public static func document(_ answer: CallAnswer) -> JSONValue {
        guard answer.action == .answer, let url = answer.websocketURL else { return .array([]) }
        var endpoint = JSONObject([("type", .string("websocket")), ("uri", .string(url)),
                                   ("content-type", .string(contentType))])
        if !answer.parameters.isEmpty {
            endpoint["headers"] = .object(JSONObject(answer.parameters.map { ($0.name, JSONValue.string($0.value)) }))
        }
        let connect = JSONObject([("action", .string("connect")), ("endpoint", .array([.object(endpoint)]))])
        return .array([.object(connect)])
    }
}

/// XML escaping for text and attribute values (`&`, `<`, `>`, both quotes, and the whitespace an
/// attribute would otherwise normalise away).
public enum XMLText {
    public static func attribute(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
