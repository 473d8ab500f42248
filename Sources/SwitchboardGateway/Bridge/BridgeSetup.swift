import Foundation
import SwitchboardCore
import SwitchboardHTTP
import SwitchboardStore

/// Builds the incoming-call bridge at start-up when a source has an `incoming_call` block: checks each
/// decision URL against the outbound policy, starts the decision client and fills the request-id cache
/// from the store.
enum BridgeSetup {
    /// Connections the decision client keeps to one host: every pending decision has its own request.
    static let maxConnectionsPerHost = 1024

    static func make(config: GatewayConfig, database: Database, logger: Logger, metrics: Metrics, signal: DeliverySignal,
                     health: StoreHealth, now: Double = Date.now.timeIntervalSince1970) throws
        -> (bridge: IncomingCallBridge, client: HTTPClient?)? {
        let sources = config.sources.filter { $0.incomingCall != nil }
        guard !sources.isEmpty else { return nil }
        let policy = try config.delivery.outboundPolicy()
        let check = OutboundURLCheck(policy: policy)
        for source in sources {
            guard let decision = source.incomingCall?.decision else { continue }
            do {
                _ = try check.check(decision.url)
            } catch {
                // DNS may be down at start; the client checks every resolved address when it connects.
                guard case .unresolvable = error.reason else {
                    throw ConfigError("sources '\(source.name)': incoming_call.decision.url: \(error.reason)")
                }
                logger.warn("decision url does not resolve yet", ["source": .string(source.name), "reason": .string("\(error.reason)")])
            }
        }
        var client: HTTPClient?
        if sources.contains(where: { $0.incomingCall?.decision != nil }) {
            var configuration = HTTPClientConfiguration()
            configuration.maxConnectionsPerHost = maxConnectionsPerHost
            configuration.maxCachedConnections = maxConnectionsPerHost
            configuration.easyHandlePoolSize = 256
            configuration.addressPolicy = policy.clientAddressPolicy(logger: logger)
            client = try HTTPClient(configuration: configuration)
        }
        let cache = DecisionCache()
        do {
            let answered = try database.read { try DecisionRecords.answered($0, since: now - cache.ttl) }
            cache.preload(answered.map { (DecisionCache.Key(source: $0.source, requestID: $0.requestID), $0.answer, $0.at) })
        } catch {
            client?.shutdown()
            throw error
        }
        let bridge = IncomingCallBridge(client: client, cache: cache, database: database, logger: logger, metrics: metrics,
                                        signal: signal, health: health)
        return (bridge, client)
    }
}
