import CCurl

/// A request waiting to be picked up by the loop thread.
struct PendingRequest: Sendable {
    var request: HTTPClientRequest
    var completion: CurlTransfer.Completion
    /// Set for requests from the async API, whose task may be cancelled.
    var cancellation: CancellationToken?
}

/// Marks one submitted request as cancelled; compared by identity.
final class CancellationToken: Sendable {
    private let flag = Locked(false)

    var isCancelled: Bool { flag.withLock { $0 } }

    func cancel() { flag.withLock { $0 = true } }
}

/// The only state shared between callers of ``HTTPClient`` and its loop thread: a locked queue of
/// submissions plus the closed flag, and the means to wake the loop (`curl_multi_wakeup`).
///
/// `curl_multi_wakeup` is the one multi-handle call libcurl allows from any thread. It is only ever called
/// while holding the lock and before ``close()``; the loop cleans the multi handle up only after it has
/// seen the inbox closed (under the same lock), so a wakeup never reaches a freed handle.
final class SubmissionInbox: Sendable {
    private struct State {
        var pending: [PendingRequest] = []
        var cancelled: [CancellationToken] = []
        var closed = false
    }

    private let state = Locked(State())
    private let multi: MultiHandle

    init(multi: MultiHandle) {
        self.multi = multi
    }

    /// Queues `job` and wakes the loop; false (job not queued) once the inbox is closed.
    func submit(_ job: PendingRequest) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.pending.append(job)
            _ = curl_multi_wakeup(multi.raw)
            return true
        }
    }

    /// Marks `token` cancelled and asks the loop to abort its transfer if one is running.
    func cancel(_ token: CancellationToken) {
        token.cancel()
        state.withLock { state in
            guard !state.closed else { return }
            state.cancelled.append(token)
            _ = curl_multi_wakeup(multi.raw)
        }
    }

    /// Stops accepting submissions and wakes the loop so it can wind down. Idempotent.
    func close() {
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            _ = curl_multi_wakeup(multi.raw)
        }
    }

    /// Takes everything queued so far, and whether the inbox has been closed.
    func drain() -> (pending: [PendingRequest], cancelled: [CancellationToken], closed: Bool) {
        state.withLock { state in
            defer {
                state.pending.removeAll()
                state.cancelled.removeAll()
            }
            return (state.pending, state.cancelled, state.closed)
        }
    }
}

/// A `CURLM *`. Marked Sendable so it can be handed to the loop thread and used for `curl_multi_wakeup`
/// (the only thread-safe multi call); every other use happens on the loop thread alone.
struct MultiHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
}
