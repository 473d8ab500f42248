import SwitchboardCore

extension IngestService {
    /// Destinations of an event and the body each receives. Pure apart from the translator's call
    /// sessions (read for transcripts); once-per-call groups are claimed per destination by the commit.
    ///
    /// 1. The call's webhook (`PUT /v1/calls/{call}/webhook`): `instead` replaces every other
    ///    destination, `also` adds to them. Not for test events.
    /// 2. The endpoints the index selects: for each format that has endpoints (for a test event:
    ///    endpoints with `receive_test_events`), the event is encoded once, and each output goes to the
    ///    endpoints of that format subscribed to its type, in the order they became routable. Endpoints
    ///    that do not want the event cost nothing.
    /// 3. The source's `webhook_url`. Not for test events.
    ///
    /// Each format is encoded at most once per event, whatever the number of destinations using it;
    /// a destination's body is the format's body with its own delivery id (`SharedOutput.body`).
    static func route(_ event: CallEvent, source: SourceConfig, destinations: DestinationRegistry.Snapshot,
                      translator: inout Translator) throws(TranslationError) -> [NewDelivery] {
        var encodings = FormatEncodings()
        var deliveries: [NewDelivery] = []
        let callWebhook = event.isTest ? nil : destinations.callWebhooks[event.call.id]
        if let callWebhook {
            let destination = Destination(name: "call:\(event.call.id)", endpointID: nil, url: callWebhook.url,
                                          format: callWebhook.format, scheme: CallWebhookRecord.scheme)
            for output in try encodings.outputs(event, callWebhook.format, &translator) {
                deliveries.append(try destination.delivery(of: output, event: event))
            }
            if callWebhook.mode == .instead { return deliveries }
        }
        var selected: [(order: Int, output: Int, endpoint: DestinationRegistry.Endpoint, body: SharedOutput)] = []
        for format in destinations.index.formats(test: event.isTest) {
            for (position, output) in try encodings.outputs(event, format, &translator).enumerated() {
                for entry in destinations.index.subscribers(format: format, type: output.type, test: event.isTest) {
                    selected.append((entry.order, position, entry.endpoint, output))
                }
            }
        }
        selected.sort { ($0.order, $0.output) < ($1.order, $1.output) }
        for choice in selected {
            let endpoint = choice.endpoint
            let destination = Destination(name: "endpoint:\(endpoint.id)", endpointID: endpoint.id, url: endpoint.url,
                                          format: endpoint.format, scheme: endpoint.scheme)
            deliveries.append(try destination.delivery(of: choice.body, event: event))
        }
        if let url = source.webhookURL, !event.isTest {
            let destination = Destination(name: "source:\(source.name)", endpointID: nil, url: url, format: source.webhookFormat,
                                          scheme: DeliveryFormats.scheme(for: source.webhookFormat, in: translator.mappings))
            for output in try encodings.outputs(event, source.webhookFormat, &translator) {
                deliveries.append(try destination.delivery(of: output, event: event))
            }
        }
        return deliveries
    }

    /// The event's outputs per format, each format encoded on first use.
    struct FormatEncodings {
        private var byFormat: [String: [SharedOutput]] = [:]

        mutating func outputs(_ event: CallEvent, _ format: String,
                              _ translator: inout Translator) throws(TranslationError) -> [SharedOutput] {
            if let outputs = byFormat[format] { return outputs }
            let outputs = try translator.encodeShared(event, as: format)
            byFormat[format] = outputs
            return outputs
        }
    }

    /// Where one destination's deliveries go.
    struct Destination {
        var name: String
        var endpointID: String?
        var url: String
        var format: String
        var scheme: String

        /// The delivery of `output` here: its id (also the envelope id in the body) is stable per event,
        /// destination and output type.
        func delivery(of output: SharedOutput, event: CallEvent) throws(TranslationError) -> NewDelivery {
            let id = IngestService.deliveryID(eventID: event.id, destination: name, type: output.type)
            return NewDelivery(id: id, destination: name, endpointID: endpointID, url: url, format: format, scheme: scheme,
                               eventType: output.type, body: try output.body(envelopeID: id), once: output.once,
                               skipAfter: output.skipAfter)
        }
    }
}
