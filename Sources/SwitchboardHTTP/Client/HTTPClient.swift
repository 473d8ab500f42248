import CCurl
import CShims
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 (and HTTP/2 over TLS) client over the libcurl multi interface.
///
/// Each client runs one loop thread that drives every transfer; callers on any thread or task submit
/// requests through a locked queue and wake the loop with `curl_multi_wakeup`. Connections are kept
/// alive and reused through the multi handle's connection cache (see ``HTTPClientConfiguration``).
///
/// Redirects are never followed, proxies (including `*_proxy` environment variables) are never used and
/// only `http` and `https` URLs are accepted.
///
/// Call ``shutdown()`` when done; `deinit` does so as well.
public final class HTTPClient: Sendable {
    public let configuration: HTTPClientConfiguration
    private let inbox: SubmissionInbox
    /// The loop thread until someone has taken it to join (or detach) it.
    private let loopThread: Locked<pthread_t?>

    /// Creates the multi handle and starts the loop thread.
    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) throws(HTTPClientError) {
        try CurlGlobal.ensureInitialized()
        guard let raw = curl_multi_init() else {
            throw HTTPClientError(.other, message: "curl_multi_init failed")
        }
        let multi = MultiHandle(raw: raw)
        for (option, value) in [(CURLMOPT_MAXCONNECTS, configuration.maxCachedConnections),
                                (CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost),
                                (CURLMOPT_MAX_TOTAL_CONNECTIONS, configuration.maxTotalConnections)] {
            let code = sb_curl_multi_setopt_long(raw, option, max(0, value))
            guard code == CURLM_OK else {
                _ = curl_multi_cleanup(raw)
                throw HTTPClientError(multiCode: code, during: "curl_multi_setopt")
            }
        }
        let inbox = SubmissionInbox(multi: multi)
        let loop = CurlLoop(multi: multi, inbox: inbox, configuration: configuration)
        // The thread takes ownership of this retain and releases it when the loop returns.
        let context = Unmanaged.passRetained(loop).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, httpClientLoopMain, context)
        guard status == 0 else {
            Unmanaged<CurlLoop>.fromOpaque(context).release()
            _ = curl_multi_cleanup(raw)
            throw HTTPClientError(.other, message: "could not start the client loop thread (errno \(status))")
        }
        self.configuration = configuration
        self.inbox = inbox
        self.loopThread = Locked(thread)
    }

    deinit {
        shutdown()
    }

    /// Performs `request` and returns the complete response. Any HTTP status, including 3xx, 4xx and
    /// 5xx, is a response; only transport-level failures throw.
    ///
    /// Cancelling the calling task aborts the transfer and throws ``HTTPClientError/Kind/cancelled``.
    public func execute(_ request: HTTPClientRequest) async throws(HTTPClientError) -> HTTPClientResponse {
        let token = CancellationToken()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                submit(PendingRequest(request: request, completion: { continuation.resume(returning: $0) },
                                      cancellation: token))
            }
        } onCancel: {
            inbox.cancel(token)
        }
        return try result.get()
    }

    /// Performs `request` and calls `completion` exactly once with the outcome.
    ///
    /// `completion` runs **on the client's loop thread**, which drives every other transfer of this
    /// client: it must return quickly and must not block (hand work off instead). It may submit further
    /// requests or call ``shutdown()``. If the client is already shut down, `completion` is called
    /// synchronously on the calling thread with ``HTTPClientError/Kind/shutdown``.
    public func execute(_ request: HTTPClientRequest,
                        completion: @escaping @Sendable (Result<HTTPClientResponse, HTTPClientError>) -> Void) {
        submit(PendingRequest(request: request, completion: completion, cancellation: nil))
    }

    private func submit(_ job: PendingRequest) {
        guard inbox.submit(job) else {
            job.completion(.failure(.shutdown))
            return
        }
    }

    /// Stops accepting requests, fails every queued or in-flight request with
    /// ``HTTPClientError/Kind/shutdown``, frees every curl handle and joins the loop thread.
    ///
    /// Idempotent. The first caller waits for the loop thread to finish; a concurrent second caller may
    /// return before that. Called from a completion (on the loop thread itself) it does not wait: the
    /// loop winds down as soon as that completion returns.
    public func shutdown() {
        inbox.close()
        let thread = loopThread.withLock { thread in
            defer { thread = nil }
            return thread
        }
        guard let thread else { return }
        if pthread_equal(thread, pthread_self()) != 0 {
            pthread_detach(thread)
        } else {
            pthread_join(thread, nil)
        }
    }
}

/// Entry point of the loop thread. `context` is a retained `CurlLoop`, released here when the loop ends.
private func httpClientLoopMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let context else { return nil }
    let loop = Unmanaged<CurlLoop>.fromOpaque(context).takeRetainedValue()
    loop.run()
    return nil
}
