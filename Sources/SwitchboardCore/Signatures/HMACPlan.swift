/// A configurable HMAC signature plan, after Vapi's `HMACAuthenticationPlan` (vapi-server-sdk
/// 3.0.0 `hmac_authentication_plan.py`): which algorithm, which headers, what text is signed
/// and how the signature is written. The secret itself is not part of the plan: it is the
/// scheme's secret (so rotation with `secret_previous` works as for the other schemes).
///
/// Pure value: validation happens once in ``init(algorithm:signatureHeader:timestampHeader:includeTimestamp:payloadFormat:signaturePrefix:signatureEncoding:messageIdHeader:secretIsBase64:)``;
/// ``message(body:timestamp:method:url:messageID:)`` builds the signed bytes.
///
/// The signed text is ``payloadFormat`` with its placeholders substituted in one pass over the
/// format (a placeholder inside a substituted value, e.g. `{timestamp}` in the body, stays as
/// it is): `{body}` the raw body bytes, `{timestamp}` the timestamp header's text as received,
/// `{method}` the request method, `{url}` the URL the sender requested, `{svix-id}` the message-id
/// header's text. Other `{…}` text is literal.
public struct HMACPlan: Sendable, Equatable {
    /// How the signature bytes are written in the header.
    public enum Encoding: String, Sendable, Equatable, CaseIterable {
        case hex, base64
    }

    /// One piece of a parsed ``payloadFormat``.
    enum Piece: Equatable {
        case literal([UInt8])
        case body, timestamp, method, url, messageID
    }

    /// The placeholders by their text in the format.
    static let placeholders: [(String, Piece)] = [
        ("{body}", .body), ("{timestamp}", .timestamp), ("{method}", .method), ("{url}", .url), ("{svix-id}", .messageID),
    ]
    /// Vapi's default `signatureHeader`.
    public static let defaultSignatureHeader = "x-signature"
    /// Vapi's default `timestampHeader`.
    public static let defaultTimestampHeader = "x-timestamp"
    /// Vapi's default `payloadFormat` (with `includeTimestamp`).
    public static let defaultPayloadFormat = "{timestamp}.{body}"
    /// The format used when `includeTimestamp` is false and none is given: the body alone.
    public static let untimedPayloadFormat = "{body}"
    /// The algorithm names Vapi accepts, as written in its API.
    public static let algorithmNames: [(String, HMAC.Algorithm)] = [("sha256", .sha256), ("sha512", .sha512), ("sha1", .sha1)]

    public let algorithm: HMAC.Algorithm
    public let signatureHeader: String
    public let timestampHeader: String
    /// Whether a timestamp header is sent, signed and checked against the tolerance.
    public let includeTimestamp: Bool
    /// The format as given, or the default for ``includeTimestamp``.
    public let payloadFormat: String
    /// Text written before the encoded signature (e.g. `sha256=`), empty by default.
    public let signaturePrefix: String
    public let signatureEncoding: Encoding
    /// The header carrying the message id (`{svix-id}`), if any.
    public let messageIdHeader: String?
    /// Whether the secret is base64 text whose decoded bytes are the key (else its UTF-8 bytes).
    public let secretIsBase64: Bool
    /// ``payloadFormat`` parsed.
    let pieces: [Piece]

    /// A plan with Vapi's defaults for each option left nil; throws ``HMACPlanError`` naming the
    /// option that cannot work.
    public init(algorithm: HMAC.Algorithm = .sha256, signatureHeader: String? = nil, timestampHeader: String? = nil,
                includeTimestamp: Bool = true, payloadFormat: String? = nil, signaturePrefix: String = "",
                signatureEncoding: Encoding = .hex, messageIdHeader: String? = nil,
                secretIsBase64: Bool = false) throws(HMACPlanError) {
        let signatureHeader = signatureHeader ?? Self.defaultSignatureHeader
        let timestampHeader = timestampHeader ?? Self.defaultTimestampHeader
        for (option, name) in [("signature_header", signatureHeader), ("timestamp_header", timestampHeader),
                               ("message_id_header", messageIdHeader ?? "x")] where !HTTPToken.isToken(name) {
            throw HMACPlanError(option: option, "'\(name)' is not a valid header name")
        }
        let format = payloadFormat ?? (includeTimestamp ? Self.defaultPayloadFormat : Self.untimedPayloadFormat)
        let pieces = Self.parse(format)
        guard pieces.contains(.body) else {
            throw HMACPlanError(option: "payload_format", "must contain {body}: otherwise the body is not signed")
        }
        if !includeTimestamp, pieces.contains(.timestamp) {
            throw HMACPlanError(option: "payload_format", "uses {timestamp} but include_timestamp is false")
        }
        if messageIdHeader == nil, pieces.contains(.messageID) {
            throw HMACPlanError(option: "payload_format", "uses {svix-id}, which needs message_id_header")
        }
        if !signaturePrefix.isEmpty, let problem = HeaderText.problem(withValue: signaturePrefix) {
            throw HMACPlanError(option: "signature_prefix", "cannot be sent in a header: \(problem)")
        }
        self.algorithm = algorithm
        self.signatureHeader = signatureHeader
        self.timestampHeader = timestampHeader
        self.includeTimestamp = includeTimestamp
        self.payloadFormat = format
        self.signaturePrefix = signaturePrefix
        self.signatureEncoding = signatureEncoding
        self.messageIdHeader = messageIdHeader
        self.secretIsBase64 = secretIsBase64
        self.pieces = pieces
    }

    /// The algorithm written `name` (`sha256`, `sha512`, `sha1`), or nil.
    public static func algorithm(named name: String) -> HMAC.Algorithm? {
        algorithmNames.first { $0.0 == name }?.1
    }

    /// Whether the signed text contains the request URL (`{url}`).
    public var signsURL: Bool { pieces.contains(.url) }
    /// Whether the signed text contains the message id (`{svix-id}`).
    public var signsMessageID: Bool { pieces.contains(.messageID) }

    /// The bytes signed for these values; a placeholder whose value is nil contributes nothing
    /// (callers supply every value the format uses).
    func message(body: [UInt8], timestamp: Substring?, method: String, url: String?, messageID: Substring?) -> [UInt8] {
        var bytes: [UInt8] = []
        for piece in pieces {
            switch piece {
            case .literal(let text): bytes += text
            case .body: bytes += body
            case .timestamp: if let timestamp { bytes += timestamp.utf8 }
            case .method: bytes += method.utf8
            case .url: if let url { bytes += url.utf8 }
            case .messageID: if let messageID { bytes += messageID.utf8 }
            }
        }
        return bytes
    }

    /// The key bytes of `secret`: its UTF-8 bytes, or with ``secretIsBase64`` its base64-decoded
    /// bytes; a failure naming the problem when the secret is unusable (empty, or not base64).
    func key(_ secret: String) -> Result<[UInt8], HMACPlanError> {
        guard !secret.isEmpty else { return .failure(HMACPlanError(option: "secret", "the secret is empty")) }
        guard secretIsBase64 else { return .success(Array(secret.utf8)) }
        guard let bytes = try? Base64.decode(secret), !bytes.isEmpty else {
            return .failure(HMACPlanError(option: "secret", "the secret is not base64 (secret_is_base64 is true)"))
        }
        return .success(bytes)
    }

    /// The header value for `code`: the prefix then the encoded bytes.
    func headerValue(_ code: [UInt8]) -> String {
        signaturePrefix + (signatureEncoding == .hex ? Hex.encode(code) : Base64.encode(code))
    }

    /// `format` split into literals and placeholders, scanning left to right.
    static func parse(_ format: String) -> [Piece] {
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        var rest = Substring(format)
        while !rest.isEmpty {
            if let (text, piece) = placeholders.first(where: { rest.utf8.starts(with: $0.0.utf8) }) {
                if !literal.isEmpty { pieces.append(.literal(literal)) }
                literal = []
                pieces.append(piece)
                rest = rest.dropFirst(text.count)
            } else if let first = rest.first {
                literal += String(first).utf8
                rest = rest.dropFirst()
            }
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        return pieces
    }
}

/// An HMAC plan option that cannot work; `option` is its configuration key (snake_case).
public struct HMACPlanError: Error, Sendable, Equatable, CustomStringConvertible {
    public let option: String
    public let problem: String

    public init(option: String, _ problem: String) {
        self.option = option
        self.problem = problem
    }

    public var description: String { "\(option): \(problem)" }
}
