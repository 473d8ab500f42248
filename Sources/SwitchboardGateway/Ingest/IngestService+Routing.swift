import SwitchboardCore

extension IngestService {
    /// Destinations of an event and the body each receives. Pure apart from the translator's call
    /// sessions (once-per-call groups are claimed per destination).
    ///
    /// 1. Every routable endpoint: the event is encoded in the endpoint's format and each output whose
    ///    type the endpoint's `enabled_events` include becomes a delivery. Test events only go to
    ///    endpoints that opt into them (`receive_test_events`).
    /// 2. The call's webhook (`PUT /v1/calls/{call}/webhook`): `instead` replaces every other
    ///    destination, `also` adds to them. Not for test events.
    /// 3. The source's `webhook_url`. Not for test events.
    static func route(_ event: CallEvent, source: SourceConfig, destinations: DestinationRegistry.Snapshot,
                      translator: inout Translator) throws(TranslationError) -> [NewDelivery] {
        var deliveries: [NewDelivery] = []
        let callWebhook = event.isTest ? nil : destinations.callWebhooks[event.call.id]
        if let callWebhook {
            try append(event, to: &deliveries, translator: &translator,
                       destination: Destination(name: "call:\(event.call.id)", endpointID: nil, url: callWebhook.url,
                                                format: callWebhook.format, scheme: CallWebhookRecord.scheme))
            if callWebhook.mode == .instead { return deliveries }
        }
        for endpoint in destinations.endpoints where !event.isTest || endpoint.receiveTestEvents {
            try append(event, to: &deliveries, translator: &translator,
                       destination: Destination(name: "endpoint:\(endpoint.id)", endpointID: endpoint.id, url: endpoint.url,
                                                format: endpoint.format, scheme: endpoint.scheme),
                       accepting: endpoint.wants)
        }
        if let url = source.webhookURL, !event.isTest {
            try append(event, to: &deliveries, translator: &translator,
                       destination: Destination(name: "source:\(source.name)", endpointID: nil, url: url,
                                                format: source.webhookFormat, scheme: DeliveryFormats.scheme(for: source.webhookFormat, in: translator.mappings)))
        }
        return deliveries
    }

    /// Where one destination's deliveries go.
    struct Destination {
        var name: String
        var endpointID: String?
        var url: String
        var format: String
        var scheme: String
    }

    /// Encodes `event` for `destination` and appends a delivery per output whose type it accepts.
    private static func append(_ event: CallEvent, to deliveries: inout [NewDelivery], translator: inout Translator,
                               destination: Destination,
                               accepting accepts: (String) -> Bool = { _ in true }) throws(TranslationError) {
        let results = try translator.encode(event, as: destination.format, destination: destination.name) { type in
            deliveryID(eventID: event.id, destination: destination.name, type: type)
        }
        for case .output(let output) in results where accepts(output.type) {
            deliveries.append(NewDelivery(id: output.envelopeID, destination: destination.name, endpointID: destination.endpointID,
                                          url: destination.url, format: destination.format, scheme: destination.scheme,
                                          eventType: output.type, body: output.body, once: output.once,
                                          skipAfter: output.skipAfter))
        }
    }
}
