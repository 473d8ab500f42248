import SwitchboardCore
import SwitchboardHTTP
import SwitchboardStore

/// The gateway's counters and histograms, exposed by `GET /metrics` in Prometheus text format.
/// Updated from server and delivery threads; every update is a short locked increment.
final class Metrics: Sendable {
    private struct RequestKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    private let requests = LockedValue<[RequestKey: Int]>([:])
    private let deliveries = LockedValue<[String: Int]>([:])
    private let decisions = LockedValue<[String: Int]>([:])
    private let unrecordedDecisions = LockedValue(0)
    private let retained = LockedValue<[String: Int]>([:])
    /// Refused requests by reason (`RejectionCounter.count(reason:)`).
    let rejections = RejectionCounter()
    let ingestLatency = Histogram(bounds: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5])
    let decisionLatency = Histogram(bounds: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30])
    let attemptLatency = Histogram(bounds: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30])

    static let ingestRoute = "/v1/ingest/{source}"

    func record(_ request: HTTPRequestRecord) {
        // Methods are bounded to known tokens so a client cannot grow the label set.
        let method = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].contains(request.method) ? request.method : "other"
        let key = RequestKey(route: request.route ?? "unmatched", method: method, status: request.status)
        requests.withLock { $0[key, default: 0] += 1 }
        if request.route == Self.ingestRoute { ingestLatency.observe(request.durationSeconds) }
    }

    /// One delivery attempt ended: `outcome` is delivered, retry, exhausted, gone or unrecorded.
    func recordAttempt(outcome: String, seconds: Double) {
        deliveries.withLock { $0[outcome, default: 0] += 1 }
        attemptLatency.observe(seconds)
    }

    /// An incoming call was answered: `decidedBy` is rule, endpoint or fallback.
    func recordDecision(_ decidedBy: String, seconds: Double) {
        decisions.withLock { $0[decidedBy, default: 0] += 1 }
        decisionLatency.observe(seconds)
    }

    /// A retention batch committed these removals.
    func recordRetention(_ removed: RetentionRecords.Removed) {
        retained.withLock {
            $0["events", default: 0] += removed.events
            $0["deliveries", default: 0] += removed.deliveries
            $0["attempts", default: 0] += removed.attempts
            $0["call_claims", default: 0] += removed.claims
            $0["decisions", default: 0] += removed.decisions
            $0["endpoints", default: 0] += removed.endpoints
        }
    }

    /// An answered call's decision could not be committed.
    func decisionNotRecorded() {
        unrecordedDecisions.withLock { $0 += 1 }
    }

    /// The exposition text. `queueDepth`, `oldestPendingAge` and `held` are read from the store at scrape time.
    func render(queueDepth: Int?, oldestPendingAgeSeconds: Double?, held: Int? = nil, server: HTTPServerStatistics,
                writer: GroupCommitWriter.Statistics, checkpointer: WALCheckpointer.Statistics?) -> String {
        var text = ""
        text += "# HELP switchboard_http_requests_total HTTP requests by route pattern, method and status.\n"
        text += "# TYPE switchboard_http_requests_total counter\n"
        let requestCounts = requests.withLock { $0 }
        for (key, count) in requestCounts.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            text += "switchboard_http_requests_total{route=\(Self.quote(key.route)),method=\(Self.quote(key.method)),status=\"\(key.status)\"} \(count)\n"
        }
        text += ingestLatency.render(name: "switchboard_ingest_duration_seconds",
                                     help: "Ingest request latency, received to answered (after the commit).")
        text += Self.counter("switchboard_deliveries_total", help: "Delivery attempts by outcome.", label: "outcome",
                             deliveries.withLock { $0 })
        text += attemptLatency.render(name: "switchboard_delivery_attempt_duration_seconds",
                                      help: "Delivery attempt latency, request to response or error.")
        text += Self.counter("switchboard_decisions_total", help: "Incoming calls answered, by who decided.",
                             label: "decided_by", decisions.withLock { $0 })
        text += decisionLatency.render(name: "switchboard_decision_duration_seconds",
                                       help: "Incoming-call latency, request received to answer sent.")
        text += "# HELP switchboard_decisions_unrecorded_total Answered calls whose decision could not be stored.\n"
        text += "# TYPE switchboard_decisions_unrecorded_total counter\n"
        text += "switchboard_decisions_unrecorded_total \(unrecordedDecisions.withLock { $0 })\n"
        text += Self.counter("switchboard_retention_removed_total", help: "Rows removed by the retention sweep, by table.",
                             label: "table", retained.withLock { $0 })
        text += "# HELP switchboard_delivery_queue_depth Deliveries pending.\n# TYPE switchboard_delivery_queue_depth gauge\n"
        text += "switchboard_delivery_queue_depth \(queueDepth.map(String.init) ?? "NaN")\n"
        text += "# HELP switchboard_delivery_oldest_pending_age_seconds Age of the oldest pending delivery.\n"
        text += "# TYPE switchboard_delivery_oldest_pending_age_seconds gauge\n"
        text += "switchboard_delivery_oldest_pending_age_seconds \(oldestPendingAgeSeconds.map { String($0) } ?? "0")\n"
        text += "# HELP switchboard_delivery_held Deliveries held while their endpoint is disabled (not in the queue depth).\n"
        text += "# TYPE switchboard_delivery_held gauge\n"
        text += "switchboard_delivery_held \(held.map(String.init) ?? "NaN")\n"
        text += Self.store(writer, checkpointer)
        text += "# HELP switchboard_http_connections_opened_total Connections accepted.\n"
        text += "# TYPE switchboard_http_connections_opened_total counter\n"
        text += "switchboard_http_connections_opened_total \(server.connectionsOpened)\n"
        text += "# HELP switchboard_http_requests_in_flight Requests being handled, parked ones included.\n"
        text += "# TYPE switchboard_http_requests_in_flight gauge\n"
        text += "switchboard_http_requests_in_flight \(server.requestsInFlight)\n"
        text += HTTPRejectionMetrics.render(server, answered: rejections.snapshot)
        return text
    }

    /// The group-commit writer's counters: items per transaction (items / batches) and how busy it is
    /// (the rate of busy seconds) tell whether the durable write path is the bottleneck.
    static func store(_ writer: GroupCommitWriter.Statistics, _ checkpointer: WALCheckpointer.Statistics?) -> String {
        var text = ""
        var counters = [
            ("switchboard_store_write_items_total", "Writes run by the group-commit writer.", "\(writer.finished)"),
            ("switchboard_store_write_batches_total", "Transactions the writer ran (one per batch).", "\(writer.batches)"),
            ("switchboard_store_write_commits_total", "Transactions that committed.", "\(writer.commits)"),
            ("switchboard_store_writer_busy_seconds_total", "Seconds the writer spent in transactions, fsync included.",
             "\(writer.busySeconds)"),
            ("switchboard_store_reconnects_total", "Store connections reopened after a fault.", "\(writer.reconnects)"),
        ]
        if let checkpointer {
            counters.append(("switchboard_store_checkpoints_total", "WAL checkpoints run off the writer.", "\(checkpointer.checkpoints)"))
            counters.append(("switchboard_store_checkpoint_failures_total", "WAL checkpoints that failed.", "\(checkpointer.failures)"))
        }
        for (name, help, value) in counters {
            text += "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(value)\n"
        }
        return text
    }

    /// A counter with one label, its values in label order.
    static func counter(_ name: String, help: String, label: String, _ counts: [String: Int]) -> String {
        var text = "# HELP \(name) \(help)\n# TYPE \(name) counter\n"
        for (value, count) in counts.sorted(by: { $0.key < $1.key }) {
            text += "\(name){\(label)=\(quote(value))} \(count)\n"
        }
        return text
    }

    /// A Prometheus label value in quotes, escaped.
    static func quote(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}

/// A cumulative histogram with fixed upper bounds.
final class Histogram: Sendable {
    private struct State {
        var counts: [Int]
        var sum = 0.0
        var count = 0
    }

    let bounds: [Double]
    private let state: LockedValue<State>

    init(bounds: [Double]) {
        self.bounds = bounds
        state = LockedValue(State(counts: Array(repeating: 0, count: bounds.count)))
    }

    func observe(_ value: Double) {
        let index = bounds.firstIndex { value <= $0 }
        state.withLock { state in
            if let index { state.counts[index] += 1 }
            state.sum += value
            state.count += 1
        }
    }

    func render(name: String, help: String) -> String {
        let snapshot = state.withLock { $0 }
        var text = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        var cumulative = 0
        for (bound, count) in zip(bounds, snapshot.counts) {
            cumulative += count
            text += "\(name)_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        text += "\(name)_bucket{le=\"+Inf\"} \(snapshot.count)\n\(name)_sum \(snapshot.sum)\n\(name)_count \(snapshot.count)\n"
        return text
    }
}
