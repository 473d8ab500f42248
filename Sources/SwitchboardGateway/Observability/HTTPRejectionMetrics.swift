import SwitchboardHTTP

/// The HTTP server's attack limits in `/metrics` (issue 13 §1): requests and connections refused or cut,
/// by reason, and the request-body bytes buffered now.
enum HTTPRejectionMetrics {
    static func render(_ server: HTTPServerStatistics) -> String {
        var text = Metrics.counter("switchboard_http_rejected_total",
                                   help: "Requests and connections the HTTP server refused or cut at a limit, by reason.",
                                   label: "reason", server.rejected)
        text += "# HELP switchboard_http_inflight_body_bytes Request-body bytes reserved by requests being received.\n"
        text += "# TYPE switchboard_http_inflight_body_bytes gauge\n"
        text += "switchboard_http_inflight_body_bytes \(server.inflightBodyBytes)\n"
        return text
    }
}
