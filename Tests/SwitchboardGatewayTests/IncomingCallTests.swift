import Foundation
import SwitchboardCore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

@Suite("Incoming calls: Inkbox's synchronous incoming_call, decided by rules, an endpoint or the fallback")
struct IncomingCallTests {
    @Test func theDecisionEndpointAnswersAndTheEventIsAlsoDeliveredAsynchronously() async throws {
        let fixture = try IncomingCallFixture()
        defer { fixture.close() }
        let reply = try await fixture.call("ib-answer")
        #expect(reply.status == 200)
        #expect(reply.answer as NSDictionary == ["action": "answer", "client_websocket_url": "wss://agent.example/ws/1"])
        // The request the endpoint got: a CallingBox call.incoming, signed for the decision's secret.
        let asked = try #require(fixture.endpoint.received("/answer").first)
        try CallingBoxSignature().verify(body: asked.body, headers: asked.fields, secrets: [IncomingCallFixture.callingboxSecret],
                                         now: Int64(Date().timeIntervalSince1970))
        #expect(asked.json?["type"]?.stringValue == "call.incoming")
        #expect(asked.json?["data"]?["contacts"]?.arrayValue?.count == 1)
        #expect(asked.json?["data"]?["agent_identities"]?.arrayValue?.first?["agent_handle"]?.stringValue == "front-desk")
        let decision = try #require(try await fixture.awaitDecisions("ib-answer").first)
        #expect(decision["decided_by"] as? String == "endpoint")
        #expect(decision["endpoint_status"] as? Int == 200)
        #expect(decision["endpoint_body"] as? String == DecisionEndpoint.answerBody)
        // The decision request is in the deliveries API, delivered, with its one attempt.
        let deliveryID = try #require(decision["delivery_id"] as? String)
        let delivery = try await fixture.get("/v1/webhook_deliveries/\(deliveryID)").json ?? [:]
        #expect(delivery["status"] as? String == "delivered")
        #expect(delivery["attempt_count"] as? Int == 1)
        #expect(delivery["last_response_status"] as? Int == 200)
        // It is not in the CallingBox deliveries list (decision requests are listed under /v1/decisions).
        let replay = try await fixture.get("/v1/webhook_deliveries")
        #expect((replay.json?["data"] as? [[String: Any]])?.contains { $0["id"] as? String == deliveryID } == false)
        // The subscribed destination (the source's webhook_url) gets call.incoming durably, later.
        #expect(try await blocking { eventually { !fixture.sink.all.isEmpty } })
        #expect(fixture.sink.all.first?.json?["type"]?.stringValue == "call.incoming")
    }

    @Test func aOneInboxEndpointRejectsWithStandardWebhooksHeadersAndTheAnswerHasNoWebSocketKey() async throws {
        let fixture = try IncomingCallFixture()
        defer { fixture.close() }
        let reply = try await fixture.call("ib-reject")
        #expect(reply.status == 200)
        #expect(reply.answer as NSDictionary == ["action": "reject"])
        let asked = try #require(fixture.endpoint.received("/reject").first)
        try StandardWebhooksSignature().verify(body: asked.body, headers: asked.fields, secrets: [IncomingCallFixture.oneinboxSecret],
                                               now: Int64(Date().timeIntervalSince1970))
    }

    @Test func anInkboxHandlerBehindTheBridgeGetsWhatInkboxSends() async throws {
        let fixture = try IncomingCallFixture()
        defer { fixture.close() }
        let body = IncomingCallFixture.body(call: "5f8a2c1e-3b4d-4e6f-8a9b-0c1d2e3f4a5b")
        let reply = try await fixture.call("ib-inkbox", body: body, requestID: "req_upstream")
        #expect(reply.answer["action"] as? String == "answer")
        let asked = try #require(fixture.endpoint.received("/answer").first)
        try InkboxSignature().verify(body: asked.body, headers: asked.fields, secrets: [IncomingCallFixture.inkboxSecret],
                                     now: Int64(Date().timeIntervalSince1970))
        // A request id of its own, and Inkbox's flat body with the same call id.
        #expect(asked.headers["X-Inkbox-Request-ID"] != "req_upstream")
        #expect(asked.json?["id"]?.stringValue == "5f8a2c1e-3b4d-4e6f-8a9b-0c1d2e3f4a5b")
        #expect(asked.json?["remote_phone_number"]?.stringValue == "+14155550123")
    }

    @Test(arguments: [
        ("ib-slow", "deadline"), ("ib-500", "HTTP 500"), ("ib-garbage", "not JSON"),
        ("ib-ignore", "action must be"), ("ib-http-ws", "ws:// or wss://"),
        // Only the first 64 KiB of an answer are read: a longer one is refused even if its start parses.
        ("ib-long", "answer longer than 65536 bytes"),
    ])
    func aFailingEndpointGivesTheFallback(source: String, reason: String) async throws {
        let fixture = try IncomingCallFixture()
        defer { fixture.close() }
        let reply = try await fixture.call(source)
        #expect(reply.status == 200)
        #expect(reply.answer as NSDictionary == ["action": "answer", "client_websocket_url": IncomingCallFixture.fallbackURL])
        let decision = try #require(try await fixture.awaitDecisions(source).first)
        #expect(decision["decided_by"] as? String == "fallback")
        let error = decision["error"] as? String ?? ""
        // The slow endpoint's transfer times out at timeout_ms; the deadline timer is its backstop.
        #expect(error.contains(reason) || source == "ib-slow" && error.hasPrefix("timeout"), "\(error)")
        if source == "ib-500" { #expect(decision["endpoint_status"] as? Int == 500) }
        let deliveryID = try #require(decision["delivery_id"] as? String)
        let delivery = try await fixture.get("/v1/webhook_deliveries/\(deliveryID)").json ?? [:]
        #expect(delivery["status"] as? String == "exhausted")
        // Never replayed: the call it decided is gone.
        let port = fixture.gateway.port
        let replay = try await blocking {
            try RawHTTPConnection(port: port).request("POST", "/v1/webhook_deliveries/\(deliveryID)/redeliver",
                                                      headers: [("Authorization", "Bearer \(IncomingCallFixture.apiKey)")])
        }
        #expect(replay.status == 409)
    }

    @Test func rulesDecideByCallerCalleeKnownContactAndTimeWithoutAskingAnyone() async throws {
        let fixture = try IncomingCallFixture()
        defer { fixture.close() }
        let cases: [([UInt8], NSDictionary)] = [
            (IncomingCallFixture.body(caller: "+15550000001"), ["action": "reject"]),
            (IncomingCallFixture.body(callee: "+18005550100"), ["action": "answer", "client_websocket_url": "wss://tollfree.example/ws"]),
            (IncomingCallFixture.body(knownContact: true), ["action": "answer", "client_websocket_url": "wss://known.example/ws"]),
            (IncomingCallFixture.body(knownContact: false), ["action": "answer", "client_websocket_url": "wss://anytime.example/ws"]),
        ]
        for (body, expected) in cases {
            let reply = try await fixture.call("ib-rules", body: body)
            #expect(reply.status == 200)
            #expect(reply.answer as NSDictionary == expected)
        }
        let decisions = try await fixture.awaitDecisions("ib-rules", count: 4)
        #expect(decisions.map { $0["rule_index"] as? Int } == [3, 2, 1, 0])
        #expect(decisions.allSatisfy { $0["decided_by"] as? String == "rule" && $0["delivery_id"] is NSNull })
    }

    @Test func theSameRequestIDGetsTheSameAnswerAndTheEndpointIsAskedOnce() async throws {
        let fixture = try IncomingCallFixture()
        defer { fixture.close() }
        let body = IncomingCallFixture.body()
        let headers = try IncomingCallFixture.signed(body, requestID: "req_repeat")
        // Concurrent repeats while the first is pending, then later ones.
        let port = fixture.gateway.port
        let answers = LockedArray<String>()
        try await blocking {
            concurrently(5) { _ in
                let response = try? RawHTTPConnection(port: port).request("POST", "/v1/ingest/ib-hold", headers: headers, body: body)
                answers.append(response.map { "\($0.status) \($0.text)" } ?? "failed")
            }
        }
        let again = try await fixture.post("ib-hold", body, headers: headers)
        #expect(Set(answers.values + ["\(again.status) \(again.text)"]) == ["200 \(DecisionEndpoint.answerBody)"])
        #expect(fixture.endpoint.received("/hold").count == 1)
        // Across a restart too (the decisions table refills the cache).
        _ = try await fixture.awaitDecisions("ib-hold")
        try fixture.restart()
        let afterRestart = try await fixture.post("ib-hold", body, headers: headers)
        #expect(afterRestart.text == DecisionEndpoint.answerBody)
        #expect(fixture.endpoint.received("/hold").count == 1)
        // The same call under a new request id is decided again; the event is stored once.
        _ = try await fixture.call("ib-hold", body: body)
        #expect(fixture.endpoint.received("/hold").count == 2)
        let events = try fixture.gateway.database?.read { try $0.scalar("SELECT count(*) FROM events", as: Int.self) }
        #expect(events == 1)
    }

    @Test func refusedRequestsAreNotAnswered() async throws {
        let fixture = try IncomingCallFixture()
        defer { fixture.close() }
        let body = IncomingCallFixture.body()
        let forged = try IncomingCallFixture.signed(body, secret: "whsec_someone_else")
        #expect(try await fixture.post("ib-answer", body, headers: forged).status == 401)
        let stale = try IncomingCallFixture.signed(body, timestamp: Int64(Date().timeIntervalSince1970) - 600)
        let staleReply = try await fixture.post("ib-answer", body, headers: stale)
        #expect(staleReply.status == 401)
        #expect(staleReply.text.contains("stale timestamp"))
        #expect(try await fixture.post("ib-answer", body, headers: []).status == 401)
        let malformed = Array(#"{"id": "x", "remote_phone_number": "#.utf8)
        #expect(try await fixture.post("ib-answer", malformed, headers: try IncomingCallFixture.signed(malformed)).status == 400)
        #expect(fixture.endpoint.received("/answer").isEmpty)
    }

    @Test func allowUnsignedAcceptsUnsignedRequestsOnlyWhereThereIsNoSecret() async throws {
        let fixture = try IncomingCallFixture()
        defer { fixture.close() }
        let body = IncomingCallFixture.body()
        let unsigned = [("X-Inkbox-Request-ID", "req_unsigned")]
        #expect(try await fixture.post("ib-unsigned", body, headers: unsigned).json as NSDictionary? == ["action": "answer"])
        // With a secret, leaving the signature out is no way around it.
        #expect(try await fixture.post("ib-keyed", body, headers: unsigned).status == 401)
        let forged = try IncomingCallFixture.signed(body, secret: "whsec_someone_else")
        #expect(try await fixture.post("ib-keyed", body, headers: forged).status == 401)
        #expect(try await fixture.post("ib-keyed", body, headers: try IncomingCallFixture.signed(body)).status == 200)
    }

    /// Stopping the gateway while a call waits on a slow decision endpoint answers it with the fallback
    /// (200), never with the stopping server's 503.
    @Test func shutdownAnswersWaitingCallsWithTheirFallback() async throws {
        let fixture = try IncomingCallFixture()
        defer { fixture.close() }
        let body = IncomingCallFixture.body()
        let headers = try IncomingCallFixture.signed(body)
        let reply = Task { try await fixture.post("ib-hold", body, headers: headers) }
        #expect(try await blocking { eventually { !fixture.endpoint.received("/hold").isEmpty } })
        // The call.incoming event is already stored while its decision is pending.
        let database = try #require(fixture.gateway.database)
        #expect(try await blocking {
            eventually { (try? database.read { try $0.scalar("SELECT count(*) FROM events WHERE kind = 'call.incoming'", as: Int.self) }) == 1 }
        })
        fixture.gateway.shutdown()
        let answered = try await reply.value
        #expect(answered.status == 200)
        #expect(answered.json?["action"] as? String != nil)
    }

    @Test func hundredsOfPendingDecisionsHoldNoServerThread() async throws {
        let fixture = try IncomingCallFixture()
        defer { fixture.close() }
        let port = fixture.gateway.port
        let calls = 300
        let bodies = (0..<calls).map { _ in IncomingCallFixture.body() }
        let headers = try bodies.map { try IncomingCallFixture.signed($0) }
        let answers = LockedArray<String>()
        let health = LockedArray<Int>()
        let gateway = fixture.gateway
        try await blocking {
            let group = DispatchGroup()
            group.enter()
            Thread {
                concurrently(calls) { index in
                    let response = try? RawHTTPConnection(port: port).request("POST", "/v1/ingest/ib-hold", headers: headers[index],
                                                                              body: bodies[index])
                    answers.append(response?.text ?? "failed")
                }
                group.leave()
            }.start()
            // While they are parked (the endpoint holds each for 1.5 s), other routes answer.
            _ = eventually(5) { gateway.serverStatistics.requestsSuspended >= calls / 2 }
            for _ in 0..<20 {
                health.append((try? RawHTTPConnection(port: port).request("GET", "/healthz").status) ?? 0)
            }
            group.wait()
        }
        #expect(health.values == Array(repeating: 200, count: 20))
        #expect(answers.values.count == calls)
        #expect(answers.values.allSatisfy { $0 == DecisionEndpoint.answerBody }, "\(Set(answers.values))")
    }
}
