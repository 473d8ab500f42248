import CMicroHTTPD
import Foundation

/// Admission of a request once its headers are complete, and the body bytes it may buffer (issue 13 §1):
/// the route's preflight, early 404/405 for requests with a body, and the in-flight body caps.
extension ServerCore {
    /// The answer past the in-flight body caps.
    static func inflightCapReached(_ limit: Int, perAddress: Bool) -> HTTPResponse {
        .error(503, type: "server_busy",
               message: "too many request bodies in flight\(perAddress ? " from this address" : ""): limit \(limit) bytes; retry later",
               headers: ["Retry-After": "1"])
    }

    /// Called on the first access-handler call after the header checks passed. Answers now (and
    /// libmicrohttpd closes the connection without reading the body) or returns `.YES` to read on.
    func admit(_ context: RequestContext) -> MHD_Result {
        let match = router.match(method: context.method, path: context.path)
        context.match = match
        let hasBody = (context.declaredBodyBytes ?? 0) > 0 || context.chunked
        switch match {
        case .notFound, .methodNotAllowed:
            // Nothing would read the body: answered at dispatch when there is none (keeping the
            // connection), at once when there is one.
            guard hasBody else { return .YES }
            return dispatch(context)
        case .found(_, let parameters, let route):
            if let check = router.preflight(method: context.method, route: route) {
                let head = HTTPRequestHead(method: context.method, path: context.path, headers: HTTPHeaders(context.headers),
                                           pathParameters: parameters, remoteAddress: context.remoteAddress,
                                           declaredBodyBytes: context.declaredBodyBytes)
                if let refusal = check(head) {
                    context.route = route
                    context.markAnswered()
                    preflightRefusals.add(1, ordering: .relaxed)
                    return queue(refusal, context: context, close: true)
                }
            }
        }
        guard let declared = context.declaredBodyBytes, declared > 0 else { return .YES }
        if let refusal = reserve(declared, context: context) {
            context.markAnswered()
            return queue(refusal, context: context, close: true)
        }
        // Reserved up front: one allocation, and a stalled upload never grows it.
        context.body.reserveCapacity(declared)
        return .YES
    }

    /// One chunk of body. A body past `max_body_bytes` or past the in-flight caps is discarded from
    /// there on and refused when it ends; one that goes on far past the limit is cut off.
    func receive(_ data: UnsafePointer<CChar>?, size: Int, context: RequestContext) -> MHD_Result {
        if context.bodyRefusal == nil {
            if context.body.count + size > configuration.maxBodyBytes {
                context.bodyRefusal = payloadTooLarge()
            } else if context.declaredBodyBytes == nil, let refusal = reserve(size, context: context) {
                context.bodyRefusal = refusal
                context.body = []
            }
        }
        if context.bodyRefusal != nil {
            context.discardedBytes += size
            return context.discardedBytes > max(configuration.maxBodyBytes, 16 << 20) ? .NO : .YES
        }
        if let data {
            data.withMemoryRebound(to: UInt8.self, capacity: size) {
                context.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: size))
            }
        }
        return .YES
    }

    /// Reserves `bytes` more for the context's body; the 503 to send when a cap does not allow it.
    private func reserve(_ bytes: Int, context: RequestContext) -> HTTPResponse? {
        if budget.reserve(bytes, for: context.remoteAddress) {
            context.reservedBodyBytes += bytes
            return nil
        }
        inflightCapRefusals.add(1, ordering: .relaxed)
        let perAddress = budget.limit - budget.inUse >= bytes
        return Self.inflightCapReached(perAddress ? budget.limitPerAddress : budget.limit, perAddress: perAddress)
    }

    /// The refusal counters, by reason (see `HTTPServerStatistics.rejected`).
    var rejectionCounts: [String: Int] {
        ["preflight": preflightRefusals.load(ordering: .relaxed),
         "inflight_body_cap": inflightCapRefusals.load(ordering: .relaxed),
         "connection_limit": connectionLimitRefusals.load(ordering: .relaxed),
         "header_timeout": deadlines.headerCuts.load(ordering: .relaxed),
         "body_timeout": deadlines.bodyCuts.load(ordering: .relaxed)]
    }

    /// Forwards a libmicrohttpd diagnostic. Its "connection limit" line comes once per refused
    /// connection, so a flood would flood the log: those are counted, and forwarded at most once a
    /// second with the count so far.
    func forwardServerMessage(_ message: String) {
        let forward = onServerMessage ?? { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        guard message.hasPrefix("Server reached connection limit") else {
            forward(message)
            return
        }
        let total = connectionLimitRefusals.add(1, ordering: .relaxed).newValue
        let now = DispatchTime.now().uptimeNanoseconds
        let last = lastLimitMessage.load(ordering: .relaxed)
        guard now - last >= 1_000_000_000 || last == 0,
              lastLimitMessage.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged else { return }
        forward("\(message) (\(total) connections refused so far)")
    }
}
