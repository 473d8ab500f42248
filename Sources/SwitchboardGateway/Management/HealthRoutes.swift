import SwitchboardCore
import SwitchboardHTTP

/// The health routes (issue 13 §5: nothing internal leaks).
///
/// - `GET /healthz`, unauthenticated (load balancers, orchestrators): 200 `{"status":"ok"}`; when a check
///   fails, the status (`degraded`, 200; `unavailable`, 503 with `Retry-After: 1`) and each check's name
///   with `ok` or `failing`, nothing more.
/// - `GET /v1/health`, Bearer `api_keys` like the management APIs: the same status code and status, each
///   check with its detail (error text, since when, when it last ran).
///
/// The detail also goes to the log once per change (`StoreHealth`).
enum HealthRoutes {
    static func register(on router: inout Router, health: StoreHealth, authenticator: APIKeyAuthenticator) {
        router.get("/healthz", .immediate { _ in
            let report = HealthReport(checks: [StoreHealth.name: health.check()])
            return response(report, body: report.publicBody)
        })
        router.get("/v1/health", .immediate { request in
            do throws(HTTPError) {
                try authenticator.authenticate(request.headers)
            } catch {
                return error.response
            }
            let report = HealthReport(checks: [StoreHealth.name: health.check()])
            return response(report, body: report.detailBody)
        })
    }

    private static func response(_ report: HealthReport, body: JSONValue) -> HTTPResponse {
        .json(report.httpStatus, JSONWriter.bytes(body), headers: report.httpStatus == 503 ? ["Retry-After": "1"] : [:])
    }
}
