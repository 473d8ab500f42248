import SwitchboardHTTP

/// Turns server request records into JSON access-log lines, one per request.
///
/// A refused request (any 4xx answer, or a 503 with a JSON error body: `/healthz` saying the gateway is
/// unavailable refuses nothing) is counted by its reason, the error `type` of its JSON body
/// (`http_<status>` when it has none), and its line is throttled by that reason: at most
/// `log.rejected_per_second` lines per reason per second, the rest reported as one `log lines suppressed`
/// line per reason and second. So a flood of junk requests costs a bounded number of log lines, and
/// `/metrics` still counts every one. Other answers are logged as they come.
struct AccessLog: Sendable {
    let logger: Logger
    let rejections: RejectionCounter

    func record(_ record: HTTPRequestRecord) {
        // No answer was sent (the client went away mid-request): a trickle or a flood of abandoned
        // requests is throttled too, not counted as a refusal.
        if record.status == 0 {
            logger.throttled(.info, "request", key: "no_answer") { line in write(record, into: &line) }
            return
        }
        guard let reason = Self.rejectionReason(record) else {
            logger.log(.info, "request") { line in write(record, into: &line) }
            return
        }
        rejections.count(reason: reason)
        logger.throttled(.info, "request", key: reason) { line in
            write(record, into: &line)
            line.string("reason", reason)
        }
    }

    /// The reason a request was refused, nil when it was not.
    static func rejectionReason(_ record: HTTPRequestRecord) -> String? {
        guard (400...499).contains(record.status) || (record.status == 503 && record.errorType != nil) else { return nil }
        return record.errorType ?? "http_\(record.status)"
    }

    private func write(_ record: HTTPRequestRecord, into line: inout LogLine) {
        line.string("method", record.method)
        line.string("path", record.path)
        line.int("status", record.status)
        line.milliseconds("duration_ms", seconds: record.durationSeconds)
        line.int("bytes_in", record.requestBytes)
        line.string("remote", record.remoteAddress)
        line.bool("completed", record.completed)
    }
}

/// libmicrohttpd's own diagnostics (`http server` lines, `detail` being its text), throttled under the key
/// `http_server`: most come from malformed or abandoned requests, which a client can send by the
/// thousand. A request it refused itself ("Error processing request …", answered 400, 505, … with its own
/// HTML page, never reaching a handler) is counted as the refusal `malformed_request`.
struct ServerMessageLog: Sendable {
    let logger: Logger
    let rejections: RejectionCounter

    func record(_ message: String) {
        if message.hasPrefix("Error processing request") { rejections.count(reason: "malformed_request") }
        logger.throttled(.warn, "http server", key: "http_server", ["detail": .string(message)])
    }
}
