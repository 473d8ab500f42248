import CCurl

/// Process-wide libcurl initialisation. `curl_global_init` is not safe to race with itself; a static
/// `let` is initialised exactly once, thread-safely, on first use.
enum CurlGlobal {
    /// The `CURLcode` of the one `curl_global_init` call.
    static let initResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// Initialises libcurl if this is the first call in the process; throws if that failed.
    static func ensureInitialized() throws(HTTPClientError) {
        let code = initResult
        guard code == CURLE_OK else { throw HTTPClientError(curlCode: code, detail: "curl_global_init failed") }
    }
}
