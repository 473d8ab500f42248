import SwitchboardCore

/// Why an accepted event has no delivery: the `reason` of the ingest 202 when `deliveries` is 0.
enum NoDeliveryReason: String, Sendable {
    /// A test event (`is_test`), and no endpoint opted into test events (`receive_test_events`). Test
    /// events never go to per-call webhooks or a source's `webhook_url`.
    case testEventNoSubscriber = "test_event_no_subscriber"
    /// A live event, and there is no destination at all: no routable endpoint, no webhook for the call,
    /// no `webhook_url` on the source.
    case noSubscriber = "no_subscriber"
    /// There are destinations (for a test event: endpoints that opted in), but none receives this
    /// event: the type it becomes in each destination's format is not in that destination's
    /// subscription (`enabled_events` / `events`), or the format has no output for it at all.
    case eventTypeNotSubscribed = "event_type_not_subscribed"
    /// Routing found deliveries, and the commit dropped every one as a repeat of an output sent once per
    /// call and destination (CallingBox's single terminal event: a second terminal event of the call).
    case callOutputAlreadySent = "call_output_already_sent"

    /// The reason for an event that committed no delivery. Pure.
    ///
    /// - Parameters:
    ///   - routed: what `IngestService.route` produced for the event (before the commit's once-per-call
    ///     checks).
    static func of(_ event: CallEvent, source: SourceConfig, destinations: DestinationRegistry.Snapshot,
                   routed: [NewDelivery]) -> NoDeliveryReason {
        if !routed.isEmpty { return .callOutputAlreadySent }
        if event.isTest {
            return destinations.index.testSubscribers > 0 ? .eventTypeNotSubscribed : .testEventNoSubscriber
        }
        let anyDestination = !destinations.index.isEmpty || destinations.callWebhooks[event.call.id] != nil
            || source.webhookURL != nil
        return anyDestination ? .eventTypeNotSubscribed : .noSubscriber
    }
}
