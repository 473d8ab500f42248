import Foundation
import SwitchboardCore
import SwitchboardHTTP
import SwitchboardStore

/// Sends pending deliveries: claims those due (one per call and destination at a time, so each
/// destination sees a call's events in order; at most `maxPerDestination` in flight per destination,
/// from an eighth of that grown by answers: `DestinationCaps`), signs each at send time, POSTs it,
/// records the attempt and schedules the retry or ends the delivery. A slow destination holds only its
/// own slots: the total (`maxInFlight`, see `DeliveryLimits`) is far above one destination's cap, and
/// destinations at their cap are left out of the due query.
///
/// Threads: one loop thread claims and dispatches, then sleeps on `DeliverySignal` until the next
/// delivery falls due or something wakes it (no polling while idle). Responses complete on the HTTP
/// client's loop thread, which hands the bookkeeping to the store's group-commit writer; the writer's
/// completion releases the delivery and wakes the loop.
///
/// Durability: a delivery leaves `pending` only through a committed attempt record. A crash mid-attempt
/// leaves it pending, so it is retried after a restart (at least once; the delivery id lets receivers
/// drop the repeat).
final class Deliverer: @unchecked Sendable {
    struct Settings: Sendable {
        var timeoutMilliseconds: Int
        var retry: RetryPolicy
        var maxPerDestination: Int
        var maxInFlight = 256
        var disableAfterExhausted = 10
        var orgDefaultSecret: String?
        /// The delivery profile (scheme-independent headers) of each format.
        var formats = DeliveryFormats([FormatMapping]())
    }

    private let database: Database
    private let client: HTTPClient
    private let settings: Settings
    private let signal: DeliverySignal
    private let logger: Logger
    private let metrics: Metrics
    private let health: StoreHealth
    private let endpointMayHaveChanged: @Sendable (String) -> Void
    private let clock: @Sendable () -> Double

    private struct Flight {
        var ids: Set<String> = []
        var orderingKeys: Set<String> = []
        var perDestination: [String: Int] = [:]
        /// Each busy destination's cap (grown by answers, back to the start after a timeout).
        var caps: DestinationCaps
        /// Deliveries whose last outcome could not be recorded: not before this time (no resend storm
        /// while the store refuses writes).
        var notBefore: [String: Double] = [:]
        var running = false
        var loopDone = false
    }

    private let flight: LockedValue<Flight>
    private let loopFinished = DispatchSemaphore(value: 0)
    /// Due deliveries read by the last query and not yet claimed, in due order. Loop thread only.
    private var backlog = DueBacklog()

    init(database: Database, client: HTTPClient, settings: Settings, signal: DeliverySignal, logger: Logger,
         metrics: Metrics, health: StoreHealth, endpointMayHaveChanged: @escaping @Sendable (String) -> Void = { _ in },
         clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.database = database
        self.client = client
        self.settings = settings
        self.signal = signal
        self.logger = logger
        self.metrics = metrics
        self.health = health
        self.endpointMayHaveChanged = endpointMayHaveChanged
        self.clock = clock
        flight = LockedValue(Flight(caps: DestinationCaps(normal: settings.maxPerDestination)))
    }

    func start() {
        flight.withLock { $0.running = true }
        let thread = Thread { [self] in
            loop()
            loopFinished.signal()
        }
        thread.name = "switchboard-deliverer"
        thread.start()
    }

    /// Stops claiming, lets attempts in flight finish (up to their timeout), then returns. Deliveries not
    /// attempted stay pending for the next start.
    func stop() {
        let wasRunning = flight.withLock { state -> Bool in
            defer { state.running = false }
            return state.running
        }
        guard wasRunning else { return }
        signal.notify()
        loopFinished.wait()
        let deadline = Date(timeIntervalSinceNow: Double(settings.timeoutMilliseconds) / 1000 + 2)
        while flight.withLock({ !$0.ids.isEmpty }), Date() < deadline { usleep(5_000) }
    }

    var inFlight: Int { flight.withLock { $0.ids.count } }

    private func loop() {
        while flight.withLock({ $0.running }) {
            let now = clock()
            do {
                // Under a backlog most wake-ups are one finished attempt freeing one slot: the rows the last
                // query read beyond what could be claimed then serve it, and the query (which ranks up to
                // DeliveryRecords.scanLimit rows) runs again only when none of them can be claimed, or
                // after DueBacklog.maximumAge so newly due deliveries are not kept waiting.
                var claimed = backlog.isFresh(at: now) ? claimFromBacklog() : 0
                if claimed == 0 {
                    // Destinations at their cap are left out of the query: their rows (a hanging endpoint's
                    // thousands) could not go anyway, and would fill its window ahead of everyone else's.
                    let full = saturatedDestinations()
                    let candidates = try database.read { connection in
                        try DeliveryRecords.due(connection, now: now, perDestination: 2 * settings.maxPerDestination,
                                                limit: Self.rowsPerQuery, excluding: full)
                    }
                    backlog.refill(candidates, at: now)
                    claimed = claimFromBacklog()
                }
                let next = try database.read { try DeliveryRecords.nextDueTime($0) }
                // Something due but not claimable (in flight, or its destination at its cap) waits for a
                // completion to wake us; otherwise sleep until the next due time (or a minute, idle).
                let wake = next.map { $0 > now ? $0 : now + 1 } ?? now + 60
                _ = signal.wait(until: Date(timeIntervalSince1970: min(wake, now + 60)))
            } catch {
                logger.error("delivery loop: store unavailable", ["error": .string("\(error)")])
                _ = signal.wait(until: Date(timeIntervalSinceNow: 1))
            }
        }
    }

    /// Claims and dispatches every backlog row that can go now; rows in flight are dropped, rows held back
    /// (their destination at its cap, a pause after an unrecorded outcome) stay. Returns how many went.
    private func claimFromBacklog() -> Int {
        var dispatched = 0
        backlog.take { delivery in
            if claim(delivery) {
                dispatch(delivery)
                dispatched += 1
                return true
            }
            return flight.withLock { $0.ids.contains(delivery.id) }
        }
        return dispatched
    }

    /// Rows one due query reads at most (bodies included).
    static let rowsPerQuery = 512

    /// The destinations held at their start cap (new, or timing out) with that many attempts in flight:
    /// a hanging endpoint's rows. At most `maxInFlight` of them, so the list stays within SQLite's bound
    /// parameters. A healthy destination at its grown cap is not left out: its rows, kept in the
    /// backlog, serve the wake-ups of its own completions without another query (leaving it out made
    /// every completion re-run the due query: a crash-test drain took 1.7 times as long).
    private func saturatedDestinations() -> [String] {
        flight.withLock { state in
            state.perDestination.compactMap { destination, inFlight in
                let cap = state.caps.cap(destination)
                return cap <= state.caps.startCap && inFlight >= cap ? destination : nil
            }
        }
    }

    private func claim(_ delivery: DueDelivery) -> Bool {
        flight.withLock { state in
            if let notBefore = state.notBefore[delivery.id] {
                guard clock() >= notBefore else { return false }
                state.notBefore[delivery.id] = nil
            }
            guard state.running, !state.ids.contains(delivery.id), !state.orderingKeys.contains(delivery.orderingKey),
                  state.ids.count < settings.maxInFlight,
                  state.perDestination[delivery.destination, default: 0] < state.caps.cap(delivery.destination) else { return false }
            state.ids.insert(delivery.id)
            state.orderingKeys.insert(delivery.orderingKey)
            state.perDestination[delivery.destination, default: 0] += 1
            return true
        }
    }

    private func release(_ delivery: DueDelivery, retryNotBefore: Double? = nil) {
        flight.withLock { state in
            state.ids.remove(delivery.id)
            state.orderingKeys.remove(delivery.orderingKey)
            let remaining = state.perDestination[delivery.destination, default: 1] - 1
            state.perDestination[delivery.destination] = remaining > 0 ? remaining : nil
            if remaining <= 0 { state.caps.forgetIdle(keeping: Set(state.perDestination.keys)) }
            if let retryNotBefore { state.notBefore[delivery.id] = retryNotBefore }
        }
        signal.notify()
    }

    private func dispatch(_ delivery: DueDelivery) {
        let started = clock()
        let request: HTTPClientRequest
        do {
            // The due list may predate this delivery's previous attempt being recorded: re-check.
            guard try database.read({ try DeliveryRecords.isStillDue($0, delivery) }) else {
                release(delivery)
                return
            }
            let secrets = try delivery.endpointID.map { endpoint in
                try database.read { try DeliveryRecords.liveSecrets($0, endpointID: endpoint, now: started) }
            } ?? settings.orgDefaultSecret.map { [$0] } ?? []
            request = try DeliveryRequest.make(delivery, profile: settings.formats.profile(delivery.format), secrets: secrets, now: started,
                                               timeoutMilliseconds: settings.timeoutMilliseconds)
        } catch {
            finish(delivery, AttemptOutcome(startedAt: started, durationMilliseconds: 0, responseStatus: nil,
                                            responseBody: nil, error: "\(error)", retryAfterSeconds: nil))
            return
        }
        client.execute(request) { [self] result in
            let timedOut = if case .failure(let failure) = result { failure.kind == .timeout } else { false }
            flight.withLock { $0.caps.record(delivery.destination, timedOut: timedOut) }
            finish(delivery, AttemptOutcome(result, startedAt: started, endedAt: clock()))
        }
    }

    private func finish(_ delivery: DueDelivery, _ outcome: AttemptOutcome) {
        let now = clock()
        let manual = delivery.attemptCount >= settings.retry.maximumAttempts
        let next = decide(delivery, outcome, manual: manual, now: now)
        database.submit({ [settings] connection in
            try DeliveryRecords.record(connection, delivery: delivery, outcome: outcome, next: next, manual: manual,
                                       disableAfter: settings.disableAfterExhausted, now: now)
        }, completion: { [self] result in
            switch result {
            case .failure(let error):
                metrics.recordAttempt(outcome: "unrecorded", seconds: outcome.durationMilliseconds / 1000)
                health.writeFailed(error)
                // Nothing recorded: the delivery stays pending and is attempted again, after a pause.
                logger.error("delivery attempt not recorded", ["delivery": .string(delivery.id), "error": .string("\(error)")])
                release(delivery, retryNotBefore: clock() + Self.unrecordedPause)
                return
            case .success(let recorded):
                health.writeSucceeded()
                metrics.recordAttempt(outcome: recorded != nil ? Self.label(next) : "superseded",
                                      seconds: outcome.durationMilliseconds / 1000)
                if let recorded, next != .delivered { logFailure(delivery, outcome, next: next, recorded) }
            }
            release(delivery)
        })
    }

    /// The log lines of a failed attempt: every failure (warn); a delivery that ends exhausted; an endpoint
    /// the attempt disabled, whose routing must stop at once (the registry re-reads it).
    private func logFailure(_ delivery: DueDelivery, _ outcome: AttemptOutcome, next: DeliveryRecords.Next,
                            _ recorded: DeliveryRecords.Recorded) {
        let destination = LogValue.string(Self.redacted(delivery.url))
        logger.warn("delivery attempt failed", ["delivery": .string(delivery.id), "destination": destination,
                                                "attempt": .int(delivery.attemptCount + 1), "error": .string(outcome.error ?? "")])
        if next == .exhausted || next == .gone {
            logger.warn("delivery exhausted", ["delivery": .string(delivery.id), "destination": destination,
                                               "event_type": .string(delivery.eventType),
                                               "attempts": .int(delivery.attemptCount + 1), "last_error": .string(outcome.error ?? "")])
        }
        guard let endpointID = delivery.endpointID, next == .exhausted || next == .gone else { return }
        endpointMayHaveChanged(endpointID)
        if let reason = recorded.disabledReason {
            logger.warn("endpoint auto-disabled", ["endpoint": .string(endpointID), "reason": .string(reason),
                                                   "last_error": .string(outcome.error ?? ""), "held": .int(recorded.held)])
        }
    }

    /// The wait before re-attempting a delivery whose last outcome could not be recorded.
    static let unrecordedPause = 5.0

    /// A URL for logs: scheme, host and port only (paths and queries may carry tokens).
    static func redacted(_ url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return "(unparsable url)" }
        return "\(components.scheme ?? "?")://\(host)\(components.port.map { ":\($0)" } ?? "")/…"
    }

    private static func label(_ next: DeliveryRecords.Next) -> String {
        switch next {
        case .delivered: "delivered"
        case .retry: "retry"
        case .exhausted: "exhausted"
        case .gone: "gone"
        }
    }

    /// 2xx delivers; 410 ends it and disables the endpoint; otherwise the schedule decides (a manual
    /// replay of an exhausted delivery gets one attempt), and a `Retry-After` can only push the retry later.
    private func decide(_ delivery: DueDelivery, _ outcome: AttemptOutcome, manual: Bool, now: Double) -> DeliveryRecords.Next {
        if outcome.succeeded { return .delivered }
        if outcome.responseStatus == 410 { return .gone }
        guard !manual, let delay = settings.retry.delay(afterFailedAttempt: delivery.attemptCount + 1,
                                                        unitRandom: Double.random(in: 0...1),
                                                        retryAfter: outcome.retryAfterSeconds) else {
            return .exhausted
        }
        return .retry(at: now + delay)
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
