import CCurl
import CShims

/// The event loop of one ``HTTPClient``: owns the multi handle, the transfers in progress and a pool of
/// idle easy handles, and drives them with `curl_multi_perform` / `curl_multi_info_read` /
/// `curl_multi_poll`.
///
/// Threading: ``run()`` is the body of the client's loop thread; every member is touched by that thread
/// only (the inbox is the thread-safe way in). Completions are called on this thread.
///
/// Memory ownership: the loop owns the multi handle and every easy handle (in use or pooled) and frees
/// them all when ``run()`` returns. It holds the strong reference to each ``CurlTransfer`` while its easy
/// handle is added to the multi handle.
final class CurlLoop {
    private let multi: MultiHandle
    private let inbox: SubmissionInbox
    private let configuration: HTTPClientConfiguration
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var idleHandles: [UnsafeMutableRawPointer] = []
    /// Easy handles of running transfers that can be cancelled, by their token's identity.
    private var cancellable: [ObjectIdentifier: UnsafeMutableRawPointer] = [:]

    /// Longest single wait in `curl_multi_poll`; submissions and shutdown wake it earlier.
    private static let pollTimeoutMilliseconds: Int32 = 1_000

    init(multi: MultiHandle, inbox: SubmissionInbox, configuration: HTTPClientConfiguration) {
        self.multi = multi
        self.inbox = inbox
        self.configuration = configuration
    }

    /// Runs until the inbox is closed, then fails everything outstanding with `.shutdown` and frees all
    /// curl handles.
    func run() {
        while true {
            let (pending, cancelled, closed) = inbox.drain()
            if closed {
                for job in pending { job.completion(.failure(.shutdown)) }
                break
            }
            for job in pending { start(job) }
            // A token whose transfer already finished, or has not started yet, has no entry here; start()
            // checks the token itself, so a cancellation is never lost.
            for token in cancelled {
                guard let easy = cancellable[ObjectIdentifier(token)] else { continue }
                finish(easy, with: { _ in .failure(.cancelled) })
            }
            var running: Int32 = 0
            let performCode = curl_multi_perform(multi.raw, &running)
            if performCode != CURLM_OK {
                failAll(HTTPClientError(multiCode: performCode, during: "curl_multi_perform"))
            }
            completeFinished()
            _ = curl_multi_poll(multi.raw, nil, 0, Self.pollTimeoutMilliseconds, nil)
        }
        failAll(.shutdown)
        for easy in idleHandles { curl_easy_cleanup(easy) }
        idleHandles.removeAll()
        _ = curl_multi_cleanup(multi.raw)
    }

    private func start(_ job: PendingRequest) {
        if job.cancellation?.isCancelled == true {
            job.completion(.failure(.cancelled))
            return
        }
        guard let easy = idleHandles.popLast() ?? curl_easy_init() else {
            job.completion(.failure(HTTPClientError(.other, message: "curl_easy_init failed")))
            return
        }
        let transfer = CurlTransfer(easy: easy, request: job.request, configuration: configuration,
                                    cancellation: job.cancellation, completion: job.completion)
        do {
            try transfer.configure()
        } catch {
            recycle(easy)
            transfer.completion(.failure(error))
            return
        }
        let addCode = curl_multi_add_handle(multi.raw, easy)
        guard addCode == CURLM_OK else {
            recycle(easy)
            transfer.completion(.failure(HTTPClientError(multiCode: addCode, during: "curl_multi_add_handle")))
            return
        }
        active[easy] = transfer
        if let token = job.cancellation { cancellable[ObjectIdentifier(token)] = easy }
    }

    private func completeFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi.raw, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            // Copy out of the message before finish(): removing the handle invalidates it.
            let code = message.pointee.data.result
            finish(easy, with: { $0.result(code: code) })
        }
    }

    private func failAll(_ error: HTTPClientError) {
        for easy in Array(active.keys) { finish(easy, with: { _ in .failure(error) }) }
    }

    /// Detaches a transfer from the multi handle, computes its outcome, recycles the handle, then calls
    /// the completion (last, so a completion that submits or shuts down sees consistent state).
    private func finish(_ easy: UnsafeMutableRawPointer,
                        with outcome: (CurlTransfer) -> Result<HTTPClientResponse, HTTPClientError>) {
        guard let transfer = active.removeValue(forKey: easy) else { return }
        if let token = transfer.cancellation { cancellable[ObjectIdentifier(token)] = nil }
        _ = curl_multi_remove_handle(multi.raw, easy)
        let result = outcome(transfer)
        recycle(easy)
        transfer.completion(result)
    }

    /// Resets an easy handle into the pool, or frees it when the pool is full. Must precede releasing the
    /// handle's ``CurlTransfer``: reset drops the handle's pointers into it.
    private func recycle(_ easy: UnsafeMutableRawPointer) {
        if idleHandles.count < configuration.easyHandlePoolSize {
            curl_easy_reset(easy)
            idleHandles.append(easy)
        } else {
            curl_easy_cleanup(easy)
        }
    }
}
