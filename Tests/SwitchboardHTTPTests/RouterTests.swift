import Testing
@testable import SwitchboardHTTP

@Suite("Router")
struct RouterTests {
    private static let ok = HTTPHandler.immediate { _ in HTTPResponse(status: 200) }

    private func router() -> Router {
        var router = Router()
        router.get("/healthz", Self.ok)
        router.get("/v1/webhook_endpoints", Self.ok)
        router.post("/v1/webhook_endpoints", Self.ok)
        router.get("/v1/webhook_endpoints/{id}", Self.ok)
        router.patch("/v1/webhook_endpoints/{id}", Self.ok)
        router.post("/v1/webhook_endpoints/{id}/rotate_secret", Self.ok)
        router.put("/v1/calls/{call}/webhook", Self.ok)
        return router
    }

    @Test func literalAndParameterisedRoutesMatch() {
        let router = router()
        guard case .found(_, let none, _) = router.match(method: .GET, path: "/healthz") else { Issue.record("no match"); return }
        #expect(none.isEmpty)
        guard case .found(_, let parameters, _) = router.match(method: .POST, path: "/v1/webhook_endpoints/we_1/rotate_secret") else {
            Issue.record("no match"); return
        }
        #expect(parameters == ["id": "we_1"])
        guard case .found(_, let call, let route) = router.match(method: .PUT, path: "/v1/calls/abc-123/webhook") else {
            Issue.record("no match"); return
        }
        #expect(call == ["call": "abc-123"])
        #expect(route == "/v1/calls/{call}/webhook")
    }

    @Test func trailingSlashIsTheSameRoute() {
        guard case .found = router().match(method: .GET, path: "/v1/webhook_endpoints/") else { Issue.record("no match"); return }
    }

    @Test func wrongMethodListsAllowedMethodsIncludingHead() {
        guard case .methodNotAllowed(let allowed) = router().match(method: .DELETE, path: "/v1/webhook_endpoints/x") else {
            Issue.record("expected 405"); return
        }
        #expect(allowed == [.GET, .HEAD, .PATCH])
        guard case .methodNotAllowed(let literal) = router().match(method: .POST, path: "/healthz") else {
            Issue.record("expected 405"); return
        }
        #expect(literal == [.GET, .HEAD])
    }

    @Test func headFallsBackToGet() {
        guard case .found = router().match(method: .HEAD, path: "/v1/webhook_endpoints/x") else { Issue.record("no match"); return }
    }

    @Test func unknownPathsAndEmptyParametersAreNotFound() {
        for path in ["/", "/nope", "/v1/webhook_endpoints/x/y", "/v1/calls//webhook", "/v1"] {
            guard case .notFound = router().match(method: .GET, path: path) else {
                Issue.record("\(path) should not match"); continue
            }
        }
    }

    @Test func laterRegistrationReplacesEarlier() {
        var router = Router()
        router.get("/x", .immediate { _ in HTTPResponse(status: 201) })
        router.get("/x", .immediate { _ in HTTPResponse(status: 202) })
        guard case .found(.immediate(let body), _, _) = router.match(method: .GET, path: "/x") else { Issue.record("no match"); return }
        #expect(body(HTTPRequest(method: .GET, path: "/x")).status == 202)
    }
}

@Suite("Router method resolution")
struct RouterMethodResolutionTests {
    private static let ok = HTTPHandler.immediate { _ in HTTPResponse(status: 200) }

    @Test func aLiteralRouteDoesNotHideAParameterRouteWithTheMethod() {
        var router = Router()
        router.get("/x/stats", Self.ok)
        router.delete("/x/{id}", Self.ok)
        guard case .found(_, let parameters, _) = router.match(method: .DELETE, path: "/x/stats") else {
            Issue.record("DELETE /x/stats should reach /x/{id}"); return
        }
        #expect(parameters == ["id": "stats"])
    }

    @Test func allowListsMethodsOfEveryMatchingRoute() {
        var router = Router()
        router.get("/a/{x}", Self.ok)
        router.post("/a/{y}", Self.ok)
        router.patch("/a/fixed", Self.ok)
        guard case .methodNotAllowed(let allowed) = router.match(method: .PUT, path: "/a/fixed") else {
            Issue.record("expected 405"); return
        }
        #expect(allowed == [.GET, .HEAD, .PATCH, .POST])
    }
}
