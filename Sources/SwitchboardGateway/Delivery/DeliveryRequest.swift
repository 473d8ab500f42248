import SwitchboardCore
import SwitchboardHTTP

/// Builds the HTTP request for one attempt: the stored body, signed now with every live secret (for a
/// `standard-webhooks-v1a` endpoint, every live `whsk_` key: one `v1a` signature each).
enum DeliveryRequest {
    static let userAgent = "Switchboard/\(SwitchboardVersion.current)"
    /// The header that marks a test event's delivery (`X-Switchboard-Test: 1`).
    static let testHeader = "X-Switchboard-Test"

    enum Failure: Error, CustomStringConvertible {
        case noSecret(String)
        case signing(String)

        var description: String {
            switch self {
            case .noSecret(let destination): "no signing secret for \(destination)"
            case .signing(let reason): "signing failed: \(reason)"
            }
        }
    }

    /// - Parameters:
    ///   - profile: the delivery's format's scheme-independent headers (`DeliveryFormats`).
    ///   - secrets: the current secret first, then any still in their rotation overlap. A scheme whose
    ///     header carries fewer signatures signs with the newest it can carry.
    ///   - timeoutMilliseconds: the whole attempt's budget.
    ///   - messageID: the id the scheme signs, when it signs one (default: the delivery id).
    static func make(_ delivery: DueDelivery, profile: DeliveryProfile, secrets: [String], now: Double, timeoutMilliseconds: Int,
                     messageID: String? = nil) throws(Failure) -> HTTPClientRequest {
        guard !secrets.isEmpty else { throw .noSecret(delivery.destination) }
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        headers.add("User-Agent", userAgent)
        let signed: [HeaderField]
        do {
            let scheme = try SignatureSchemes.scheme(named: delivery.scheme)
            let id = scheme.needsMessageID ? messageID ?? delivery.id : nil
            do {
                signed = try scheme.sign(body: delivery.body, secrets: secrets, timestamp: Int64(now), id: id)
            } catch .tooManySecrets(_, let limit) {
                signed = try scheme.sign(body: delivery.body, secrets: Array(secrets.prefix(limit)), timestamp: Int64(now), id: id)
            }
        } catch {
            throw .signing("\(error)")
        }
        for field in signed { headers.add(field.name, field.value) }
        // The format's own headers: the delivery id among them is the idempotency key, the same on every
        // retry and replay.
        for field in profile.fields(deliveryID: delivery.id, eventType: delivery.eventType, callID: delivery.callID) {
            headers.add(field.name, field.value)
        }
        // A test event says so on every format, whatever its body can carry.
        if delivery.isTest { headers.add(testHeader, "1") }
        return HTTPClientRequest(method: .POST, url: delivery.url, headers: headers, body: delivery.body,
                                 connectTimeoutMilliseconds: min(timeoutMilliseconds, 5_000),
                                 totalTimeoutMilliseconds: timeoutMilliseconds)
    }
}
