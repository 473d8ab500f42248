/// The kinds of canonical call event (mappings/README.md).
public enum CallEventKind: String, Sendable, CaseIterable, Codable {
    case initiated = "call.initiated"
    case ringing = "call.ringing"
    case incoming = "call.incoming"
    case answered = "call.answered"
    case transcriptPartial = "transcript.partial"
    case transcriptFinal = "transcript.final"
    case ended = "call.ended"
    case failed = "call.failed"
    case analyzed = "call.analyzed"
    case recordingAvailable = "call.recording.available"

    /// Kinds after which the call is over.
    public var isTerminal: Bool { self == .ended || self == .failed }
}

/// One line of a transcript.
public struct TranscriptSegment: Sendable, Equatable {
    public var speaker: String?
    public var text: String
    /// Unix seconds, when known.
    public var at: Double?

    public init(speaker: String?, text: String, at: Double?) {
        self.speaker = speaker
        self.text = text
        self.at = at
    }
}

/// What is known about a call. Times are Unix seconds.
public struct CallInfo: Sendable, Equatable {
    /// The vendor's call id, as text.
    public var key: String
    /// UUIDv5 of the source name and `key`: the same for every event of the call.
    public var id: String
    public var direction: String?
    public var from: String?
    public var to: String?
    public var status: String?
    /// When the call was first seen (filled in by the call session).
    public var createdAt: Double?
    public var startedAt: Double?
    public var answeredAt: Double?
    public var endedAt: Double?
    public var durationSeconds: Int64?
    /// On `call.ended`: completed, no_answer, busy or canceled.
    public var outcome: String?
    public var hangupCause: String?
    public var metadata: JSONObject

    public init(key: String, id: String) {
        self.key = key
        self.id = id
        metadata = JSONObject()
    }
}

/// A call event in Switchboard's own model, whatever format it arrived in.
public struct CallEvent: Sendable, Equatable {
    public var kind: CallEventKind
    /// UUIDv5 of the source name and the vendor event's identity.
    public var id: String
    /// The vendor event's identity (the de-duplication key).
    public var identity: String
    /// The configured source name.
    public var source: String
    /// The format the event arrived in.
    public var vendor: String
    /// The vendor's event name.
    public var vendorType: String
    public var occurredAt: Double
    public var receivedAt: Double
    public var isTest: Bool
    public var call: CallInfo
    public var transcript: [TranscriptSegment]?
    public var partial: TranscriptSegment?
    public var errorCode: String?
    public var errorMessage: String?
    public var analysisSummary: String?
    public var analysisOutcome: String?
    public var analysisResult: JSONObject?
    public var recordingURL: String?
    /// Address-book matches for the caller (incoming calls): `[{id, name, memories}]`.
    public var contacts: [JSONValue]?
    /// Agent identities the call may go to: `[{id, handle, display_name}]`.
    public var agents: [JSONValue]?
    /// Vendor data a same-vendor encoding needs back.
    public var vendorData: JSONObject?
    /// The vendor body as received.
    public var raw: JSONValue

    public init(kind: CallEventKind, id: String, identity: String, source: String, vendor: String, vendorType: String,
                occurredAt: Double, receivedAt: Double, isTest: Bool, call: CallInfo, raw: JSONValue) {
        self.kind = kind
        self.id = id
        self.identity = identity
        self.source = source
        self.vendor = vendor
        self.vendorType = vendorType
        self.occurredAt = occurredAt
        self.receivedAt = receivedAt
        self.isTest = isTest
        self.call = call
        self.raw = raw
    }
}
