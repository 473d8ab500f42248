import SwitchboardCore

/// One health check's state at a moment. Pure.
struct HealthCheck: Sendable, Equatable {
    /// Whether the gateway can do its job without it: a failing critical check makes it `unavailable`,
    /// any other failing check `degraded`.
    var critical: Bool
    /// Nil when the check passes; else what failed, as the operator needs it (error text included).
    var failure: Failure?
    /// When the check last ran (epoch seconds).
    var checkedAt: Double

    struct Failure: Sendable, Equatable {
        /// What was being done when it failed (`read`, `write`).
        var operation: String
        var error: String
        /// When the check started failing (epoch seconds); later failures keep it.
        var since: Double
    }

    var passes: Bool { failure == nil }
}

/// What the health routes answer, from the checks. Pure.
///
/// - `GET /healthz` (unauthenticated): the status and, when not ok, each check's name with `ok` or
///   `failing`. Nothing else: no error text, errno, engine name or path reaches an anonymous caller.
/// - `GET /v1/health` (API key): the same, with each check's detail.
struct HealthReport: Sendable, Equatable {
    var checks: [String: HealthCheck]

    /// `unavailable` when a critical check fails, `degraded` when another one does, else `ok`.
    var status: String {
        if checks.values.contains(where: { $0.critical && !$0.passes }) { return "unavailable" }
        return checks.values.allSatisfy(\.passes) ? "ok" : "degraded"
    }

    /// 503 when unavailable (load balancers take it out), 200 otherwise.
    var httpStatus: Int { status == "unavailable" ? 503 : 200 }

    /// The unauthenticated body: `{"status":"ok"}`, or the status with each check's name and state.
    var publicBody: JSONValue {
        guard status != "ok" else { return ["status": "ok"] }
        var states = JSONObject()
        for name in checks.keys.sorted() { states[name] = .string(checks[name]?.passes == true ? "ok" : "failing") }
        return ["status": .string(status), "checks": .object(states)]
    }

    /// The authenticated body: the status and every check with its detail.
    var detailBody: JSONValue {
        var detail = JSONObject()
        for name in checks.keys.sorted() {
            guard let check = checks[name] else { continue }
            var object = JSONObject([("status", .string(check.passes ? "ok" : "failing")), ("critical", .bool(check.critical)),
                                     ("checked_at", .string(Timestamp.iso8601(check.checkedAt, fractionDigits: 3)))])
            if let failure = check.failure {
                object["operation"] = .string(failure.operation)
                object["error"] = .string(failure.error)
                object["since"] = .string(Timestamp.iso8601(failure.since, fractionDigits: 3))
            }
            detail[name] = .object(object)
        }
        return ["status": .string(status), "checks": .object(detail)]
    }
}
