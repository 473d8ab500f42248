import SwitchboardCore

/// The synthetic event of a test send (`POST /v1/webhooks/{id}/test`): a call that has just been answered
/// (`call.started` in OneInbox's names), marked as a test, encoded in the endpoint's format like any
/// event and delivered as an ordinary delivery row of its own event. The body carries `"test": true`.
enum TestDelivery {
    /// The `events.source` of test events (no configured source can have this name: names are lowercase
    /// letters, digits, `-` and `_`, and ingest only accepts configured names).
    static let source = "switchboard-test"

    /// The event and the one delivery to `endpoint` it produces.
    static func make(for endpoint: EndpointRecord, eventID: String, now: Double,
                     translator: Translator) throws -> (event: CallEvent, delivery: NewDelivery) {
        let key = "test_" + eventID.prefix(8)
        var call = CallInfo(key: key, id: CallResolver.derivedID(source: source, key: key))
        call.direction = "outbound"
        call.from = "+15550100"
        call.to = "+15550199"
        call.status = "in_progress"
        call.createdAt = now
        call.startedAt = now
        call.answeredAt = now
        let raw: JSONValue = ["test": true, "webhook_id": .string(endpoint.id)]
        let event = CallEvent(kind: .answered, id: eventID, identity: "test:\(eventID)", source: source,
                              vendor: "switchboard", vendorType: "test", occurredAt: now, receivedAt: now, isTest: true,
                              call: call, raw: raw)
        let destination = "endpoint:\(endpoint.id)"
        var translator = translator
        let results = try translator.encode(event, as: endpoint.format, destination: destination) { type in
            IngestService.deliveryID(eventID: eventID, destination: destination, type: type)
        }
        guard case .output(let type, let id, let bytes)? = results.first(where: { if case .output = $0 { true } else { false } }) else {
            throw TestDeliveryError(format: endpoint.format)
        }
        let delivery = NewDelivery(id: id, destination: destination, endpointID: endpoint.id, url: endpoint.url,
                                   format: endpoint.format, scheme: endpoint.scheme, eventType: type,
                                   body: try marked(bytes))
        return (event, delivery)
    }

    /// The body with `"test": true` added at the top level.
    static func marked(_ body: [UInt8]) throws -> [UInt8] {
        guard case .object(var object) = try JSONReader.parse(body) else { return body }
        object["test"] = true
        return JSONWriter.bytes(.object(object))
    }
}

/// The endpoint's format encodes no body for an answered call.
struct TestDeliveryError: Error, CustomStringConvertible {
    let format: String
    var description: String { "the \(format) format has no body for a test event" }
}
