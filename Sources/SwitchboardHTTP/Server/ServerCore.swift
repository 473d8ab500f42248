import CMicroHTTPD
import CShims
import Foundation
import Synchronization

/// The object libmicrohttpd's callbacks reach through their closure pointer: routes requests, builds
/// responses, and keeps the counters and the set of parked requests that shutdown needs.
///
/// Ownership: `HTTPServer` owns it and passes it unretained to libmicrohttpd; the daemon is stopped
/// before `HTTPServer` lets go of it, so every callback sees a live object.
final class ServerCore: @unchecked Sendable {
    let configuration: HTTPServerConfiguration
    let router: Router
    let onRequestCompleted: (@Sendable (HTTPRequestRecord) -> Void)?
    let onServerMessage: (@Sendable (String) -> Void)?

    // Counters touched on every request are atomics: a shared lock here is contended by every worker.
    private let connectionsOpened = Atomic<Int>(0)
    private let connectionsClosed = Atomic<Int>(0)
    private let requestsCompleted = Atomic<Int>(0)
    private let requestsInFlight = Atomic<Int>(0)
    private let draining = Atomic<Bool>(false)
    // Attack limits (ServerCore+Admission.swift).
    let budget: BodyBudget
    let deadlines: ConnectionDeadlines
    let preflightRefusals = Atomic<Int>(0)
    let inflightCapRefusals = Atomic<Int>(0)
    let connectionLimitRefusals = Atomic<Int>(0)
    let lastLimitMessage = Atomic<UInt64>(0)
    // Parked requests are rarer and need a set: a lock, and a condition for shutdown's waits.
    private let lock = NSCondition()
    private var parked: [ObjectIdentifier: RequestContext] = [:]
    private var refusingSuspension = false

    init(configuration: HTTPServerConfiguration, router: Router,
         onRequestCompleted: (@Sendable (HTTPRequestRecord) -> Void)?,
         onServerMessage: (@Sendable (String) -> Void)?) {
        self.configuration = configuration
        self.router = router
        self.onRequestCompleted = onRequestCompleted
        self.onServerMessage = onServerMessage
        let budget = BodyBudget(limit: configuration.maxInflightBodyBytes,
                                limitPerAddress: configuration.maxInflightBodyBytesPerIP)
        self.budget = budget
        deadlines = ConnectionDeadlines(configuration: configuration) { budget.trimIfReleased(atLeast: 16 << 20) }
    }

    // MARK: access handler

    /// One call of libmicrohttpd's access handler. See `RequestContext` for the phases.
    func access(connection: OpaquePointer, url: UnsafePointer<CChar>?, method: UnsafePointer<CChar>?,
                uploadData: UnsafePointer<CChar>?, uploadSize: UnsafeMutablePointer<Int>,
                slot: UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> MHD_Result {
        guard let raw = slot.pointee else {
            return beginRequest(connection: connection, url: url, method: method, slot: slot)
        }
        let context = Unmanaged<RequestContext>.fromOpaque(raw).takeUnretainedValue()
        if uploadSize.pointee > 0 {
            let size = uploadSize.pointee
            uploadSize.pointee = 0
            guard context.isReceiving else { return .YES }
            return receive(uploadData, size: size, context: context)
        }
        if context.isReceiving {
            if let refusal = context.bodyRefusal {
                context.markAnswered()
                return queue(refusal, context: context, close: true)
            }
            return dispatch(context)
        }
        if context.isResuming, let response = context.takeResumedAnswer() {
            return queue(response, context: context)
        }
        return .YES
    }

    private func beginRequest(connection: OpaquePointer, url: UnsafePointer<CChar>?, method: UnsafePointer<CChar>?,
                              slot: UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> MHD_Result {
        let context = RequestContext(connection: connection, server: self,
                                     method: HTTPMethod(method.map { String(cString: $0) } ?? ""),
                                     path: url.map { String(cString: $0) } ?? "/")
        slot.pointee = Unmanaged.passRetained(context).toOpaque()
        var address = [CChar](repeating: 0, count: 64)
        sb_mhd_client_address(connection, &address, address.count)
        context.remoteAddress = address.withUnsafeBufferPointer { $0.baseAddress.map { String(cString: $0) } ?? "" }
        requestsInFlight.add(1, ordering: .relaxed)
        if let raw = sb_mhd_socket_context(connection) {
            let clock = Unmanaged<ConnectionClock>.fromOpaque(raw).takeUnretainedValue()
            context.clock = clock
            deadlines.headersComplete(clock)
        }
        // Headers are collected now (dispatch needs them) and measured against our limit, so oversized
        // headers get a JSON 431; libmicrohttpd's own (HTML) 431 only answers headers beyond its pool.
        let received = Self.headerFields(connection, method: method)
        let fields = received.fields
        let headers = fields.map { (String(decoding: $0.name, as: UTF8.self), String(decoding: $0.value, as: UTF8.self)) }
        let headerBytes = headers.reduce(context.path.utf8.count) { $0 + $1.0.utf8.count + $1.1.utf8.count + 4 }
        context.headers = headers
        if headerBytes > configuration.maxHeaderBytes {
            context.markAnswered()
            return queue(.error(431, type: "request_header_fields_too_large",
                                message: "request headers exceed the limit of \(configuration.maxHeaderBytes) bytes"),
                         context: context, close: true)
        }
        // Control bytes (a NUL that would cut a credential short) or a repeated Authorization: refused
        // before any handler reads them.
        if let problem = received.hidesBytes ? "header value contains a NUL byte (or a folded line)" : HeaderFieldRules.problem(fields) {
            context.markAnswered()
            return queue(.error(400, type: "invalid_header", message: problem), context: context, close: true)
        }
        // Ambiguous framing (conflicting lengths) is refused before any body byte is read; queuing now
        // also closes the connection, as RFC 9112 requires.
        if let problem = RequestFraming.problem(headers) {
            context.markAnswered()
            return queue(.error(400, type: "invalid_framing", message: problem), context: context, close: true)
        }
        // Refuse an oversized declared body before reading it. Queuing now also makes libmicrohttpd
        // close the connection afterwards, so the unread body is never consumed.
        if let declared = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length"),
           let length = Int(String(cString: declared)) {
            guard length <= configuration.maxBodyBytes else {
                context.markAnswered()
                return queue(payloadTooLarge(), context: context, close: true)
            }
            context.declaredBodyBytes = length
        }
        context.chunked = headers.contains { $0.0.equalsIgnoringASCIICase("Transfer-Encoding") }
        // What the route's preflight and the body caps decide is decided now, before any body byte.
        // Otherwise nothing is queued on this first call: libmicrohttpd 0.9.75 would then close the
        // connection; answering on a later call keeps keep-alive working.
        return admit(context)
    }

    /// The request's header fields, and whether a NUL byte hides part of one.
    ///
    /// libmicrohttpd 0.9.75 keeps names and values as C strings in its read buffer and reports a
    /// value's length up to its first NUL, so `X-Key: sk_live_1<NUL>tail` arrives as `sk_live_1`.
    /// The header block (from the method's first byte, `MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE`
    /// long, still in the read buffer on this first call) is therefore checked for bytes outside
    /// every reported name and value (`HeaderFieldRules.hasUnaccountedBytes`). The check is made
    /// only when every value lies inside that block; otherwise only the reported bytes are checked.
    private static func headerFields(_ connection: OpaquePointer, method: UnsafePointer<CChar>?)
        -> (fields: [(name: [UInt8], value: [UInt8])], hidesBytes: Bool) {
        var collected = CollectedFields()
        _ = withUnsafeMutablePointer(to: &collected) {
            MHD_get_connection_values_n(connection, .HEADER_KIND, collectField, $0)
        }
        let size = sb_mhd_request_header_size(connection)
        guard let method, size > 0 else { return (collected.fields, false) }
        let base = UInt(bitPattern: method)
        let inBlock = { (address: UInt, count: Int) in address >= base && address + UInt(count) <= base + UInt(size) }
        guard collected.values.allSatisfy({ inBlock($0.address, $0.count) }) else { return (collected.fields, false) }
        let spans = (collected.names + collected.values).filter { inBlock($0.address, $0.count) }.map { span in
            Int(span.address - base)..<Int(span.address - base) + span.count
        }
        let block = Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(method), count: size))
        return (collected.fields, HeaderFieldRules.hasUnaccountedBytes(block: block, spans: spans))
    }

    func dispatch(_ context: RequestContext) -> MHD_Result {
        if let clock = context.clock { deadlines.handling(clock) }
        switch context.match ?? router.match(method: context.method, path: context.path) {
        case .notFound:
            context.markAnswered()
            return queue(.error(404, type: "not_found",
                                message: "no route for \(context.method) \(context.path)"), context: context)
        case .methodNotAllowed(let allowed):
            context.markAnswered()
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            return queue(.error(405, type: "method_not_allowed",
                                message: "\(context.method) is not allowed on \(context.path); allowed: \(allow)",
                                headers: ["Allow": allow]), context: context)
        case .found(let handler, let parameters, let route):
            context.route = route
            let request = makeRequest(context, parameters: parameters)
            context.beginDispatch()
            switch handler {
            case .immediate(let body):
                let response = body(request)
                context.markAnswered()
                return queue(response, context: context)
            case .deferred(let body):
                body(request, HTTPResponder(context: context))
            case .async(let body):
                let responder = HTTPResponder(context: context)
                Task {
                    responder.respond(await ServerCore.run(body, request))
                }
            }
            if let response = context.answerOrSuspend() { return queue(response, context: context) }
            return .YES
        }
    }

    private static func run(_ body: @Sendable (HTTPRequest) async throws -> HTTPResponse,
                            _ request: HTTPRequest) async -> HTTPResponse {
        do {
            return try await body(request)
        } catch let error as HTTPError {
            return error.response
        } catch {
            return .error(500, type: "internal_error", message: "the request could not be completed")
        }
    }

    private func makeRequest(_ context: RequestContext, parameters: [String: String]) -> HTTPRequest {
        var query: [(String, String)] = []
        _ = withUnsafeMutablePointer(to: &query) {
            MHD_get_connection_values(context.connection, .GET_ARGUMENT_KIND, collectValue, $0)
        }
        return HTTPRequest(method: context.method, path: context.path,
                           query: query.map { (name: $0.0, value: $0.1) }, headers: HTTPHeaders(context.headers),
                           body: context.body, pathParameters: parameters, remoteAddress: context.remoteAddress)
    }

    func payloadTooLarge() -> HTTPResponse {
        .error(413, type: "payload_too_large",
               message: "request body exceeds the limit of \(configuration.maxBodyBytes) bytes")
    }

    /// Queues `response` on the context's connection. `close` forces `Connection: close`.
    func queue(_ response: HTTPResponse, context: RequestContext, close: Bool = false) -> MHD_Result {
        if let clock = context.clock { deadlines.handling(clock) }
        let status = ServerCore.sendableStatus(response.status)
        context.status = status
        context.errorType = response.errorType
        let handle: OpaquePointer? = response.body.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress),
                                            .RESPMEM_MUST_COPY)
        }
        guard let handle else { return .NO }
        defer { MHD_destroy_response(handle) }
        for field in response.headers {
            // libmicrohttpd refuses names or values with CR/LF/TAB; such a header is dropped, not sent.
            _ = MHD_add_response_header(handle, field.name, field.value)
        }
        if close || draining.load(ordering: .relaxed) {
            _ = MHD_add_response_header(handle, "Connection", "close")
        }
        return MHD_queue_response(context.connection, UInt32(status), handle)
    }

    // MARK: completion and connections

    func completed(_ context: RequestContext, termination: MHD_RequestTerminationCode) {
        context.markCompleted()
        budget.release(context.reservedBodyBytes, for: context.remoteAddress)
        context.reservedBodyBytes = 0
        if let clock = context.clock { deadlines.requestEnded(clock) }
        if context.wasSuspended {
            // A parked request whose client went away ends here without the access handler running again.
            lock.withLock {
                if parked.removeValue(forKey: ObjectIdentifier(context)) != nil { lock.broadcast() }
            }
        }
        requestsCompleted.add(1, ordering: .relaxed)
        requestsInFlight.subtract(1, ordering: .releasing)
        guard let log = onRequestCompleted else { return }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - context.startedAt) / 1e9
        log(HTTPRequestRecord(method: context.method.rawValue, path: context.path, route: context.route, status: context.status,
                              durationSeconds: elapsed, requestBytes: context.body.count, remoteAddress: context.remoteAddress,
                              completed: termination == .REQUEST_TERMINATED_COMPLETED_OK,
                              suspended: context.wasSuspended, errorType: context.errorType))
    }

    func connectionOpened() { connectionsOpened.add(1, ordering: .relaxed) }
    func connectionClosed() { connectionsClosed.add(1, ordering: .relaxed) }

    var currentStatistics: HTTPServerStatistics {
        HTTPServerStatistics(connectionsOpened: connectionsOpened.load(ordering: .relaxed),
                             connectionsClosed: connectionsClosed.load(ordering: .relaxed),
                             requestsCompleted: requestsCompleted.load(ordering: .relaxed),
                             requestsInFlight: requestsInFlight.load(ordering: .acquiring),
                             requestsSuspended: lock.withLock { parked.count },
                             inflightBodyBytes: budget.inUse,
                             rejected: rejectionCounts)
    }

    // MARK: parked requests and shutdown

    /// Registers a request about to be suspended; false when shutdown already stopped suspensions.
    func didSuspend(_ context: RequestContext) -> Bool {
        lock.withLock {
            guard !refusingSuspension else { return false }
            parked[ObjectIdentifier(context)] = context
            return true
        }
    }

    func didResume(_ context: RequestContext) {
        lock.withLock {
            parked[ObjectIdentifier(context)] = nil
            lock.broadcast()
        }
    }

    /// A status libmicrohttpd can send: a handler's out-of-range status becomes 500.
    static func sendableStatus(_ status: Int) -> Int {
        (100...599).contains(status) ? status : 500
    }

    /// The answer to a request that would be parked while the server is being forced down: a stopping
    /// daemon must not hold suspended connections.
    static let shuttingDown = HTTPResponse.error(503, type: "shutting_down", message: "the server is shutting down",
                                                 headers: ["Retry-After": "1"])

    func beginDraining() { draining.store(true, ordering: .relaxed) }

    /// Waits until no request is in flight or `deadline` passes. Returns true when idle. Polls: it runs
    /// only during shutdown, and keeps the per-request path free of condition signalling.
    func waitForIdle(until deadline: Date) -> Bool {
        while requestsInFlight.load(ordering: .acquiring) > 0 {
            if Date() >= deadline { return false }
            usleep(2_000)
        }
        return true
    }

    /// Answers every parked request with 503 and waits (bounded) until libmicrohttpd has resumed them all.
    /// After `refusingSuspension` is set no request can join `parked`; each pass answers what is there
    /// (answering twice is refused harmlessly).
    func releaseParked(until deadline: Date) {
        lock.withLock { refusingSuspension = true }
        while true {
            let waiting: [RequestContext] = lock.withLock { Array(parked.values) }
            if waiting.isEmpty || Date() >= deadline { return }
            for context in waiting { _ = context.deliver(Self.shuttingDown) }
            lock.withLock { _ = lock.wait(until: min(deadline, Date(timeIntervalSinceNow: 0.05))) }
        }
    }
}

/// The iterator libmicrohttpd calls for each header or query argument; `cls` points to the caller's
/// `[(String, String)]`, valid for the duration of `MHD_get_connection_values`.
private let collectValue: MHD_KeyValueIterator = { cls, _, key, value in
    guard let cls, let key else { return .YES }
    cls.assumingMemoryBound(to: [(String, String)].self)
        .pointee.append((String(cString: key), value.map { String(cString: $0) } ?? ""))
    return .YES
}

/// What `collectField` gathers: each field's bytes, and where libmicrohttpd keeps its name and value.
private struct CollectedFields {
    var fields: [(name: [UInt8], value: [UInt8])] = []
    var names: [(address: UInt, count: Int)] = []
    var values: [(address: UInt, count: Int)] = []
}

/// The iterator for header fields with their byte lengths; `cls` points to the caller's
/// `CollectedFields`, valid for the duration of `MHD_get_connection_values_n`.
private let collectField: MHD_KeyValueIteratorN = { cls, _, key, keySize, value, valueSize in
    guard let cls, let key else { return .YES }
    let collected = cls.assumingMemoryBound(to: CollectedFields.self)
    let name = UnsafeRawBufferPointer(start: key, count: keySize)
    collected.pointee.names.append((UInt(bitPattern: key), keySize))
    guard let value else {
        collected.pointee.fields.append((Array(name), []))
        return .YES
    }
    collected.pointee.values.append((UInt(bitPattern: value), valueSize))
    collected.pointee.fields.append((Array(name), Array(UnsafeRawBufferPointer(start: value, count: valueSize))))
    return .YES
}
