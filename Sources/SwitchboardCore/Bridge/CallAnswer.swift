/// What Inkbox is told to do with an incoming call (REFERENCE.md §3.6):
/// `{"action": "answer" | "reject", "client_websocket_url": "wss://..."}`, the URL optional.
public struct CallAnswer: Sendable, Equatable {
    /// The two actions Inkbox's incoming-call webhook documents.
    public enum Action: String, Sendable, Equatable, CaseIterable {
        case answer, reject
    }

    public var action: Action
    /// Where Inkbox connects the call's WebSocket; nil leaves the number's configured URL in force.
    public var websocketURL: String?
    /// Why a call is rejected, for providers whose reject takes one (TwiML/TeXML `<Reject reason>`):
    /// `rejected` or `busy`; nil is the provider's default. Not part of Inkbox's answer.
    public var reason: RejectReason?

    /// The reasons a `<Reject>` takes (PROVIDERS.md §1.6).
    public enum RejectReason: String, Sendable, Equatable, CaseIterable {
        case rejected, busy
    }

    /// Name/value pairs for the agent's stream, where the provider has a place for them: TwiML/TeXML
    /// `<Parameter>`s of the `<Stream>` (in the WebSocket's `start` message as `customParameters`), the
    /// NCCO websocket endpoint's `headers`. Not part of Inkbox's answer.
    public var parameters: [StreamParameter]

    /// One stream parameter.
    public struct StreamParameter: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(action: Action, websocketURL: String? = nil, reason: RejectReason? = nil, parameters: [StreamParameter] = []) {
        self.action = action
        self.websocketURL = websocketURL
        self.reason = reason
        self.parameters = parameters
    }

    /// The answer's JSON: `action`, then `client_websocket_url` only when there is one.
    public var json: JSONValue {
        var object = JSONObject([("action", .string(action.rawValue))])
        if let websocketURL { object["client_websocket_url"] = .string(websocketURL) }
        return .object(object)
    }

    /// The answer's JSON bytes (deterministic).
    public var bytes: [UInt8] { JSONWriter.bytes(json) }

    /// Reads a decision endpoint's body: a JSON object whose `action` is `answer` or `reject` and whose
    /// optional `client_websocket_url` (null or absent when none) is a `ws://` or `wss://` URL. With
    /// `extras`, a reject's `reason` and an answer's `parameters` are read too (for the providers that
    /// have a place for them); other members are ignored, so an existing Inkbox handler's answer passes
    /// unchanged (Inkbox sources read without `extras`).
    public static func parse(_ body: [UInt8], extras: Bool = true) throws(CallAnswerProblem) -> CallAnswer {
        let document: JSONValue
        do { document = try JSONReader.parse(body) } catch { throw .notJSON(error.description) }
        guard case .object(let object) = document else { throw .notAnObject(document.typeNameWithArticle) }
        guard let actionValue = object["action"] else { throw .missingAction }
        guard let text = actionValue.stringValue else { throw .actionNotText(actionValue.typeNameWithArticle) }
        guard let action = Action(rawValue: text) else { throw .unknownAction(text) }
        var answer = CallAnswer(action: action)
        switch extras && action == .reject ? object["reason"] : nil {
        case nil, .null?:
            break
        case .string(let text)? where RejectReason(rawValue: text) != nil:
            answer.reason = RejectReason(rawValue: text)
        case let other?:
            throw .invalidReason(other.stringValue.map { "\"\($0.prefix(64))\"" } ?? other.typeNameWithArticle)
        }
        switch extras && action == .answer ? object["parameters"] : nil {
        case nil, .null?:
            break
        case .object(let members)?:
            for (name, value) in members {
                guard let text = value.stringValue else { throw .parameterNotText(name, value.typeNameWithArticle) }
                answer.parameters.append(StreamParameter(name, text))
            }
        case let other?:
            throw .parametersNotAnObject(other.typeNameWithArticle)
        }
        switch object["client_websocket_url"] {
        case nil, .null?:
            return answer
        case .string(let url)?:
            if let problem = WebSocketURL.problem(url) { throw .invalidWebSocketURL(url, problem) }
            answer.websocketURL = url
            return answer
        case let other?:
            throw .webSocketURLNotText(other.typeNameWithArticle)
        }
    }
}

/// Why a decision endpoint's body is not an answer, in words for the decision record.
public enum CallAnswerProblem: Error, Sendable, Equatable, CustomStringConvertible {
    case notJSON(String)
    case notAnObject(String)
    case missingAction
    case actionNotText(String)
    case unknownAction(String)
    case webSocketURLNotText(String)
    case invalidWebSocketURL(String, String)
    case invalidReason(String)
    case parametersNotAnObject(String)
    case parameterNotText(String, String)
    /// The answer cannot be said in the source's answer language (e.g. `answer` without a URL for Twilio).
    case notRenderable(String)

    public var description: String {
        switch self {
        case .notJSON(let reason): "the body is not JSON: \(reason)"
        case .notAnObject(let type): "the body must be a JSON object, got \(type)"
        case .missingAction: "action is missing"
        case .actionNotText(let type): "action must be text, got \(type)"
        case .unknownAction(let action): "action must be \"answer\" or \"reject\", got \"\(action.prefix(64))\""
        case .webSocketURLNotText(let type): "client_websocket_url must be text, got \(type)"
        case .invalidWebSocketURL(let url, let problem): "client_websocket_url \"\(url.prefix(200))\": \(problem)"
        case .invalidReason(let got): "reason must be \"rejected\" or \"busy\", got \(got)"
        case .notRenderable(let why): why
        case .parametersNotAnObject(let type): "parameters must be an object of texts, got \(type)"
        case .parameterNotText(let name, let type): "parameters.\(name.prefix(64)) must be text, got \(type)"
        }
    }
}

/// The checks a `client_websocket_url` must pass: `ws://` or `wss://` (scheme in any case), a host, and
/// no whitespace or control characters.
public enum WebSocketURL {
    /// Nil when `url` is acceptable, else what is wrong with it.
    public static func problem(_ url: String) -> String? {
        let lowered = url.lowercased()
        let rest: Substring
        if lowered.hasPrefix("wss://") {
            rest = url.dropFirst(6)
        } else if lowered.hasPrefix("ws://") {
            rest = url.dropFirst(5)
        } else {
            return "must start with ws:// or wss://"
        }
        if url.utf8.count > 2048 { return "longer than 2048 bytes" }
        if url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) {
            return "contains whitespace or control characters"
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        if host.isEmpty || host.hasPrefix(":") { return "has no host" }
        return nil
    }
}
