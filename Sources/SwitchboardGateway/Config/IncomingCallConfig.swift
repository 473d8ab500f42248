import SwitchboardCore

/// A source's `incoming_call` block: how Switchboard answers a provider's synchronous incoming-call
/// request (Inkbox's `incoming_call`, Twilio's/TeXML's Voice URL, Vonage's answer URL). In order: the first matching `rules` entry, else the `decision` endpoint, else `fallback`.
///
/// ```json
/// {"rules": [{"match": {"caller": {"prefix": "+90"}, "known_contact": true,
///                       "time": {"zone": "Europe/Istanbul", "days": ["mon", "fri"], "from": "09:00", "to": "18:00"}},
///             "action": "answer", "client_websocket_url": "wss://agent.example/ws"}],
///  "decision": {"url": "https://decide.example/hook", "format": "callingbox", "secret": "env:DECIDE_SECRET",
///               "timeout_ms": 2000},
///  "fallback": {"action": "reject"}}
/// ```
public struct IncomingCallConfig: Sendable, Equatable {
    /// The endpoint asked when no rule matched.
    public struct Decision: Sendable, Equatable {
        public var url: String
        /// The mapping format of the `call.incoming` request body; its mapping file's `delivery` block
        /// names the signature scheme and headers (`ConfigCheck` requires a format that encodes `call.incoming`).
        public var format: String
        public var secret: String
        /// The whole request's budget; Inkbox is answered with the fallback when it runs out.
        public var timeoutMilliseconds: Int
    }

    public var rules: [CallRule] = []
    public var decision: Decision?
    /// The answer when nothing else decided (required unless the last rule matches every call).
    public var fallback: CallAnswer?

    public static let defaultTimeoutMilliseconds = 2_000
    public static let maxTimeoutMilliseconds = 30_000

    static func parse(_ reader: inout ConfigReader, environment: [String: String]) throws -> IncomingCallConfig {
        let at = reader.location
        var config = IncomingCallConfig()
        for var rule in try reader.objects("rules") ?? [] {
            config.rules.append(try parseRule(&rule))
        }
        if var decision = try reader.object("decision") {
            config.decision = try parseDecision(&decision, environment: environment)
        }
        if var fallback = try reader.object("fallback") {
            config.fallback = try parseAnswer(&fallback)
            try fallback.finish()
        }
        try reader.finish()
        if let index = config.rules.firstIndex(where: { $0.match.isEmpty }) {
            guard index == config.rules.count - 1 else {
                throw ConfigError(at: "\(at).rules[\(index)]", "matches every call, so the rules after it can never match")
            }
            guard config.decision == nil else {
                throw ConfigError(at: "\(at).rules[\(index)]", "matches every call, so 'decision' would never be asked")
            }
        } else if config.fallback == nil {
            throw ConfigError(at: "\(at).fallback", "is required: it answers when no rule matches and the decision endpoint cannot")
        }
        guard !config.rules.isEmpty || config.decision != nil || config.fallback != nil else {
            throw ConfigError(at: at, "needs rules, a decision or a fallback")
        }
        return config
    }

    /// What the source's answer language adds: `timeout_ms` within the provider's wait, and rules and
    /// fallback that the language can say (Twilio has no number URL to fall back on, so an answer needs one).
    func check(_ language: AnswerLanguage, at: String) throws {
        if let decision, decision.timeoutMilliseconds > language.maxTimeoutMilliseconds {
            throw ConfigError(at: "\(at).decision.timeout_ms", "must be at most \(language.maxTimeoutMilliseconds) for this source's format (\(language.providerWait), less 1 s for the network and the fallback), got \(decision.timeoutMilliseconds)")
        }
        for (index, rule) in rules.enumerated() {
            if let problem = language.problem(rule.answer) { throw ConfigError(at: "\(at).rules[\(index)].client_websocket_url", problem) }
        }
        if let fallback, let problem = language.problem(fallback) {
            throw ConfigError(at: "\(at).fallback.client_websocket_url", problem)
        }
    }

    private static func parseRule(_ reader: inout ConfigReader) throws -> CallRule {
        var match = CallRuleMatch()
        if var conditions = try reader.object("match") {
            match.caller = try parseNumber(&conditions, "caller")
            match.callee = try parseNumber(&conditions, "callee")
            match.knownContact = try conditions.bool("known_contact")
            if var time = try conditions.object("time") {
                let at = time.location
                guard let zone = try time.string("zone") else { throw ConfigError(at: "\(at).zone", "is required") }
                let days = try time.strings("days")
                guard let from = try time.string("from") else { throw ConfigError(at: "\(at).from", "is required") }
                guard let to = try time.string("to") else { throw ConfigError(at: "\(at).to", "is required") }
                try time.finish()
                do {
                    match.time = try TimeWindow(zone: zone, days: days, from: from, to: to)
                } catch {
                    throw ConfigError(at: at, error.description)
                }
            }
            try conditions.finish()
        }
        let answer = try parseAnswer(&reader)
        try reader.finish()
        return CallRule(match: match, answer: answer)
    }

    /// `{"exact": "+90..."}` or `{"prefix": "+90"}`.
    private static func parseNumber(_ reader: inout ConfigReader, _ key: String) throws -> NumberMatch? {
        guard var number = try reader.object(key) else { return nil }
        let at = number.location
        let exact = try number.string("exact")
        let prefix = try number.string("prefix")
        try number.finish()
        switch (exact, prefix) {
        case (let value?, nil):
            guard !value.isEmpty else { throw ConfigError(at: "\(at).exact", "must not be empty") }
            return .exact(value)
        case (nil, let value?):
            guard !value.isEmpty else { throw ConfigError(at: "\(at).prefix", "must not be empty") }
            return .prefix(value)
        default:
            throw ConfigError(at: at, "must have exactly one of exact or prefix")
        }
    }

    /// `action` and the optional `client_websocket_url`, read from `reader` (which the caller finishes).
    private static func parseAnswer(_ reader: inout ConfigReader) throws -> CallAnswer {
        let at = reader.location
        guard let text = try reader.string("action") else { throw ConfigError(at: "\(at).action", "is required") }
        guard let action = CallAnswer.Action(rawValue: text) else {
            throw ConfigError(at: "\(at).action", "must be \"answer\" or \"reject\", got \"\(text)\"")
        }
        let url = try reader.string("client_websocket_url")
        if let url, let problem = WebSocketURL.problem(url) {
            throw ConfigError(at: "\(at).client_websocket_url", "\(problem), got \"\(url)\"")
        }
        var reason: CallAnswer.RejectReason?
        if let text = try reader.string("reason") {
            guard action == .reject, let value = CallAnswer.RejectReason(rawValue: text) else {
                throw ConfigError(at: "\(at).reason", "must be \"rejected\" or \"busy\" on a reject, got \"\(text)\"")
            }
            reason = value
        }
        var parameters: [CallAnswer.StreamParameter] = []
        if var members = try reader.object("parameters") {
            guard action == .answer else { throw ConfigError(at: "\(at).parameters", "applies to an answer only") }
            for name in members.keys where !name.hasPrefix("//") {
                parameters.append(CallAnswer.StreamParameter(name, try members.string(name) ?? ""))
            }
            try members.finish()
        }
        return CallAnswer(action: action, websocketURL: url, reason: reason, parameters: parameters)
    }

    private static func parseDecision(_ reader: inout ConfigReader, environment: [String: String]) throws -> Decision {
        let at = reader.location
        guard let url = try reader.string("url") else { throw ConfigError(at: "\(at).url", "is required") }
        let lowered = url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw ConfigError(at: "\(at).url", "must be an http or https URL, got \"\(url)\"")
        }
        guard let format = try reader.string("format") else { throw ConfigError(at: "\(at).format", "is required") }
        guard let secret = try reader.secret("secret", environment: environment) else {
            throw ConfigError(at: "\(at).secret", "is required: decision requests are signed")
        }
        let timeout = try reader.int("timeout_ms", range: 1...maxTimeoutMilliseconds) ?? defaultTimeoutMilliseconds
        try reader.finish()
        return Decision(url: url, format: format, secret: secret, timeoutMilliseconds: timeout)
    }
}
