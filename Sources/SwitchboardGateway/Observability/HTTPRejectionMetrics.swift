import SwitchboardHTTP

/// Refused requests in `/metrics`, each counted once (issue 13 §1, §6):
///
/// - `switchboard_http_rejected_total{reason}`: answered refusals by their JSON error `type` (counted by
///   the access log into `RejectionCounter`), and the server's cuts that get no answer at all —
///   `connection_limit`, `header_timeout`, `body_timeout` — by those names;
/// - `switchboard_http_refused_before_body_total{stage}`: which of the answered ones were refused before
///   their body was read — `preflight` (decided from the headers) and `inflight_body_cap`;
/// - `switchboard_http_inflight_body_bytes`: the request-body bytes reserved now.
enum HTTPRejectionMetrics {
    /// The server's counters of connections it closed without an answer.
    static let unanswered: Set<String> = ["connection_limit", "header_timeout", "body_timeout"]

    static func render(_ server: HTTPServerStatistics, answered: [String: Int]) -> String {
        var reasons = answered
        var stages: [String: Int] = [:]
        for (reason, count) in server.rejected {
            if unanswered.contains(reason) {
                reasons[reason, default: 0] += count
            } else {
                stages[reason] = count
            }
        }
        var text = Metrics.counter("switchboard_http_rejected_total",
                                   help: "Requests refused (4xx answers and 503 refusals, by error type) and connections cut without an answer, by reason.",
                                   label: "reason", reasons)
        text += Metrics.counter("switchboard_http_refused_before_body_total",
                                help: "Refused requests whose body was never read, by the stage that refused them.",
                                label: "stage", stages)
        text += "# HELP switchboard_http_inflight_body_bytes Request-body bytes reserved by requests being received.\n"
        text += "# TYPE switchboard_http_inflight_body_bytes gauge\n"
        text += "switchboard_http_inflight_body_bytes \(server.inflightBodyBytes)\n"
        return text
    }
}
